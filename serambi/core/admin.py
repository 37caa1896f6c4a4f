from django.contrib import admin

from .models import AuditEntry, Branch, ClosedDay, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 0


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [OpeningHoursInline, ClosedDayInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["branch", "weekday", "opens", "closes"]
    list_filter = ["branch"]


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ["date", "branch", "reason"]
    list_filter = ["branch"]
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["action", "target_repr", "target_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
