"""Circulation forms: parse what the desk scans and types into what the services take.

The rules live in services.py; these forms only give quick messages next to
a field (an empty scan, an amount typed as "Rp 5.000", a missing reason).
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from serambi.catalog.models import MaterialType
from serambi.catalog.selectors import active_branches
from serambi.core.models import Branch
from serambi.members.models import MemberCategory

from .models import CirculationSettings, LoanRule
from .services import LOAN_RULE_FIELDS

MAX_AMOUNT = 100_000_000


class AmountField(forms.CharField):
    """Whole rupiah; accepts “Rp 5.000”, “5000” or “5.000,00”."""

    default_error_messages = {
        "invalid": _("Write the amount in rupiah, e.g. Rp 5.000."),
        "too_small": _("The amount must be at least Rp 1."),
        "too_large": _("The amount is too large."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "numeric"
        return attrs

    def clean(self, value) -> int | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        if text.startswith("-"):
            raise forms.ValidationError(self.error_messages["too_small"], code="too_small")
        # Cents after a decimal comma or point are dropped: rupiah carry none.
        text = re.sub(r"[.,]\d{1,2}$", "", text)
        digits = re.sub(r"\D", "", text)
        if not digits:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        amount = int(digits)
        if amount < 1:
            raise forms.ValidationError(self.error_messages["too_small"], code="too_small")
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return amount


class CardForm(forms.Form):
    """The member card, scanned (digits + Enter) or typed."""

    card = forms.CharField(
        label=_("Member card"),
        max_length=30,
        help_text=_("Scan the card or type its number, then press Enter."),
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class ScanForm(forms.Form):
    """One scanned item barcode; an override reason when a block is lifted."""

    barcode = forms.CharField(
        label=_("Item barcode"),
        max_length=50,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    override_reason = forms.CharField(
        label=_("Reason for the exception"), max_length=300, required=False
    )


class OverrideForm(forms.Form):
    """Renewing despite a block: the reason is what the audit log keeps."""

    override_reason = forms.CharField(
        label=_("Reason for the exception"), max_length=300, required=False
    )


class DeskBranchForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Desk branch"), queryset=Branch.objects.none(), empty_label=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()


class PaymentForm(forms.Form):
    amount = AmountField(label=_("Amount paid (Rp)"))


class WaiverForm(forms.Form):
    amount = AmountField(
        label=_("Amount to waive (Rp)"),
        required=False,
        help_text=_("Leave empty to waive everything still owed."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DamageForm(forms.Form):
    """A charge for damage found on a copy the member has on loan."""

    amount = AmountField(label=_("Charge (Rp)"))
    description = forms.CharField(label=_("What is damaged"), max_length=300)


class HoldForm(forms.Form):
    """A patron's hold on a title: where they will collect it."""

    pickup_branch = forms.ModelChoiceField(
        label=_("Collect at"), queryset=Branch.objects.none(), empty_label=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pickup_branch"].queryset = active_branches()


class RuleFilterForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("Rules for the whole library"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = active_branches()


class LoanRuleForm(forms.ModelForm):
    """The terms of one loan rule; saved by services.save_loan_rule, never by the form."""

    class Meta:
        model = LoanRule
        fields = list(LOAN_RULE_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = MemberCategory.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Any category")
        self.fields["branch"].queryset = active_branches()
        self.fields["branch"].empty_label = _("Any branch")
        self.fields["material_type"].choices = [
            ("", _("Any material type")),
            *MaterialType.choices,
        ]

    def rule_data(self) -> dict:
        return dict(self.cleaned_data)


class CirculationSettingsForm(forms.ModelForm):
    """Library-wide choices; saved by services.update_circulation_settings."""

    class Meta:
        model = CirculationSettings
        fields = [
            "fines_count_open_days_only",
            "fine_limit",
            "block_when_overdue",
            "hold_pickup_days",
            "due_soon_days",
            "overdue_notice_days",
        ]

    def clean_overdue_notice_days(self) -> str:
        text = self.cleaned_data["overdue_notice_days"]
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if not parts or not all(part.isdigit() and 0 < int(part) <= 365 for part in parts):
            raise forms.ValidationError(
                _("Write whole days between 1 and 365, separated by commas, e.g. 1,7,14.")
            )
        return ",".join(str(day) for day in sorted({int(part) for part in parts}))

    def settings_data(self) -> dict:
        return dict(self.cleaned_data)
