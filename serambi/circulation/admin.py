"""The Django admin for circulation: a fallback for superusers, not the circulation desk.

Saving here bypasses the services (no audit, no transition checks, no
notices), which is why the desk and the rule pages are where circulation
happens; the admin is for looking and for repairs.
"""

from django.contrib import admin

from .models import CirculationSettings, Fine, Hold, Loan, LoanRule, Payment


@admin.register(CirculationSettings)
class CirculationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fine_limit", "block_when_overdue", "hold_pickup_days"]

    def has_add_permission(self, request):
        return not CirculationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanRule)
class LoanRuleAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "loan_days",
        "max_loans",
        "max_renewals",
        "fine_per_day",
        "fine_cap",
        "grace_days",
        "holds_allowed",
        "max_holds",
    ]
    list_filter = ["branch", "category", "material_type"]


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["item", "member", "branch", "status", "checked_out_at", "due_on", "returned_at"]
    list_filter = ["status", "branch", "channel"]
    search_fields = ["item__barcode", "member__card_number"]
    raw_id_fields = ["item", "member"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "checked_out_at"
    list_select_related = ["item", "member", "branch"]
    list_per_page = 50


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["record", "member", "pickup_branch", "status", "placed_at", "pickup_by"]
    list_filter = ["status", "pickup_branch", "is_item_hold"]
    search_fields = ["record__title", "member__card_number", "item__barcode"]
    raw_id_fields = ["record", "item", "member"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["record", "member", "pickup_branch"]
    list_per_page = 50


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["receipt_number", "kind", "amount", "reason", "at", "by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Fine)
class FineAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "amount", "paid", "waived", "settled_at", "created_at"]
    list_filter = ["kind", "settled_at"]
    search_fields = ["member__card_number", "item__barcode"]
    raw_id_fields = ["member", "loan", "item"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PaymentInline]
    list_select_related = ["member"]
    list_per_page = 50


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "member", "kind", "amount", "at", "branch"]
    list_filter = ["kind", "branch"]
    search_fields = ["receipt_number", "member__card_number"]
    raw_id_fields = ["fine", "member"]
    readonly_fields = ["at"]
    list_select_related = ["member", "branch"]
    list_per_page = 50
