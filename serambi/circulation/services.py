"""Every circulation act: lending, returning, renewing, holds, fines, rules and settings.

The desk, the patron pages, the API, the SIP2 server and the background
sweeps call these functions, so the library's rules hold whichever door a
request comes through. Each act runs in one transaction that locks the rows
it decides on (the copy first, then the loan, the member, the holds: always
in that order, so two acts never wait on each other), checks the rules in
``policies`` and refuses with a ``DomainError`` whose message names the
concrete fact. Staff acts are written to the audit log; notices are queued
in the same transaction and sent after it commits.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.catalog.models import Item, MaterialType, Record
from serambi.catalog.services import set_circulation_status
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit
from serambi.members.models import Member, MemberCategory

from . import notices, policies, selectors
from .calendar import Calendars
from .models import Channel, CirculationSettings, Fine, Hold, Loan, LoanRule, Payment
from .policies import long_date, rupiah
from .types import CheckinResult

# What a lost copy costs when the catalogue has no price for it: roughly a new
# paperback in Indonesia, so the library can buy a replacement. Staff may
# waive part of it when the member brings a copy of their own.
DEFAULT_REPLACEMENT_CHARGE = 50_000

OVERRIDE_PERMISSION = "circulation.override_block"
WAIVE_PERMISSION = "circulation.waive_fine"

# Copies that are not on the shelf and may not be lent whatever the rules say.
UNAVAILABLE_STATUSES = frozenset(
    {
        Item.Status.LOST,
        Item.Status.MISSING,
        Item.Status.WITHDRAWN,
        Item.Status.IN_PROCESSING,
        Item.Status.DAMAGED,
    }
)
# Copies that no hold can be filled from (a damaged copy may still be mended).
UNHOLDABLE_STATUSES = frozenset({Item.Status.LOST, Item.Status.MISSING, Item.Status.WITHDRAWN})

LOAN_RULE_FIELDS = (
    "category",
    "material_type",
    "branch",
    "loan_days",
    "max_loans",
    "max_renewals",
    "fine_per_day",
    "fine_cap",
    "grace_days",
    "holds_allowed",
    "max_holds",
)
SETTINGS_FIELDS = (
    "fines_count_open_days_only",
    "fine_limit",
    "block_when_overdue",
    "hold_pickup_days",
    "due_soon_days",
    "overdue_notice_days",
)


# --- helpers ---------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _person(by: Any) -> Any:
    """The actor to store on a row: a signed-in user, or None for the system."""
    return by if getattr(by, "is_authenticated", False) else None


def _is_staff_actor(by: Any) -> bool:
    return bool(_person(by)) and bool(getattr(by, "is_staff", False))


def _has_perm(by: Any, perm: str) -> bool:
    return bool(_person(by)) and by.has_perm(perm)


def _set_status(obj: Loan | Hold, new: str) -> None:
    """Move a loan or hold along its model's TRANSITIONS table, refusing any other move."""
    what = obj._meta.verbose_name
    policies.check_transition(type(obj).TRANSITIONS, obj.status, new, what=str(what))
    obj.status = new


def _lock_item(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "branch")
        .get(pk=item.pk)
    )


def _lock_member(member: Member) -> Member:
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("category", "user")
        .get(pk=member.pk)
    )


def _audit_staff(by: Any, action: str, target: Any, data: dict) -> None:
    if _is_staff_actor(by):
        record_audit(by=by, action=action, target=target, data=data)


def _check_overrides(
    blocks: list[DomainError], *, override_reason: str, by: Any, target: Any, act: str
) -> None:
    """Raise the first block unless every one is overridable and staff overrode it with a reason.

    An override is audited ("circulation.override") with the codes it set aside.
    """
    if not blocks:
        return
    hard = [block for block in blocks if not policies.overridable(block)]
    if hard:
        raise hard[0]
    reason = override_reason.strip()
    if not reason or not _has_perm(by, OVERRIDE_PERMISSION):
        first = blocks[0]
        first.data["blocks"] = [block.code for block in blocks]
        if reason:
            first.data["override_denied"] = True
        raise first
    record_audit(
        by=by,
        action="circulation.override",
        target=target,
        data={"act": act, "codes": [block.code for block in blocks], "reason": reason[:300]},
    )


def _member_blocks(
    member: Member, *, today: datetime.date, settings: CirculationSettings
) -> list[DomainError]:
    return selectors.member_blocks(member, today=today, settings=settings)


def _charge(
    *,
    member: Member,
    kind: str,
    amount: int,
    description: str,
    loan: Loan | None = None,
    item: Item | None = None,
    by: Any = None,
) -> Fine:
    return Fine.objects.create(
        member=member,
        loan=loan,
        item=item,
        kind=kind,
        amount=amount,
        description=description[:300],
        created_by=_person(by),
    )


def _late_fine(
    loan: Loan, *, today: datetime.date, calendars: Calendars, settings: CirculationSettings
) -> Fine | None:
    """Charge the late fine a loan has run up to ``today`` (less what was charged on it before)."""
    if loan.member_id is None:
        return None
    days, amount = selectors.accruing_fine(
        loan,
        today=today,
        calendars=calendars,
        settings=settings,
        already_charged=selectors.overdue_fines_charged(loan),
    )
    if amount <= 0:
        return None
    description = _("%(days)s day(s) late, due %(date)s") % {
        "days": days,
        "date": loan.due_on.isoformat(),
    }
    return _charge(
        member=loan.member,
        kind=Fine.Kind.OVERDUE,
        amount=amount,
        description=description,
        loan=loan,
        item=loan.item,
    )


# --- trapping a copy for the next hold ----------------------------------------------------


def _next_hold_for(item: Item, *, exclude: Iterable[int] = ()) -> Hold | None:
    """The waiting hold this copy should go to: holds on this copy first, then the title queue."""
    return (
        selectors.waiting_holds_for_copy(item)
        .exclude(pk__in=list(exclude))
        .select_for_update(of=("self",))
        .select_related("member", "member__user", "pickup_branch", "record")
        .annotate(
            copy_first=Case(
                When(is_item_hold=True, item_id=item.pk, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("copy_first", "placed_at", "id")
        .first()
    )


def _make_ready(
    hold: Hold,
    item: Item,
    *,
    now: datetime.datetime,
    settings: CirculationSettings,
    calendars: Calendars,
) -> None:
    _set_status(hold, Hold.Status.READY)
    hold.item = item
    hold.trapped_at = hold.trapped_at or now
    hold.ready_at = now
    hold.pickup_by = policies.pickup_deadline(
        start=_today(now),
        days=settings.hold_pickup_days,
        is_open=calendars[hold.pickup_branch_id].is_open,
    )
    hold.save(update_fields=["status", "item", "trapped_at", "ready_at", "pickup_by", "updated_at"])
    set_circulation_status(item=item, status=Item.Status.ON_HOLD_SHELF)
    notices.hold_ready(hold)


def _route_copy(
    item: Item,
    *,
    at_branch: Branch | None,
    now: datetime.datetime,
    settings: CirculationSettings,
    calendars: Calendars,
    exclude: Iterable[int] = (),
) -> Hold | None:
    """Set a copy in hand aside for the next hold in line, or put it back on the shelf.

    ``at_branch`` is where the copy is; None when it is on its way somewhere
    (a cancelled hold's copy in transit): the next hold then waits for it to
    arrive. Returns the hold the copy went to.
    """
    hold = _next_hold_for(item, exclude=exclude)
    if hold is None:
        set_circulation_status(item=item, status=Item.Status.AVAILABLE)
        return None
    if at_branch is not None and hold.pickup_branch_id == at_branch.pk:
        _make_ready(hold, item, now=now, settings=settings, calendars=calendars)
    else:
        _set_status(hold, Hold.Status.IN_TRANSIT)
        hold.item = item
        hold.trapped_at = now
        hold.save(update_fields=["status", "item", "trapped_at", "updated_at"])
        set_circulation_status(item=item, status=Item.Status.IN_TRANSIT)
    return hold


def _trapped_hold(item: Item) -> Hold | None:
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "pickup_branch", "record")
        .filter(item=item, status__in=Hold.TRAPPED)
        .first()
    )


def _release_trapped_hold(hold: Hold, *, now: datetime.datetime, reason: str) -> None:
    """A trapped copy went elsewhere: a hold in transit goes back to its place in the queue;
    a ready hold (which may not go back, see Hold.TRANSITIONS) is cancelled with the reason."""
    if hold.status == Hold.Status.IN_TRANSIT:
        _set_status(hold, Hold.Status.WAITING)
        hold.item = hold.item if hold.is_item_hold else None
        hold.trapped_at = None
        hold.save(update_fields=["status", "item", "trapped_at", "updated_at"])
    else:
        _set_status(hold, Hold.Status.CANCELLED)
        hold.closed_at = now
        hold.cancel_reason = reason[:300]
        hold.save(update_fields=["status", "closed_at", "cancel_reason", "updated_at"])


def _fulfil(hold: Hold, item: Item, now: datetime.datetime) -> None:
    """The member collects: a waiting or in-transit hold passes through ready to fulfilled."""
    if hold.status != Hold.Status.READY:
        _set_status(hold, Hold.Status.READY)
        hold.ready_at = now
        hold.trapped_at = hold.trapped_at or now
    _set_status(hold, Hold.Status.FULFILLED)
    hold.item = item
    hold.closed_at = now
    hold.save(update_fields=["status", "item", "ready_at", "trapped_at", "closed_at", "updated_at"])


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


# --- holds ---------------------------------------------------------------------------------------


@transaction.atomic
def place_hold(
    *,
    record: Record,
    member: Member,
    pickup_branch: Branch,
    by: Any,
    item: Item | None = None,
    channel: str = Channel.PATRON,
    now: datetime.datetime | None = None,
) -> Hold:
    """Join the queue for a title (any copy) or, with ``item``, for one particular copy.

    The hold waits even when a copy is on the pickup branch's shelf: the
    branch fetches it through its pull list and scans it at the desk, which
    sets it aside (``checkin``).
    """
    now = _now(now)
    today = _today(now)
    member = _lock_member(member)
    record = Record.objects.get(pk=record.pk)
    for block in policies.member_status_blocks(
        status=member.status, expires_on=member.expires_on, today=today
    ):
        raise block
    if not pickup_branch.is_active:
        raise DomainError(
            "circulation.pickup_branch_closed",
            _("%(branch)s does not take holds.") % {"branch": pickup_branch.name},
        )

    copies = Item.objects.filter(record=record, is_loanable=True).exclude(
        status__in=UNHOLDABLE_STATUSES
    )
    if item is not None:
        if item.record_id != record.pk:
            raise DomainError(
                "circulation.invalid_item_for_record",
                _("The item %(barcode)s is a copy of another title.") % {"barcode": item.barcode},
            )
        copies = copies.filter(pk=item.pk)
    if not copies.exists():
        raise DomainError(
            "circulation.no_loanable_copies",
            _("“%(title)s” has no copy that can be lent.") % {"title": record.title[:100]},
            record=record.pk,
        )

    rule = selectors.loan_rule_for(member, None, pickup_branch, material_type=record.material_type)
    if not rule.holds_allowed:
        raise DomainError(
            "circulation.holds_not_allowed",
            _("Holds are not taken for this kind of material for this member."),
        )
    if Hold.objects.filter(member=member, record=record, status__in=Hold.ACTIVE).exists():
        raise _already_holding(record)
    active = Hold.objects.filter(member=member, status__in=Hold.ACTIVE).count()
    if active >= rule.max_holds:
        raise DomainError(
            "circulation.too_many_holds",
            _("%(count)s holds already; this member may have %(max)s at a time.")
            % {"count": active, "max": rule.max_holds},
            count=active,
            max=rule.max_holds,
        )
    if selectors.has_copy_on_loan(member, record):
        raise DomainError(
            "circulation.already_has_copy",
            _("This member already has a copy of “%(title)s” on loan.")
            % {"title": record.title[:100]},
            record=record.pk,
        )

    hold = Hold(
        record=record,
        item=item,
        is_item_hold=item is not None,
        member=member,
        pickup_branch=pickup_branch,
        placed_at=now,
        channel=channel,
        placed_by=_person(by),
    )
    try:
        with transaction.atomic():
            hold.save()
    except IntegrityError as error:
        raise _already_holding(record) from error
    _audit_staff(
        by,
        "circulation.place_hold",
        hold,
        {"record": record.pk, "item": item.pk if item else None, "member": member.pk},
    )
    return hold


def _already_holding(record: Record) -> DomainError:
    return DomainError(
        "circulation.already_holding",
        _("This member already has a hold on “%(title)s”.") % {"title": record.title[:100]},
        record=record.pk,
    )


@transaction.atomic
def cancel_hold(
    *, hold: Hold, by: Any, reason: str = "", now: datetime.datetime | None = None
) -> Hold:
    """Cancel a hold (a patron their own, staff any); a copy set aside goes to the next in line."""
    now = _now(now)
    # The copy's row is locked before the hold's (the order every act keeps).
    item_id = Hold.objects.filter(pk=hold.pk).values_list("item_id", flat=True).first()
    item = _lock_item(Item(pk=item_id)) if item_id else None
    hold = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "pickup_branch", "record")
        .get(pk=hold.pk)
    )
    own = _person(by) is not None and hold.member.user_id == by.pk
    if not own and _person(by) is not None and not by.has_perm("circulation.change_hold"):
        raise DomainError("circulation.hold_not_found", _("No such hold."), hold=hold.pk)
    if hold.status not in Hold.ACTIVE:
        raise DomainError(
            "circulation.hold_not_cancellable",
            _("This hold is already “%(status)s”.") % {"status": hold.get_status_display()},
            status=hold.status,
        )
    was = hold.status
    _set_status(hold, Hold.Status.CANCELLED)
    hold.closed_at = now
    hold.cancel_reason = reason[:300]
    hold.save(update_fields=["status", "closed_at", "cancel_reason", "updated_at"])
    if was in Hold.TRAPPED and item is not None:
        settings = selectors.circulation_settings()
        at_branch = hold.pickup_branch if was == Hold.Status.READY else None
        _route_copy(
            item,
            at_branch=at_branch,
            now=now,
            settings=settings,
            calendars=Calendars(),
            exclude=[hold.pk],
        )
    if not own:
        _audit_staff(
            by,
            "circulation.cancel_hold",
            hold,
            {"status_was": was, "reason": reason[:300], "item": item.pk if item else None},
        )
    return hold


def expire_holds(*, now: datetime.datetime | None = None) -> int:
    """Ready holds not collected by their pickup date expire; each copy goes to the next in line.

    One transaction per hold, so one problem does not hold back the rest.
    """
    now = _now(now)
    today = _today(now)
    hold_ids = list(
        Hold.objects.filter(status=Hold.Status.READY, pickup_by__lt=today).values_list(
            "pk", flat=True
        )
    )
    settings = selectors.circulation_settings()
    calendars = Calendars()
    expired = 0
    for hold_id in hold_ids:
        with transaction.atomic():
            item_id = Hold.objects.filter(pk=hold_id).values_list("item_id", flat=True).first()
            item = _lock_item(Item(pk=item_id)) if item_id else None
            hold = (
                Hold.objects.select_for_update(of=("self",))
                .select_related("member", "member__user", "pickup_branch", "record")
                .filter(pk=hold_id, status=Hold.Status.READY, pickup_by__lt=today)
                .first()
            )
            if hold is None:
                continue
            _set_status(hold, Hold.Status.EXPIRED)
            hold.closed_at = now
            hold.save(update_fields=["status", "closed_at", "updated_at"])
            notices.hold_expired(hold)
            if item is not None:
                _route_copy(
                    item,
                    at_branch=hold.pickup_branch,
                    now=now,
                    settings=settings,
                    calendars=calendars,
                    exclude=[hold.pk],
                )
            expired += 1
    return expired


# --- fines ---------------------------------------------------------------------------------------


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise DomainError(
            "circulation.invalid_amount",
            _("The amount must be a whole number of rupiah, at least Rp 1."),
        )


def _lock_fine(fine: Fine) -> Fine:
    return (
        Fine.objects.select_for_update(of=("self",))
        .select_related("member", "member__user", "item")
        .get(pk=fine.pk)
    )


def _overpayment(fine: Fine, amount: int) -> DomainError:
    return DomainError(
        "circulation.overpayment",
        _("%(amount)s is more than the %(balance)s still owed on this fine.")
        % {"amount": rupiah(amount), "balance": rupiah(fine.balance)},
        amount=amount,
        balance=fine.balance,
    )


def _record_payment(
    *, fine: Fine, kind: str, amount: int, reason: str, branch: Branch | None, by: Any
) -> Payment:
    """Store a payment or waiver with a receipt number made from its own row number.

    "KW-2026-000123" (kuitansi) for a payment, "HD-2026-000124" (hapus denda)
    for a waiver: unique because the row number is, readable over a phone,
    and no counter to keep in step across app servers.
    """
    payment = Payment.objects.create(
        fine=fine,
        member=fine.member,
        kind=kind,
        amount=amount,
        reason=reason[:300],
        branch=branch,
        by=_person(by),
        # A placeholder no receipt can have; replaced once the row number is known.
        receipt_number=f"tmp-{timezone.now().timestamp():.6f}-{id(fine)}"[:30],
    )
    prefix = "KW" if kind == Payment.Kind.PAYMENT else "HD"
    payment.receipt_number = f"{prefix}-{timezone.localdate(payment.at).year}-{payment.pk:06d}"
    payment.save(update_fields=["receipt_number"])
    return payment


def _settle_if_paid(fine: Fine, now: datetime.datetime) -> None:
    if fine.balance == 0 and fine.settled_at is None:
        fine.settled_at = now


@transaction.atomic
def pay_fine(*, fine: Fine, amount: int, by: Any, branch: Branch | None = None) -> Payment:
    """Take a payment, partial or in full, against one fine; a receipt number comes back."""
    _check_amount(amount)
    now = timezone.now()
    fine = _lock_fine(fine)
    if amount > fine.balance:
        raise _overpayment(fine, amount)
    fine.paid += amount
    _settle_if_paid(fine, now)
    fine.save(update_fields=["paid", "settled_at", "updated_at"])
    payment = _record_payment(
        fine=fine, kind=Payment.Kind.PAYMENT, amount=amount, reason="", branch=branch, by=by
    )
    _audit_staff(
        by,
        "circulation.pay_fine",
        fine,
        {"amount": amount, "receipt": payment.receipt_number, "balance": fine.balance},
    )
    notices.payment_receipt(payment, fine=fine)
    return payment


@transaction.atomic
def waive_fine(*, fine: Fine, amount: int | None, reason: str, by: Any) -> Payment:
    """Forgive part or all (``amount=None``) of a fine; needs a reason and the waive permission."""
    if not reason.strip():
        raise DomainError("circulation.reason_required", _("Give a reason for waiving the fine."))
    if not _has_perm(by, WAIVE_PERMISSION):
        raise DomainError(
            "circulation.waive_not_allowed", _("You may not waive fines; ask a branch manager.")
        )
    fine = _lock_fine(fine)
    if amount is None:
        amount = fine.balance
        if amount < 1:
            raise DomainError("circulation.fine_settled", _("This fine is already settled."))
    _check_amount(amount)
    if amount > fine.balance:
        raise _overpayment(fine, amount)
    fine.waived += amount
    _settle_if_paid(fine, timezone.now())
    fine.save(update_fields=["waived", "settled_at", "updated_at"])
    payment = _record_payment(
        fine=fine, kind=Payment.Kind.WAIVER, amount=amount, reason=reason, branch=None, by=by
    )
    record_audit(
        by=by,
        action="circulation.waive_fine",
        target=fine,
        data={"amount": amount, "reason": reason[:300], "receipt": payment.receipt_number},
    )
    return payment


@transaction.atomic
def declare_lost(*, loan: Loan, by: Any, now: datetime.datetime | None = None) -> Fine:
    """The borrower lost the copy: loan and copy become lost, a replacement is charged.

    The charge is the copy's price, or DEFAULT_REPLACEMENT_CHARGE when the
    catalogue has none; the late fine run up so far is charged beside it.
    """
    now = _now(now)
    today = _today(now)
    item = _lock_item(loan.item)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("member", "branch")
        .get(pk=loan.pk)
    )
    if loan.status != Loan.Status.ON_LOAN or loan.member is None:
        raise _not_on_loan(item)
    loan.item = item
    late = _late_fine(
        loan, today=today, calendars=Calendars(), settings=selectors.circulation_settings()
    )
    _set_status(loan, Loan.Status.LOST)
    loan.save(update_fields=["status", "updated_at"])
    set_circulation_status(item=item, status=Item.Status.LOST)
    amount = item.price or DEFAULT_REPLACEMENT_CHARGE
    fine = _charge(
        member=loan.member,
        kind=Fine.Kind.LOST,
        amount=amount,
        description=_("Replacement of %(barcode)s") % {"barcode": item.barcode},
        loan=loan,
        item=item,
        by=by,
    )
    record_audit(
        by=by,
        action="circulation.declare_lost",
        target=item,
        data={"loan": loan.pk, "charge": amount, "late_fine": late.amount if late else 0},
    )
    return fine


@transaction.atomic
def charge_damage(
    *,
    item: Item,
    member: Member,
    amount: int,
    description: str,
    by: Any,
    mark_damaged: bool = True,
) -> Fine:
    """Charge a member for damage to a copy; the copy is marked damaged (out of circulation).

    A copy still on loan is checked in first; one set aside for a hold is
    charged with ``mark_damaged=False`` or after the hold is dealt with.
    """
    _check_amount(amount)
    if not description.strip():
        raise DomainError(
            "circulation.reason_required", _("Describe the damage the member is charged for.")
        )
    item = _lock_item(item)
    member = _lock_member(member)
    if mark_damaged and item.status in (
        Item.Status.ON_LOAN,
        Item.Status.ON_HOLD_SHELF,
        Item.Status.IN_TRANSIT,
    ):
        raise DomainError(
            "circulation.item_in_circulation",
            _("The item %(barcode)s is “%(status)s”; check it in or deal with its hold first.")
            % {"barcode": item.barcode, "status": item.get_status_display()},
            barcode=item.barcode,
            status=item.status,
        )
    fine = _charge(
        member=member,
        kind=Fine.Kind.DAMAGED,
        amount=amount,
        description=description.strip(),
        item=item,
        by=by,
    )
    if mark_damaged:
        set_circulation_status(item=item, status=Item.Status.DAMAGED)
    record_audit(
        by=by,
        action="circulation.charge_damage",
        target=item,
        data={"fine": fine.pk, "member": member.pk, "amount": amount},
    )
    return fine


# --- privacy -------------------------------------------------------------------------------------


@transaction.atomic
def anonymise_returned_loans(*, member: Member) -> int:
    """Forget who borrowed the member's returned loans (reading history turned off, erasure)."""
    return Loan.objects.filter(member=member, status=Loan.Status.RETURNED).update(
        member=None, updated_at=timezone.now()
    )


# --- notice sweeps -------------------------------------------------------------------------------


def queue_due_soon_notices(*, now: datetime.datetime | None = None) -> int:
    """Remind borrowers of loans due in the next ``due_soon_days`` days (once per due date)."""
    today = _today(_now(now))
    settings = selectors.circulation_settings()
    if settings.due_soon_days < 1:
        return 0
    queued = 0
    loans = selectors.loans_due_between(
        today + datetime.timedelta(days=1), today + datetime.timedelta(days=settings.due_soon_days)
    )
    for loan in loans:
        with transaction.atomic():
            queued += bool(notices.due_soon(loan, today=today))
    return queued


def queue_overdue_notices(*, now: datetime.datetime | None = None) -> int:
    """Tell borrowers of overdue loans, at the steps the settings name (1, 7, 14 days late …).

    A loan gets the notice of the latest step it has reached, once: a missed
    sweep does not send the earlier steps in a burst.
    """
    today = _today(_now(now))
    settings = selectors.circulation_settings()
    steps = policies.parse_notice_days(settings.overdue_notice_days)
    if not steps:
        return 0
    calendars = Calendars()
    queued = 0
    for loan in selectors.overdue_loans(today):
        days_overdue = (today - loan.due_on).days
        step = policies.overdue_level(days_overdue=days_overdue, notice_days=steps)
        if step is None:
            continue
        _days, fine = selectors.accruing_fine(
            loan, today=today, calendars=calendars, settings=settings
        )
        with transaction.atomic():
            queued += bool(
                notices.overdue(loan, today=today, step=step, days_overdue=days_overdue, fine=fine)
            )
    return queued


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
