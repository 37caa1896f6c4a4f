"""Holds: placing, cancelling and expiring them."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from serambi.catalog.models import Item, Record
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members.models import Member

from .. import notices, policies, selectors
from ..calendar import Calendars
from ..models import Channel, Hold
from ._common import (
    UNHOLDABLE_STATUSES,
    _audit_staff,
    _lock_item,
    _lock_member,
    _now,
    _person,
    _route_copy,
    _set_status,
    _today,
)

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
