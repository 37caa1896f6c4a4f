"""What the circulation acts share: the library's constants, locking, blocks,
charges, and setting a returned copy aside for the next hold."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.catalog.models import Item
from serambi.catalog.services import set_circulation_status
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit
from serambi.members.models import Member

from .. import notices, policies, selectors
from ..calendar import Calendars
from ..models import CirculationSettings, Fine, Hold, Loan

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
