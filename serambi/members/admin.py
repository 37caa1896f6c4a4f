"""Django admin for members: a fallback for superusers; the staff pages are the real tool.

The NIK shows only as its last four digits and nothing here can write it;
members are registered and changed through the staff pages (services.py).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Member, MemberCategory, Visit


@admin.register(MemberCategory)
class MemberCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "membership_months", "needs_guardian", "position", "is_active")
    list_editable = ("position",)
    search_fields = ("name", "code")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "card_number", "category", "home_branch", "status", "expires_on")
    list_filter = ("status", "category", "home_branch")
    search_fields = ("full_name", "card_number", "email", "phone")
    list_select_related = ("category", "home_branch")
    raw_id_fields = ("user", "verified_by")
    readonly_fields = (
        "nik_masked",
        "verified_at",
        "verified_by",
        "deletion_requested_at",
        "created_at",
        "updated_at",
    )
    exclude = ("nik_hash", "nik_last4")

    @admin.display(description=_("NIK"))
    def nik_masked(self, member: Member) -> str:
        return member.nik_masked or "—"


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("visited_on", "branch", "member", "guest_name", "head_count", "is_group")
    list_filter = ("branch", "is_group", "purpose")
    date_hierarchy = "visited_on"
    raw_id_fields = ("member", "recorded_by")
    readonly_fields = ("arrived_at", "guest_key")
    list_select_related = ("branch", "member")
