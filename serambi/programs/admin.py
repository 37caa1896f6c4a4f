"""The Django admin for programs: a fallback for superusers, not the staff pages.

Saving here bypasses the services (no audit, no room holds, no notices), so
events are scheduled and registrations made from the staff pages; the admin
is for looking and for repairs.
"""

from django.contrib import admin

from .models import Certificate, Event, Program, ProgramSettings, Registration, RegistrationPause


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "no_show_limit", "pause_days", "reminder_hours"]

    def has_add_permission(self, request):
        return not ProgramSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "audience", "is_series", "is_published"]
    list_filter = ["category", "audience", "is_published", "gives_certificate"]
    search_fields = ["title", "summary", "facilitator", "partners"]
    readonly_fields = ["slug", "created_at", "updated_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "branch", "space", "capacity", "status"]
    list_filter = ["status", "branch", "program__category", "registration_required"]
    search_fields = ["title", "program__title", "location"]
    raw_id_fields = ["program"]
    readonly_fields = ["reminded_at", "created_at", "updated_at"]
    date_hierarchy = "starts_at"
    list_select_related = ["program", "branch", "space"]
    list_per_page = 50


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "registered_at", "attended_at"]
    list_filter = ["status"]
    search_fields = ["member__full_name", "member__card_number", "guest_name", "event__title"]
    raw_id_fields = ["event", "member", "registered_by"]
    readonly_fields = ["token", "guest_key", "created_at", "updated_at"]
    date_hierarchy = "registered_at"
    list_select_related = ["event", "event__program", "member"]
    list_per_page = 50


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "event_title", "event_date", "issued_at"]
    search_fields = ["code", "name", "event_title"]
    raw_id_fields = ["registration"]
    readonly_fields = ["issued_at"]


@admin.register(RegistrationPause)
class RegistrationPauseAdmin(admin.ModelAdmin):
    list_display = ["member", "until", "reason", "lifted_by", "created_at"]
    search_fields = ["member__full_name", "member__card_number"]
    raw_id_fields = ["member"]
    readonly_fields = ["created_at"]
