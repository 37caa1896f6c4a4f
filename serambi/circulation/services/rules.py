"""Loan rules and the library-wide circulation settings."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serambi.catalog.models import MaterialType
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit
from serambi.members.models import MemberCategory

from .. import policies, selectors
from ..models import CirculationSettings, LoanRule
from ._common import (
    LOAN_RULE_FIELDS,
    SETTINGS_FIELDS,
)

# --- rules and settings --------------------------------------------------------------------------


def _clean_rule_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(LOAN_RULE_FIELDS)
    if unknown:
        raise DomainError(
            "circulation.unknown_field",
            _("Unknown loan rule field: %(field)s.") % {"field": sorted(unknown)[0]},
            field=sorted(unknown)[0],
        )
    cleaned = dict(data)
    for key in ("category", "branch"):
        if key in cleaned and cleaned[key] in ("", 0):
            cleaned[key] = None
    if "category" in cleaned and isinstance(cleaned["category"], int):
        cleaned["category"] = MemberCategory.objects.get(pk=cleaned["category"])
    if "branch" in cleaned and isinstance(cleaned["branch"], int):
        cleaned["branch"] = Branch.objects.get(pk=cleaned["branch"])
    if cleaned.get("material_type") is None and "material_type" in cleaned:
        cleaned["material_type"] = ""
    if cleaned.get("material_type") and cleaned["material_type"] not in MaterialType.values:
        raise DomainError(
            "circulation.unknown_material_type",
            _("Unknown material type."),
            field="material_type",
        )
    if "fine_cap" in cleaned and cleaned["fine_cap"] in ("",):
        cleaned["fine_cap"] = None
    if "loan_days" in cleaned and (cleaned["loan_days"] is None or cleaned["loan_days"] < 1):
        raise DomainError(
            "circulation.loan_days_min",
            _("A loan lasts at least one day."),
            field="loan_days",
        )
    for key in ("max_loans", "max_renewals", "fine_per_day", "grace_days", "max_holds"):
        if key in cleaned and (cleaned[key] is None or cleaned[key] < 0):
            raise DomainError(
                "circulation.negative_value", _("Values cannot be negative."), field=key
            )
    return cleaned


def _rule_snapshot(rule: LoanRule) -> dict[str, Any]:
    return {
        field: (
            getattr(rule, f"{field}_id")
            if field in ("category", "branch")
            else getattr(rule, field)
        )
        for field in LOAN_RULE_FIELDS
    }


def _is_default(rule: LoanRule) -> bool:
    return rule.branch_id is None and rule.category_id is None and rule.material_type == ""


@transaction.atomic
def save_loan_rule(*, rule: LoanRule | None = None, data: dict[str, Any], by: Any) -> LoanRule:
    """Create a loan rule or change one; one rule per category × material type × branch.

    The library default (every axis empty) keeps its axes: every loan must find a rule.
    """
    cleaned = _clean_rule_data(data)
    before = _rule_snapshot(rule) if rule is not None else None
    if rule is None:
        rule = LoanRule()
    else:
        rule = LoanRule.objects.select_for_update().get(pk=rule.pk)
        if _is_default(rule) and any(
            cleaned.get(axis) not in (None, "")
            for axis in ("category", "material_type", "branch")
            if axis in cleaned
        ):
            raise DomainError(
                "circulation.default_rule_axes",
                _("The library default rule applies to everyone; add a new rule instead."),
            )
    for key, value in cleaned.items():
        setattr(rule, key, value)
    clash = LoanRule.objects.filter(
        category=rule.category_id, material_type=rule.material_type, branch=rule.branch_id
    ).exclude(pk=rule.pk)
    if clash.exists():
        raise DomainError(
            "circulation.duplicate_rule",
            _("A rule for this member category, material type and branch already exists."),
            rule=clash.first().pk,
        )
    rule.save()
    after = _rule_snapshot(rule)
    record_audit(
        by=by,
        action="circulation.save_loan_rule",
        target=rule,
        data={"before": before, "after": after},
    )
    return rule


@transaction.atomic
def delete_loan_rule(*, rule: LoanRule, by: Any) -> None:
    """Remove a rule; loans already made keep their due dates and fine terms."""
    rule = LoanRule.objects.select_for_update().get(pk=rule.pk)
    if _is_default(rule):
        raise DomainError(
            "circulation.default_rule_required",
            _("The library default rule cannot be deleted; change it instead."),
        )
    record_audit(
        by=by, action="circulation.delete_loan_rule", target=rule, data=_rule_snapshot(rule)
    )
    rule.delete()


@transaction.atomic
def update_circulation_settings(*, data: dict[str, Any], by: Any) -> CirculationSettings:
    """Change the library-wide circulation settings; the change is audited."""
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(
            "circulation.unknown_field",
            _("Unknown setting: %(field)s.") % {"field": sorted(unknown)[0]},
            field=sorted(unknown)[0],
        )
    settings = selectors.circulation_settings()
    settings = CirculationSettings.objects.select_for_update().get(pk=settings.pk)
    cleaned = dict(data)
    if "overdue_notice_days" in cleaned:
        days = policies.parse_notice_days(str(cleaned["overdue_notice_days"]))
        cleaned["overdue_notice_days"] = ",".join(str(day) for day in days)
    for key in ("fine_limit", "hold_pickup_days", "due_soon_days"):
        if key in cleaned and (cleaned[key] is None or int(cleaned[key]) < 0):
            raise DomainError(
                "circulation.negative_value", _("Values cannot be negative."), field=key
            )
    changed = {}
    for key, value in cleaned.items():
        if getattr(settings, key) != value:
            changed[key] = [getattr(settings, key), value]
            setattr(settings, key, value)
    if changed:
        settings.save()
        record_audit(
            by=by, action="circulation.update_settings", target=settings, data={"changed": changed}
        )
    return settings
