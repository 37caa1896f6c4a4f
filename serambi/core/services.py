import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import AuditEntry, Branch, ClosedDay, OpeningHours


def record_audit(
    *, by: Any, action: str, target: models.Model | None = None, data: dict | None = None
) -> AuditEntry:
    """Write one audit entry; called inside the service's own transaction."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        data=data or {},
    )


@transaction.atomic
def create_branch(
    *,
    code: str,
    name: str,
    kind: str = Branch.Kind.BRANCH,
    address: str = "",
    phone: str = "",
    email: str = "",
    by: Any,
) -> Branch:
    """Open a new service point (central library, branch, mobile unit or school corner)."""
    if kind not in Branch.Kind.values:
        raise DomainError("core.unknown_branch_kind", _("Unknown kind of branch."), kind=kind)
    if Branch.objects.filter(code=code).exists():
        raise DomainError(
            "core.branch_code_taken",
            _("A branch with the code %(code)s already exists.") % {"code": code},
            branch_code=code,
        )
    branch = Branch.objects.create(
        code=code, name=name, kind=kind, address=address, phone=phone, email=email
    )
    record_audit(by=by, action="core.create_branch", target=branch, data={"kind": kind})
    return branch


OpeningPeriod = tuple[int, datetime.time, datetime.time]


def _check_periods(periods: list[OpeningPeriod]) -> None:
    by_weekday: dict[int, list[OpeningPeriod]] = {}
    for weekday, opens, closes in periods:
        if weekday not in OpeningHours.Weekday.values:
            raise DomainError("core.bad_weekday", _("A weekday must be 0 (Monday) to 6 (Sunday)."))
        if opens >= closes:
            raise DomainError(
                "core.opens_after_closes",
                _("Opening time %(opens)s is not before closing time %(closes)s.")
                % {"opens": f"{opens:%H.%M}", "closes": f"{closes:%H.%M}"},
                weekday=weekday,
            )
        by_weekday.setdefault(weekday, []).append((weekday, opens, closes))
    for weekday, day_periods in by_weekday.items():
        day_periods.sort(key=lambda period: period[1])
        for earlier, later in zip(day_periods, day_periods[1:], strict=False):
            if later[1] < earlier[2]:
                raise DomainError(
                    "core.overlapping_hours",
                    _("Two opening periods on the same day overlap."),
                    weekday=weekday,
                )


@transaction.atomic
def set_opening_hours(
    *, branch: Branch, periods: Iterable[OpeningPeriod], by: Any
) -> list[OpeningHours]:
    """Replace the branch's weekly opening hours with ``periods`` (weekday, opens, closes).

    A day may have several periods (a Friday prayer break); a weekday with
    no period is a day the branch is closed.
    """
    wanted = sorted(periods)
    _check_periods(wanted)
    before = [
        [period.weekday, f"{period.opens:%H:%M}", f"{period.closes:%H:%M}"]
        for period in branch.opening_hours.all()
    ]
    branch.opening_hours.all().delete()
    created = OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in wanted
    )
    after = [[weekday, f"{opens:%H:%M}", f"{closes:%H:%M}"] for weekday, opens, closes in wanted]
    record_audit(
        by=by,
        action="core.set_opening_hours",
        target=branch,
        data={"before": before, "after": after},
    )
    return created


@transaction.atomic
def add_closed_day(
    *, date: datetime.date, reason: str, branch: Branch | None = None, by: Any
) -> ClosedDay:
    """Close one branch, or with no branch the whole library, on ``date`` (a holiday)."""
    if ClosedDay.objects.filter(branch=branch, date=date).exists():
        raise DomainError(
            "core.closed_day_exists",
            _("%(date)s is already a closed day.") % {"date": date.isoformat()},
            date=date.isoformat(),
        )
    closed_day = ClosedDay.objects.create(branch=branch, date=date, reason=reason)
    record_audit(
        by=by,
        action="core.add_closed_day",
        target=closed_day,
        data={"date": date.isoformat(), "branch": branch.code if branch else None},
    )
    return closed_day
