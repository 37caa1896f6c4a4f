"""Lending, returning, receiving from transit and renewing."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from serambi.catalog.models import Item
from serambi.catalog.services import set_circulation_status
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members.models import Member

from .. import notices, policies, selectors
from ..calendar import Calendars
from ..models import Channel, CirculationSettings, Hold, Loan
from ..policies import long_date
from ..types import CheckinResult
from ._common import (
    UNAVAILABLE_STATUSES,
    _audit_staff,
    _check_overrides,
    _fulfil,
    _late_fine,
    _lock_item,
    _lock_member,
    _make_ready,
    _member_blocks,
    _now,
    _person,
    _release_trapped_hold,
    _route_copy,
    _set_status,
    _today,
    _trapped_hold,
)

# --- checkout ----------------------------------------------------------------------------------


def _item_blocks(item: Item, member: Member) -> None:
    """Refuse a copy that cannot be lent at all (not overridable)."""
    if not item.is_loanable:
        raise DomainError(
            "circulation.item_not_loanable",
            _("The item %(barcode)s is for use in the library only.") % {"barcode": item.barcode},
            barcode=item.barcode,
        )
    if item.status in UNAVAILABLE_STATUSES:
        raise DomainError(
            "circulation.item_unavailable",
            _("The item %(barcode)s is recorded as “%(status)s” and cannot be lent.")
            % {"barcode": item.barcode, "status": item.get_status_display()},
            barcode=item.barcode,
            status=item.status,
        )
    open_loan = (
        Loan.objects.filter(item=item, status=Loan.Status.ON_LOAN).only("member", "due_on").first()
    )
    if open_loan is not None:
        if open_loan.member_id == member.pk:
            raise DomainError(
                "circulation.already_on_loan_to_member",
                _("This member already has the item %(barcode)s, due on %(date)s.")
                % {"barcode": item.barcode, "date": long_date(open_loan.due_on)},
                barcode=item.barcode,
                due_on=open_loan.due_on.isoformat(),
            )
        raise _item_on_loan(item, open_loan.due_on)


def _item_on_loan(item: Item, due_on: datetime.date | None) -> DomainError:
    if due_on is None:
        message = _("The item %(barcode)s is on loan to someone else.") % {"barcode": item.barcode}
    else:
        message = _("The item %(barcode)s is on loan to someone else until %(date)s.") % {
            "barcode": item.barcode,
            "date": long_date(due_on),
        }
    return DomainError(
        "circulation.item_on_loan",
        message,
        barcode=item.barcode,
        due_on=due_on.isoformat() if due_on else None,
    )


@transaction.atomic
def checkout(
    *,
    item: Item,
    member: Member,
    by: Any,
    branch: Branch | None = None,
    channel: str = Channel.DESK,
    override_reason: str = "",
    now: datetime.datetime | None = None,
) -> Loan:
    """Lend a copy to a member at ``branch`` (the desk's branch; the copy's own by default).

    Refuses with the blocks listed in docs/circulation-contract.md; a copy set
    aside for this member fulfils their hold, one set aside for someone else
    is refused (overridable: the other hold goes back to the queue, or is
    cancelled when it was already on the hold shelf).
    """
    now = _now(now)
    today = _today(now)
    item = _lock_item(item)
    member = _lock_member(member)
    branch = branch or item.branch
    settings = selectors.circulation_settings()

    status_blocks = policies.member_status_blocks(
        status=member.status, expires_on=member.expires_on, today=today
    )
    hard = [block for block in status_blocks if not policies.overridable(block)]
    if hard:
        raise hard[0]
    _item_blocks(item, member)

    blocks: list[DomainError] = list(status_blocks)
    rule = selectors.loan_rule_for(member, item, branch)
    open_count = Loan.objects.filter(member=member, status=Loan.Status.ON_LOAN).count()
    too_many = policies.too_many_loans_block(open_loans=open_count, max_loans=rule.max_loans)
    if too_many is not None:
        blocks.append(too_many)
    blocks += [
        block
        for block in _member_blocks(member, today=today, settings=settings)
        if block.code in ("circulation.fines_over_limit", "circulation.has_overdue")
    ]

    trapped = _trapped_hold(item)
    own_hold: Hold | None = None
    if trapped is not None and trapped.member_id == member.pk:
        own_hold = trapped
    elif trapped is not None:
        where = trapped.pickup_branch.name
        blocks.append(
            DomainError(
                "circulation.item_on_hold_for_other",
                _("The item %(barcode)s is set aside for another member's hold (at %(branch)s).")
                % {"barcode": item.barcode, "branch": where},
                overridable=True,
                barcode=item.barcode,
            )
        )
    _check_overrides(blocks, override_reason=override_reason, by=by, target=item, act="checkout")

    if trapped is not None and own_hold is None:
        _release_trapped_hold(
            trapped, now=now, reason=_("The copy was lent to another member by staff override.")
        )
    if own_hold is None:
        # A member borrowing a title they were waiting for collects their hold.
        own_hold = (
            Hold.objects.select_for_update(of=("self",))
            .filter(member=member, record_id=item.record_id, status=Hold.Status.WAITING)
            .filter(Q(is_item_hold=False) | Q(item=item))
            .first()
        )
    if own_hold is not None:
        _fulfil(own_hold, item, now)

    calendars = Calendars()
    expired = any(block.code == "circulation.member_expired" for block in status_blocks)
    due_on = policies.due_date(
        start=today,
        loan_days=rule.loan_days,
        is_open=calendars[branch].is_open,
        expires_on=None if expired else member.expires_on,
    )
    loan = Loan(
        item=item,
        member=member,
        member_category=member.category.code,
        branch=branch,
        checked_out_at=now,
        due_on=due_on,
        fine_per_day=rule.fine_per_day,
        fine_cap=rule.fine_cap,
        grace_days=rule.grace_days,
        channel=channel,
        checked_out_by=_person(by),
    )
    try:
        with transaction.atomic():
            loan.save()
    except IntegrityError as error:
        # Another desk lent this copy a moment ago: the constraint settled the race.
        raise _item_on_loan(item, None) from error
    set_circulation_status(item=item, status=Item.Status.ON_LOAN)
    _audit_staff(
        by,
        "circulation.checkout",
        item,
        {"loan": loan.pk, "member": member.pk, "branch": branch.code, "due_on": due_on.isoformat()},
    )
    notices.checkout_receipt(loan)
    return loan


# --- checkin -------------------------------------------------------------------------------------


def _not_on_loan(item: Item) -> DomainError:
    return DomainError(
        "circulation.not_on_loan",
        _("The item %(barcode)s is not on loan (it is “%(status)s”).")
        % {"barcode": item.barcode, "status": item.get_status_display()},
        barcode=item.barcode,
        status=item.status,
    )


@transaction.atomic
def checkin(
    *,
    item: Item,
    by: Any,
    branch: Branch | None = None,
    channel: str = Channel.DESK,
    now: datetime.datetime | None = None,
) -> CheckinResult:
    """Take a copy back at ``branch`` and say where it goes next.

    A loan is closed (a late fine charged, the borrower forgotten unless they
    keep their reading history) and the copy is set aside for the next hold:
    on the hold shelf here, or in transit to the pickup branch; with no hold
    it is available. Scanning a copy that is not out works for the hold
    workflow too: one in transit to this branch is received, one pulled from
    the shelf for a waiting hold is trapped. Anything else is
    ``circulation.not_on_loan``.
    """
    now = _now(now)
    today = _today(now)
    item = _lock_item(item)
    branch = branch or item.branch
    settings = selectors.circulation_settings()
    calendars = Calendars()

    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "branch")
        .filter(item=item, status=Loan.Status.ON_LOAN)
        .first()
    )
    if loan is None and item.status == Item.Status.LOST:
        # A copy declared lost turns up: its loan is closed, the charge stays.
        loan = (
            Loan.objects.select_for_update(of=("self",))
            .select_related("member", "member__user", "branch")
            .filter(item=item, status=Loan.Status.LOST)
            .order_by("-checked_out_at", "-id")
            .first()
        )
    if loan is None:
        return _checkin_copy_not_out(
            item, branch=branch, by=by, now=now, settings=settings, calendars=calendars
        )

    member = loan.member
    fine = None
    if loan.status == Loan.Status.ON_LOAN:
        fine = _late_fine(loan, today=today, calendars=calendars, settings=settings)
    was_lost = loan.status == Loan.Status.LOST
    _set_status(loan, Loan.Status.RETURNED)
    loan.returned_at = now
    loan.return_branch = branch
    loan.returned_by = _person(by)
    if member is not None and not member.keep_reading_history:
        loan.member = None
    loan.save(
        update_fields=[
            "status",
            "returned_at",
            "return_branch",
            "returned_by",
            "member",
            "updated_at",
        ]
    )
    hold = _route_copy(item, at_branch=branch, now=now, settings=settings, calendars=calendars)
    _audit_staff(
        by,
        "circulation.checkin",
        item,
        {
            "loan": loan.pk,
            "branch": branch.code,
            "fine": fine.amount if fine else 0,
            "was_lost": was_lost,
            "hold": hold.pk if hold else None,
        },
    )
    if member is not None:
        notices.checkin_receipt(loan, member=member, fine=fine, returned_on=today)
    return CheckinResult(
        item=item,
        item_status=item.status,
        loan=loan,
        fine=fine,
        hold=hold,
        in_transit_to=hold.pickup_branch
        if hold and item.status == Item.Status.IN_TRANSIT
        else None,
        member=member,
    )


def _checkin_copy_not_out(
    item: Item,
    *,
    branch: Branch,
    by: Any,
    now: datetime.datetime,
    settings: CirculationSettings,
    calendars: Calendars,
) -> CheckinResult:
    trapped = _trapped_hold(item)
    if item.status == Item.Status.IN_TRANSIT:
        if trapped is not None and trapped.status == Hold.Status.IN_TRANSIT:
            if trapped.pickup_branch_id == branch.pk:
                hold = _receive(trapped, item, now=now, settings=settings, calendars=calendars)
                _audit_staff(
                    by,
                    "circulation.receive_transit",
                    item,
                    {"hold": hold.pk, "branch": branch.code},
                )
                return CheckinResult(item=item, item_status=item.status, hold=hold)
            # Passing through another branch: it still goes on to the pickup branch.
            return CheckinResult(
                item=item,
                item_status=item.status,
                hold=trapped,
                in_transit_to=trapped.pickup_branch,
            )
        # In transit with no hold (a cancelled hold's copy): it is home now.
        hold = _route_copy(item, at_branch=branch, now=now, settings=settings, calendars=calendars)
        _audit_staff(by, "circulation.checkin", item, {"branch": branch.code, "hold": None})
        return _result_for_routed(item, hold)
    if item.status == Item.Status.AVAILABLE and trapped is None:
        # Pulled from the shelf for the pull list: set it aside for the hold.
        hold = _route_copy(item, at_branch=branch, now=now, settings=settings, calendars=calendars)
        if hold is None:
            raise _not_on_loan(item)
        _audit_staff(by, "circulation.trap_hold", item, {"hold": hold.pk, "branch": branch.code})
        return _result_for_routed(item, hold)
    raise _not_on_loan(item)


def _result_for_routed(item: Item, hold: Hold | None) -> CheckinResult:
    return CheckinResult(
        item=item,
        item_status=item.status,
        hold=hold,
        in_transit_to=hold.pickup_branch
        if hold and item.status == Item.Status.IN_TRANSIT
        else None,
    )


@transaction.atomic
def trap_hold_from_shelf(
    *, item: Item, by: Any, branch: Branch | None = None, now: datetime.datetime | None = None
) -> Hold:
    """Set an available copy (fetched for the pull list) aside for the next waiting hold."""
    result = checkin(item=item, by=by, branch=branch, now=now)
    if result.hold is None:
        raise DomainError(
            "circulation.no_waiting_hold",
            _("Nobody is waiting for the item %(barcode)s.") % {"barcode": item.barcode},
            barcode=item.barcode,
        )
    return result.hold


# --- transit -------------------------------------------------------------------------------------


def _receive(
    hold: Hold,
    item: Item,
    *,
    now: datetime.datetime,
    settings: CirculationSettings,
    calendars: Calendars,
) -> Hold:
    _make_ready(hold, item, now=now, settings=settings, calendars=calendars)
    return hold


@transaction.atomic
def receive_transit(
    *, item: Item, branch: Branch, by: Any, now: datetime.datetime | None = None
) -> Hold:
    """A copy on its way for a hold arrives at the pickup branch: on the hold shelf, member told."""
    now = _now(now)
    item = _lock_item(item)
    hold = _trapped_hold(item)
    if hold is None or hold.status != Hold.Status.IN_TRANSIT:
        raise DomainError(
            "circulation.not_in_transit",
            _("The item %(barcode)s is not on its way for a hold.") % {"barcode": item.barcode},
            barcode=item.barcode,
        )
    if hold.pickup_branch_id != branch.pk:
        raise DomainError(
            "circulation.transit_elsewhere",
            _("The item %(barcode)s is on its way to %(branch)s, not here.")
            % {"barcode": item.barcode, "branch": hold.pickup_branch.name},
            barcode=item.barcode,
            branch=hold.pickup_branch.code,
        )
    settings = selectors.circulation_settings()
    _receive(hold, item, now=now, settings=settings, calendars=Calendars())
    _audit_staff(by, "circulation.receive_transit", item, {"hold": hold.pk, "branch": branch.code})
    return hold


# --- renew ---------------------------------------------------------------------------------------


@transaction.atomic
def renew(
    *,
    loan: Loan,
    by: Any,
    channel: str = Channel.DESK,
    override_reason: str = "",
    now: datetime.datetime | None = None,
) -> Loan:
    """Lend the copy again from today, with the rule's loan period and the branch's calendar.

    Refused at the rule's renewal limit, while someone waits for the title and
    while the member is blocked (expired, suspended, fines over the limit).
    An overdue loan may be renewed; the late fine run up so far is charged
    then (as Koha does), and the new period counts from today.
    """
    now = _now(now)
    today = _today(now)
    item = _lock_item(loan.item)
    loan = Loan.objects.select_for_update(of=("self",)).select_related("branch").get(pk=loan.pk)
    if loan.status != Loan.Status.ON_LOAN or loan.member_id is None:
        raise _not_on_loan(item)
    member = _lock_member(loan.member)
    loan.member = member
    loan.item = item
    settings = selectors.circulation_settings()
    rule = selectors.loan_rule_for(member, item, loan.branch)

    blocks = [
        block
        for block in _member_blocks(member, today=today, settings=settings)
        if block.code != "circulation.has_overdue"
    ]
    blocks += policies.renewal_blocks(
        renewals=loan.renewals,
        max_renewals=rule.max_renewals,
        waiting=selectors.waiting_holds_for_copy(item).count(),
    )
    _check_overrides(blocks, override_reason=override_reason, by=by, target=item, act="renew")

    calendars = Calendars()
    fine = _late_fine(loan, today=today, calendars=calendars, settings=settings)
    old_due = loan.due_on
    new_due = policies.due_date(
        start=today,
        loan_days=rule.loan_days,
        is_open=calendars[loan.branch_id].is_open,
        expires_on=member.expires_on if not member.is_expired_on(today) else None,
    )
    loan.due_on = max(new_due, old_due)
    loan.renewals += 1
    loan.save(update_fields=["due_on", "renewals", "updated_at"])
    _audit_staff(
        by,
        "circulation.renew",
        item,
        {
            "loan": loan.pk,
            "due_on": [old_due.isoformat(), loan.due_on.isoformat()],
            "fine": fine.amount if fine else 0,
            "channel": channel,
        },
    )
    return loan
