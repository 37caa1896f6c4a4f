"""The library's circulation rules as small pure functions: no database, no clock.

Services and selectors feed them facts (dates, counts, amounts, a calendar's
``is_open``) and act on the answer, so the rules read in one place and are
tested without a database.
"""

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError

if TYPE_CHECKING:
    from .models import LoanRule

IsOpen = Callable[[datetime.date], bool]
ONE_DAY = datetime.timedelta(days=1)
# How far a search for an open day looks before it gives up: a branch closed
# for more than a year is a data problem, not a reason to loop forever.
SEARCH_LIMIT_DAYS = 366


def rupiah(amount: int) -> str:
    """Money as people read it on a receipt: "Rp 12.500" (a dot between thousands)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def long_date(day: datetime.date) -> str:
    """A date in the active language: "3 Maret 2026" / "3 March 2026"."""
    return date_format(day, "j F Y")


def next_open_day(day: datetime.date, is_open: IsOpen) -> datetime.date:
    """``day`` itself when open, else the first open day after it."""
    candidate = day
    for _step in range(SEARCH_LIMIT_DAYS):
        if is_open(candidate):
            return candidate
        candidate += ONE_DAY
    return day


def last_open_day_on_or_before(
    day: datetime.date, is_open: IsOpen, *, not_before: datetime.date
) -> datetime.date:
    """The last open day in ``[not_before, day]``; ``day`` when none is open."""
    candidate = day
    while candidate >= not_before:
        if is_open(candidate):
            return candidate
        candidate -= ONE_DAY
    return day


def due_date(
    *,
    start: datetime.date,
    loan_days: int,
    is_open: IsOpen,
    expires_on: datetime.date | None,
) -> datetime.date:
    """``start + loan_days`` moved forward to the next open day, never past the card's expiry.

    Capped at ``expires_on``, the loan is due on the last open day on or before
    the expiry (not before ``start``). A card that has already expired (a
    checkout the desk overrode) does not cap the date: the loan would be due
    the day it was lent.
    """
    due = next_open_day(start + datetime.timedelta(days=loan_days), is_open)
    if expires_on is not None and start <= expires_on < due:
        due = last_open_day_on_or_before(expires_on, is_open, not_before=start)
    return due


def pickup_deadline(*, start: datetime.date, days: int, is_open: IsOpen) -> datetime.date:
    """The last day to collect a hold: the ``days``-th day the branch is open after ``start``.

    Closed days do not eat into the time a member has to come by.
    """
    day = start
    counted = 0
    for _step in range(SEARCH_LIMIT_DAYS):
        if counted >= days:
            return day
        day += ONE_DAY
        if is_open(day):
            counted += 1
    return start + datetime.timedelta(days=days)


def late_days(
    *,
    due_on: datetime.date,
    returned_on: datetime.date,
    is_open: IsOpen,
    open_days_only: bool,
) -> int:
    """Days after ``due_on`` up to and including ``returned_on``; only open days if asked."""
    if returned_on <= due_on:
        return 0
    if not open_days_only:
        return (returned_on - due_on).days
    day = due_on + ONE_DAY
    count = 0
    while day <= returned_on:
        if is_open(day):
            count += 1
        day += ONE_DAY
    return count


def fine_for(*, late_days: int, per_day: int, grace_days: int, cap: int | None) -> int:
    """The late fine in rupiah: nothing within the grace days, past them every late day counts."""
    if late_days <= grace_days or per_day <= 0:
        return 0
    amount = late_days * per_day
    if cap is not None:
        amount = min(amount, cap)
    return max(amount, 0)


def rule_matches(
    rule: "LoanRule", *, category_id: int | None, material_type: str, branch_id: int | None
) -> bool:
    return (
        (rule.category_id is None or rule.category_id == category_id)
        and (rule.material_type in ("", material_type))
        and (rule.branch_id is None or rule.branch_id == branch_id)
    )


def pick_rule(
    rules: Iterable["LoanRule"],
    *,
    category_id: int | None,
    material_type: str,
    branch_id: int | None,
) -> "LoanRule":
    """The most specific matching rule (branch 4, category 2, material type 1).

    Two rules for the same axes (which the staff page refuses) are settled by
    the older one, so the answer never depends on the database's row order.
    """
    matching = [
        rule
        for rule in rules
        if rule_matches(
            rule, category_id=category_id, material_type=material_type, branch_id=branch_id
        )
    ]
    if not matching:
        raise DomainError(
            "circulation.no_loan_rule",
            _("No loan rule applies; the library default rule is missing."),
        )
    return min(matching, key=lambda rule: (-rule.specificity, rule.pk or 0))


def parse_notice_days(value: str) -> list[int]:
    """ "1,7,14" -> [1, 7, 14]; DomainError for anything but positive whole days."""
    days: set[int] = set()
    for part in value.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise DomainError(
                "circulation.bad_notice_days",
                _("Overdue notice days must be whole days of 1 or more, e.g. 1,7,14."),
                value=value,
            )
        days.add(int(part))
    return sorted(days)


def overdue_level(*, days_overdue: int, notice_days: Iterable[int]) -> int | None:
    """The latest notice step reached: with steps 1,7,14 a loan 9 days late is at step 7."""
    reached = [day for day in notice_days if day <= days_overdue]
    return max(reached) if reached else None


def check_transition(
    transitions: dict[str, frozenset[str]], current: str, new: str, *, what: str
) -> None:
    """Refuse a status change the model's TRANSITIONS table does not allow."""
    if new not in transitions.get(current, frozenset()):
        raise DomainError(
            "circulation.illegal_transition",
            _("A %(what)s cannot go from “%(current)s” to “%(new)s”.")
            % {"what": what, "current": current, "new": new},
            current=current,
            new=new,
        )


# --- blocks on a member ------------------------------------------------------------------


def overridable(error: DomainError) -> bool:
    return bool(error.data.get("overridable"))


def member_status_blocks(
    *, status: str, expires_on: datetime.date | None, today: datetime.date
) -> list[DomainError]:
    """Why a member's card stops them borrowing, renewing or holding, as DomainErrors.

    A card whose expiry date has passed counts as expired even before a
    sweep changes its status.
    """
    from serambi.members.models import Member

    blocks: list[DomainError] = []
    if status == Member.Status.PENDING:
        blocks.append(
            DomainError(
                "circulation.member_pending",
                _("This membership is waiting for verification; bring an identity card."),
            )
        )
    elif status == Member.Status.SUSPENDED:
        blocks.append(
            DomainError("circulation.member_suspended", _("This membership is suspended."))
        )
    if status == Member.Status.EXPIRED or (expires_on is not None and expires_on < today):
        if expires_on is not None:
            message = _("The card expired on %(date)s.") % {"date": long_date(expires_on)}
        else:
            message = _("The card has expired.")
        blocks.append(
            DomainError(
                "circulation.member_expired",
                message,
                overridable=True,
                expires_on=expires_on.isoformat() if expires_on else None,
            )
        )
    return blocks


def account_blocks(
    *,
    unpaid: int,
    fine_limit: int,
    overdue_count: int,
    first_overdue_due_on: datetime.date | None,
    block_when_overdue: bool,
) -> list[DomainError]:
    """Blocks from the member's account: fines over the limit, items overdue."""
    blocks: list[DomainError] = []
    if fine_limit > 0 and unpaid >= fine_limit:
        blocks.append(
            DomainError(
                "circulation.fines_over_limit",
                _("Unpaid fines of %(amount)s reach the limit of %(limit)s.")
                % {"amount": rupiah(unpaid), "limit": rupiah(fine_limit)},
                overridable=True,
                unpaid=unpaid,
                limit=fine_limit,
            )
        )
    if block_when_overdue and overdue_count > 0:
        when = long_date(first_overdue_due_on) if first_overdue_due_on else ""
        blocks.append(
            DomainError(
                "circulation.has_overdue",
                _("%(count)s item(s) overdue, the first due on %(date)s.")
                % {"count": overdue_count, "date": when},
                overridable=True,
                count=overdue_count,
            )
        )
    return blocks


def too_many_loans_block(*, open_loans: int, max_loans: int) -> DomainError | None:
    if open_loans < max_loans:
        return None
    return DomainError(
        "circulation.too_many_loans",
        _("%(count)s items on loan already; this member may borrow %(max)s at a time.")
        % {"count": open_loans, "max": max_loans},
        overridable=True,
        count=open_loans,
        max=max_loans,
    )


def error_summary(errors: Iterable[DomainError]) -> list[dict[str, Any]]:
    """JSON-safe form of a list of blocks, for the API and the audit log."""
    return [error.as_dict() for error in errors]


def renewal_blocks(*, renewals: int, max_renewals: int, waiting: int) -> list[DomainError]:
    """Why a loan may not be renewed, beside the member's own blocks (both overridable)."""
    blocks: list[DomainError] = []
    if renewals >= max_renewals:
        blocks.append(
            DomainError(
                "circulation.max_renewals",
                _("Already renewed %(count)s time(s); the limit is %(max)s.")
                % {"count": renewals, "max": max_renewals},
                overridable=True,
                count=renewals,
                max=max_renewals,
            )
        )
    if waiting > 0:
        blocks.append(
            DomainError(
                "circulation.others_waiting",
                _("%(count)s other member(s) are waiting for this title.") % {"count": waiting},
                overridable=True,
                count=waiting,
            )
        )
    return blocks
