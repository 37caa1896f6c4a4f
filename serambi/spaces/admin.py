"""The Django admin for spaces: a fallback for superusers, not the staff pages.

Saving a booking here bypasses the services (no rule checks, no notices, the
equipment holds not kept in step), which is why bookings are read-only
here apart from their texts; rooms and equipment are edited freely.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Booking, Equipment, EquipmentBooking, Space


class EquipmentInline(admin.TabularInline):
    model = Equipment
    fields = ["name", "description", "bookable_alone", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "branch",
        "kind",
        "capacity",
        "slot_minutes",
        "min_minutes",
        "max_minutes",
        "requires_approval",
        "is_active",
    ]
    list_filter = ["branch", "kind", "requires_approval", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]
    list_select_related = ["branch"]
    inlines = [EquipmentInline]
    fieldsets = [
        (None, {"fields": ["branch", "name", "slug", "kind", "capacity", "is_active"]}),
        (None, {"fields": ["description", "features", "accessibility", "photo"]}),
        (
            _("Booking rules"),
            {
                "fields": [
                    ("opens", "closes"),
                    ("slot_minutes", "min_minutes", "max_minutes"),
                    ("book_ahead_days", "buffer_minutes"),
                    ("max_hours_per_week", "max_bookings_per_week"),
                    "categories",
                    "requires_approval",
                ]
            },
        ),
    ]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "space", "bookable_alone", "is_active"]
    list_filter = ["branch", "bookable_alone", "is_active"]
    search_fields = ["name", "description"]
    list_select_related = ["branch", "space"]


class EquipmentBookingInline(admin.TabularInline):
    model = EquipmentBooking
    fields = ["equipment", "starts_at", "blocked_until", "is_holding"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["space", "starts_at", "ends_at", "member", "event", "status", "people"]
    list_filter = ["status", "space__branch", "space"]
    search_fields = ["member__card_number", "member__full_name", "purpose", "organisation"]
    raw_id_fields = ["member", "event", "decided_by"]
    readonly_fields = [
        "space",
        "member",
        "event",
        "starts_at",
        "ends_at",
        "blocked_until",
        "status",
        "decided_by",
        "checked_in_at",
        "reminded_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "starts_at"
    list_select_related = ["space", "space__branch", "member", "event"]
    list_per_page = 50
    inlines = [EquipmentBookingInline]

    def has_add_permission(self, request):
        return False
