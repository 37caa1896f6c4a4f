"""Every act on rooms and equipment: booking, holding a room for an event, deciding, checking in.

The patron pages, the desk, the API and the background sweeps call these
functions, so the booking rules hold whichever door a request comes through.

No two holding bookings of one room, nor of one piece of equipment, may
overlap, each counted as [starts_at, blocked_until) (the booking plus the
room's buffer). A booking locks the room's row (then the equipment rows, in
id order) before it looks at the bookings already there, so two bookings of
one room are checked one after the other: on PostgreSQL the row lock queues
them and the exclusion constraints of migration 0002 settle anything that
slips past; on SQLite the IMMEDIATE transaction mode (settings) makes every
writer wait for the database's write lock before its first read.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.services import record_audit
from serambi.members.models import Member, MemberCategory
from serambi.programs.models import Event

from . import notices, policies, selectors
from .models import Booking, Equipment, EquipmentBooking, Space
from .policies import clock, long_day, minutes
from .types import BookingRules

MANAGE_PERMISSION = "spaces.manage_bookings"
# The names of the PostgreSQL exclusion constraints (migration 0002).
SPACE_CONSTRAINT = "booking_no_overlap"
EQUIPMENT_CONSTRAINT = "equipment_booking_no_overlap"


# --- helpers ---------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _person(by: Any) -> Any:
    """The actor to store on a row: a signed-in user, or None for the system."""
    return by if getattr(by, "is_authenticated", False) else None


def _is_manager(by: Any) -> bool:
    return bool(_person(by)) and by.has_perm(MANAGE_PERMISSION)


def _is_members_own(booking: Booking, by: Any) -> bool:
    person = _person(by)
    return (
        person is not None
        and booking.member is not None
        and booking.member.user_id is not None
        and booking.member.user_id == person.pk
    )


def _audit_staff(by: Any, action: str, target: Any, data: dict) -> None:
    if _is_manager(by) or (_person(by) and getattr(by, "is_staff", False)):
        record_audit(by=by, action=action, target=target, data=data)


def _require_manager(by: Any) -> None:
    if not _is_manager(by):
        raise DomainError(
            "spaces.not_allowed", _("Only library staff who manage bookings may do this.")
        )


def _set_status(booking: Booking, new: str) -> None:
    """Move a booking along Booking.TRANSITIONS; its equipment holds follow."""
    policies.check_transition(
        Booking.TRANSITIONS, booking.status, new, labels=dict(Booking.Status.choices)
    )
    _force_status(booking, new)


def _force_status(booking: Booking, new: str) -> None:
    booking.status = new
    EquipmentBooking.objects.filter(booking=booking).update(is_holding=new in Booking.HOLDING)


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("space", "space__branch", "member", "member__user", "event")
        .get(pk=booking.pk)
    )


def _lock_space(space: Space) -> Space:
    return Space.objects.select_for_update(of=("self",)).select_related("branch").get(pk=space.pk)


def _lock_equipment(equipment: Iterable[Equipment]) -> list[Equipment]:
    ids = sorted({piece.pk for piece in equipment})
    if not ids:
        return []
    # In id order, so two bookings of the same pieces never wait on each other.
    return list(
        Equipment.objects.select_for_update(of=("self",))
        .select_related("branch", "space")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _describe(booking: Booking) -> str:
    """What holds a room, for a refusal: an event's title, or just "a booking" (no names)."""
    if booking.event_id is not None:
        return _("the event “%(title)s”") % {"title": booking.event.display_title}
    return _("a booking")


def _slot_taken(space: Space, clash: Booking) -> DomainError:
    return DomainError(
        "spaces.slot_taken",
        _("%(space)s is taken from %(start)s to %(end)s on %(day)s by %(what)s.")
        % {
            "space": space.name,
            "start": clock(clash.starts_at),
            "end": clock(clash.blocked_until),
            "day": long_day(clash.starts_at),
            "what": _describe(clash),
        },
        space=space.pk,
        booking=clash.pk,
        event=clash.event_id,
        starts_at=clash.starts_at.isoformat(),
        blocked_until=clash.blocked_until.isoformat(),
    )


def _slot_taken_by_someone(space: Space | None) -> DomainError:
    return DomainError(
        "spaces.slot_taken",
        _("%(space)s was booked for this time a moment ago.")
        % {"space": space.name if space else _("The room")},
        space=space.pk if space else None,
    )


def _equipment_taken(piece: Equipment | None, hold: EquipmentBooking | None = None) -> DomainError:
    if piece is None or hold is None:
        return DomainError(
            "spaces.equipment_taken",
            _("Some of the equipment was booked for this time a moment ago."),
        )
    return DomainError(
        "spaces.equipment_taken",
        _("%(equipment)s is booked from %(start)s to %(end)s on %(day)s.")
        % {
            "equipment": piece.name,
            "start": clock(hold.starts_at),
            "end": clock(hold.blocked_until),
            "day": long_day(hold.starts_at),
        },
        equipment=piece.pk,
    )


def _check_space_free(
    space: Space,
    *,
    starts_at: datetime.datetime,
    blocked_until: datetime.datetime,
    exclude: int | None = None,
) -> None:
    clashes = selectors.holding_bookings(space, start=starts_at, end=blocked_until).select_related(
        "event", "event__program"
    )
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    clash = clashes.order_by("starts_at").first()
    if clash is not None:
        raise _slot_taken(space, clash)


def _check_equipment_free(
    equipment: list[Equipment], *, starts_at: datetime.datetime, blocked_until: datetime.datetime
) -> None:
    hold = (
        selectors.equipment_holds(equipment, start=starts_at, end=blocked_until)
        .order_by("starts_at")
        .first()
    )
    if hold is not None:
        piece = next(piece for piece in equipment if piece.pk == hold.equipment_id)
        raise _equipment_taken(piece, hold)


def _save_booking(booking: Booking, equipment: Sequence[Equipment]) -> None:
    """Write the booking and its equipment holds; a PostgreSQL constraint refusal becomes a
    DomainError (a race the locks did not cover: another process wrote without them)."""
    try:
        with transaction.atomic():
            booking.save()
            EquipmentBooking.objects.bulk_create(
                [
                    EquipmentBooking(
                        booking=booking,
                        equipment=piece,
                        starts_at=booking.starts_at,
                        blocked_until=booking.blocked_until,
                        is_holding=booking.status in Booking.HOLDING,
                    )
                    for piece in equipment
                ]
            )
    except IntegrityError as error:
        booking.pk = None
        text = str(error)
        # The equipment constraint's name contains the room constraint's: test it first.
        if EQUIPMENT_CONSTRAINT in text:
            raise _equipment_taken(None) from error
        if SPACE_CONSTRAINT in text:
            raise _slot_taken_by_someone(booking.space) from error
        raise


def _periods_for(
    branch_id: int, day: datetime.date, rules: BookingRules
) -> tuple[list[policies.Period], bool]:
    calendar = selectors.OpeningCalendar(branch_id, start=day, end=day)
    return calendar.periods(day, rules), calendar.is_closed_day(day)


def _check_equipment_choice(equipment: list[Equipment], *, space: Space | None) -> None:
    """Equipment must be bookable, of the room's branch, or bookable alone when there is no room."""
    branches = {piece.branch_id for piece in equipment}
    for piece in equipment:
        if not piece.is_active or (space is None and not piece.bookable_alone):
            raise DomainError(
                "spaces.not_bookable",
                _("%(equipment)s cannot be booked on its own.") % {"equipment": piece.name}
                if piece.is_active
                else _("%(equipment)s cannot be booked now.") % {"equipment": piece.name},
                equipment=piece.pk,
            )
        if space is not None and piece.branch_id != space.branch_id:
            raise DomainError(
                "spaces.not_bookable",
                _("%(equipment)s is kept at another branch.") % {"equipment": piece.name},
                equipment=piece.pk,
            )
    if space is None and len(branches) > 1:
        raise DomainError(
            "spaces.not_bookable", _("Equipment booked together must be at one branch.")
        )


def _check_weekly(
    *, space: Space, member: Member, starts_at: datetime.datetime, length: datetime.timedelta
) -> None:
    if space.max_hours_per_week is None and space.max_bookings_per_week is None:
        return
    monday, next_monday = policies.iso_week(timezone.localdate(starts_at))
    counted = (*Booking.HOLDING, Booking.Status.COMPLETED)
    this_week = Booking.objects.filter(
        space=space,
        member=member,
        status__in=counted,
        starts_at__gte=policies.aware(monday, datetime.time(0)),
        starts_at__lt=policies.aware(next_monday, datetime.time(0)),
    ).values_list("starts_at", "ends_at")
    policies.check_weekly_limits(
        length=length,
        booked_this_week=[end - start for start, end in this_week],
        max_hours=space.max_hours_per_week,
        max_bookings=space.max_bookings_per_week,
        monday=monday,
    )


# --- booking ---------------------------------------------------------------------------------


@transaction.atomic
def book_space(
    *,
    space: Space | None,
    member: Member,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    by: Any,
    equipment: Sequence[Equipment] = (),
    purpose: str = "",
    people: int = 1,
    organisation: str = "",
    accommodations: str = "",
    channel: str = "web",
    now: datetime.datetime | None = None,
) -> Booking:
    """Book a room (with equipment), or equipment alone (``space=None``), for a member.

    Checks every rule of the room (see the module and ``policies``) and
    refuses with a DomainError naming the fact. The booking is REQUESTED
    when the room needs approval, else CONFIRMED; the member is told either way.
    """
    now = _now(now)
    if space is None and not equipment:
        raise DomainError("spaces.not_bookable", _("Choose a room or some equipment to book."))
    # Lock first, then read: the room, then the equipment in id order.
    if space is not None:
        space = _lock_space(space)
    pieces = _lock_equipment(equipment)
    if space is not None and not space.is_active:
        raise DomainError(
            "spaces.not_bookable",
            _("%(space)s cannot be booked now.") % {"space": space.name},
            space=space.pk,
        )
    _check_equipment_choice(pieces, space=space)
    rules = BookingRules.of(space) if space is not None else policies.EQUIPMENT_ALONE_RULES
    branch_id = space.branch_id if space is not None else pieces[0].branch_id

    member = Member.objects.select_related("category", "user").get(pk=member.pk)
    block = policies.member_block(
        status=member.status, expires_on=member.expires_on, today=timezone.localdate(now)
    )
    if block is not None:
        raise block
    if space is not None:
        allowed = set(space.categories.values_list("pk", flat=True))
        if allowed and member.category_id not in allowed:
            raise DomainError(
                "spaces.category_cannot_book",
                _("%(space)s cannot be booked by %(category)s members.")
                % {"space": space.name, "category": member.category.name},
                category=member.category.code,
            )

    policies.check_timing(starts_at=starts_at, ends_at=ends_at, rules=rules, now=now)
    if space is not None and people > space.capacity:
        raise DomainError(
            "spaces.too_many_people",
            _("%(space)s holds %(capacity)s people at most.")
            % {"space": space.name, "capacity": space.capacity},
            capacity=space.capacity,
        )
    if people < 1:
        raise DomainError("spaces.invalid_people", _("At least one person uses a booking."))
    day = timezone.localdate(starts_at)
    periods, is_closed_day = _periods_for(branch_id, day, rules)
    policies.check_opening(
        starts_at=starts_at,
        ends_at=ends_at,
        periods=periods,
        is_closed_day=is_closed_day,
        rules=rules,
    )
    if space is not None:
        _check_weekly(space=space, member=member, starts_at=starts_at, length=ends_at - starts_at)

    blocked_until = ends_at + minutes(rules.buffer_minutes)
    if space is not None:
        _check_space_free(space, starts_at=starts_at, blocked_until=blocked_until)
    _check_equipment_free(pieces, starts_at=starts_at, blocked_until=blocked_until)

    needs_approval = space is not None and space.requires_approval
    booking = Booking(
        space=space,
        member=member,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=blocked_until,
        status=Booking.Status.REQUESTED if needs_approval else Booking.Status.CONFIRMED,
        purpose=purpose.strip()[:300],
        people=people,
        organisation=organisation.strip()[:200],
        accommodations=accommodations.strip()[:300],
    )
    _save_booking(booking, pieces)
    _audit_staff(
        by,
        "spaces.book",
        booking,
        {
            "space": space.pk if space else None,
            "member": member.pk,
            "equipment": [piece.pk for piece in pieces],
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "channel": channel,
        },
    )
    if needs_approval:
        notices.booking_requested(booking)
    else:
        notices.booking_confirmed(booking)
    return booking


# --- events ----------------------------------------------------------------------------------


@transaction.atomic
def hold_room_for_event(*, event: Event, by: Any) -> Booking | None:
    """Take the event's room from set-up to clear-up (``setup_minutes`` before and after).

    Programs calls it inside its own transaction whenever an event is
    scheduled or changed: the event's one booking is created or moved; an
    event without a room, or a cancelled one, lets its room go (None). The
    member rules do not apply, the overlap rule does: a clash refuses with
    ``spaces.slot_taken`` naming what holds the room.
    """
    existing = (
        Booking.objects.select_for_update(of=("self",)).filter(event_id=event.pk).first()
        if event.pk
        else None
    )
    if event.space_id is None or event.status == Event.Status.CANCELLED:
        if existing is not None and existing.status in Booking.HOLDING:
            _release_event_booking(existing, by=by)
        return None
    space = _lock_space(Space(pk=event.space_id))
    setup = minutes(event.setup_minutes)
    starts_at = event.starts_at - setup
    ends_at = event.ends_at + setup
    blocked_until = ends_at + minutes(space.buffer_minutes)
    _check_space_free(
        space,
        starts_at=starts_at,
        blocked_until=blocked_until,
        exclude=existing.pk if existing else None,
    )
    booking = existing or Booking(event=event)
    booking.space = space
    booking.member = None
    booking.starts_at = starts_at
    booking.ends_at = ends_at
    booking.blocked_until = blocked_until
    booking.purpose = event.display_title[:300]
    booking.people = event.capacity or booking.people or 1
    # An event's hold is the library's own: confirmed at once, and taken back
    # into force when a cancelled event is scheduled again.
    booking.status = Booking.Status.CONFIRMED
    _save_booking(booking, ())
    _audit_staff(
        by,
        "spaces.hold_for_event",
        booking,
        {"event": event.pk, "space": space.pk, "starts_at": starts_at.isoformat()},
    )
    return booking


def _release_event_booking(booking: Booking, *, by: Any) -> None:
    _force_status(booking, Booking.Status.CANCELLED)
    booking.save(update_fields=["status", "updated_at"])
    _audit_staff(by, "spaces.release_for_event", booking, {"event": booking.event_id})


@transaction.atomic
def release_room_for_event(*, event: Event, by: Any) -> None:
    """Give back the room an event held (the event is cancelled, moved outside or deleted)."""
    booking = Booking.objects.select_for_update(of=("self",)).filter(event_id=event.pk).first()
    if booking is not None and booking.status in Booking.HOLDING:
        _release_event_booking(booking, by=by)


# --- decisions and check-in ------------------------------------------------------------------


@transaction.atomic
def approve_booking(*, booking: Booking, by: Any, now: datetime.datetime | None = None) -> Booking:
    """Staff approve a requested booking (its time was held since the request)."""
    _require_manager(by)
    booking = _lock_booking(booking)
    if booking.ends_at <= _now(now):
        raise DomainError(
            "spaces.in_the_past",
            _("This booking has already ended; it can no longer be approved."),
        )
    _set_status(booking, Booking.Status.CONFIRMED)
    booking.decided_by = _person(by)
    booking.save(update_fields=["status", "decided_by", "updated_at"])
    record_audit(by=by, action="spaces.approve", target=booking, data={})
    notices.booking_approved(booking)
    return booking


@transaction.atomic
def decline_booking(*, booking: Booking, reason: str, by: Any) -> Booking:
    """Staff decline a requested booking with a reason the member is told; the time is free."""
    _require_manager(by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("spaces.reason_required", _("Say why the request is declined."))
    booking = _lock_booking(booking)
    _set_status(booking, Booking.Status.DECLINED)
    booking.decided_by = _person(by)
    booking.decision_reason = reason[:300]
    booking.save(update_fields=["status", "decided_by", "decision_reason", "updated_at"])
    record_audit(by=by, action="spaces.decline", target=booking, data={"reason": reason[:300]})
    notices.booking_declined(booking)
    return booking


@transaction.atomic
def cancel_booking(
    *, booking: Booking, by: Any, reason: str = "", now: datetime.datetime | None = None
) -> Booking:
    """The member cancels their own booking before it starts, or staff cancel any booking."""
    booking = _lock_booking(booking)
    manager = _is_manager(by)
    if not manager and not _is_members_own(booking, by):
        raise DomainError("spaces.booking_not_found", _("There is no such booking."))
    if booking.event_id is not None:
        raise DomainError(
            "spaces.not_allowed",
            _("An event's room is let go by changing or cancelling the event."),
        )
    if not manager and booking.starts_at <= _now(now):
        raise DomainError(
            "spaces.in_the_past",
            _("This booking has already begun; ask at the desk."),
        )
    _set_status(booking, Booking.Status.CANCELLED)
    booking.decision_reason = reason.strip()[:300] or booking.decision_reason
    booking.save(update_fields=["status", "decision_reason", "updated_at"])
    _audit_staff(by, "spaces.cancel", booking, {"reason": reason.strip()[:300]})
    return booking


@transaction.atomic
def check_in_booking(*, booking: Booking, by: Any, now: datetime.datetime | None = None) -> Booking:
    """Check a confirmed booking in, from 15 minutes before it starts to CHECK_IN_WINDOW after."""
    now = _now(now)
    booking = _lock_booking(booking)
    if not _is_manager(by) and not _is_members_own(booking, by):
        raise DomainError("spaces.booking_not_found", _("There is no such booking."))
    opens, closes = policies.check_in_window(booking.starts_at)
    if booking.status == Booking.Status.CONFIRMED and now < opens:
        raise DomainError(
            "spaces.check_in_not_open",
            _("Check-in opens at %(time)s.") % {"time": clock(opens)},
            opens_at=opens.isoformat(),
        )
    if booking.status == Booking.Status.CONFIRMED and now > closes:
        raise DomainError(
            "spaces.check_in_closed",
            _("Check-in closed at %(time)s; the booking is released for others.")
            % {"time": clock(closes)},
            closed_at=closes.isoformat(),
        )
    _set_status(booking, Booking.Status.CHECKED_IN)
    booking.checked_in_at = now
    booking.save(update_fields=["status", "checked_in_at", "updated_at"])
    _audit_staff(by, "spaces.check_in", booking, {})
    return booking


# --- sweeps ----------------------------------------------------------------------------------


def release_no_shows(*, now: datetime.datetime | None = None) -> int:
    """Confirmed member bookings nobody checked in for by CHECK_IN_WINDOW after the start
    become NO_SHOW: the room and the equipment are free again, the member is told."""
    now = _now(now)
    ids = list(
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            member__isnull=False,
            checked_in_at__isnull=True,
            starts_at__lte=now - policies.CHECK_IN_WINDOW,
        ).values_list("pk", flat=True)
    )
    released = 0
    for pk in ids:
        with transaction.atomic():
            booking = _lock_booking(Booking(pk=pk))
            if booking.status != Booking.Status.CONFIRMED or booking.checked_in_at is not None:
                continue  # checked in or cancelled since the list was read
            _set_status(booking, Booking.Status.NO_SHOW)
            booking.save(update_fields=["status", "updated_at"])
            notices.booking_released(booking)
            released += 1
    return released


def complete_past_bookings(*, now: datetime.datetime | None = None) -> int:
    """Close what has ended: checked-in bookings become COMPLETED, so do events' holds;
    a request nobody decided before it began is declined (and the member told)."""
    now = _now(now)
    done = 0
    with transaction.atomic():
        for booking in Booking.objects.select_for_update(of=("self",)).filter(
            status=Booking.Status.CHECKED_IN, ends_at__lte=now
        ):
            _set_status(booking, Booking.Status.COMPLETED)
            booking.save(update_fields=["status", "updated_at"])
            done += 1
        # An event's hold is never checked in: it is used when the event has taken place.
        for booking in Booking.objects.select_for_update(of=("self",)).filter(
            status=Booking.Status.CONFIRMED, event__isnull=False, ends_at__lte=now
        ):
            _force_status(booking, Booking.Status.COMPLETED)
            booking.save(update_fields=["status", "updated_at"])
            done += 1
        for booking in (
            Booking.objects.select_for_update(of=("self",))
            .select_related("space", "space__branch", "member", "member__user")
            .filter(status=Booking.Status.REQUESTED, starts_at__lte=now)
        ):
            _set_status(booking, Booking.Status.DECLINED)
            booking.decision_reason = _("Not approved before it began.")
            booking.save(update_fields=["status", "decision_reason", "updated_at"])
            notices.booking_declined(booking)
            done += 1
    return done


def send_booking_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind members the day before of confirmed bookings starting tomorrow; once each."""
    now = _now(now)
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    sent = 0
    with transaction.atomic():
        bookings = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("space", "space__branch", "member", "member__user")
            .filter(
                status=Booking.Status.CONFIRMED,
                member__isnull=False,
                reminded_at__isnull=True,
                starts_at__gte=policies.aware(tomorrow, datetime.time(0)),
                starts_at__lt=policies.aware(
                    tomorrow + datetime.timedelta(days=1), datetime.time(0)
                ),
            )
        )
        for booking in bookings:
            notices.booking_reminder(booking)
            booking.reminded_at = now
            booking.save(update_fields=["reminded_at", "updated_at"])
            sent += 1
    return sent


# --- rooms and equipment ---------------------------------------------------------------------

# What save_space and save_equipment take; a room's slug is made here, never typed.
SPACE_FIELDS = (
    "branch",
    "name",
    "kind",
    "capacity",
    "description",
    "features",
    "accessibility",
    "photo",
    "is_active",
    "opens",
    "closes",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "book_ahead_days",
    "buffer_minutes",
    "max_hours_per_week",
    "max_bookings_per_week",
    "requires_approval",
)
EQUIPMENT_FIELDS = ("branch", "name", "description", "space", "bookable_alone", "is_active")
SLUG_LENGTH = Space._meta.get_field("slug").max_length


def _check_known(data: dict, fields: Sequence[str]) -> None:
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise DomainError(
            "spaces.unknown_field",
            _("Unknown field: %(field)s.") % {"field": unknown[0]},
            field=unknown[0],
        )


def _check_name(target: Space | Equipment) -> None:
    target.name = (target.name or "").strip()
    if not target.name:
        raise DomainError("spaces.name_required", _("Give it a name."), field="name")


def _check_branch(target: Space | Equipment) -> None:
    if target.branch_id is None or not target.branch.is_active:
        raise DomainError(
            "spaces.invalid_branch", _("Choose a branch that is open."), field="branch"
        )


def _unique_slug(name: str) -> str:
    base = slugify(name)[: SLUG_LENGTH - 4].strip("-") or "ruang"
    slug, number = base, 1
    while Space.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_space_rules(space: Space) -> None:
    if space.kind not in Space.Kind.values:
        raise DomainError("spaces.invalid_kind", _("Choose a kind of room."), field="kind")
    if space.capacity is None or space.capacity < 1:
        raise DomainError(
            "spaces.invalid_capacity", _("A room holds at least one person."), field="capacity"
        )
    if space.opens and space.closes and space.opens >= space.closes:
        raise DomainError(
            "spaces.invalid_hours",
            _("The room must be bookable from an earlier time than it is bookable until."),
            field="closes",
        )
    slot = space.slot_minutes
    if slot is None or slot < 5:
        raise DomainError(
            "spaces.invalid_slot", _("A slot lasts at least 5 minutes."), field="slot_minutes"
        )
    for field in ("min_minutes", "max_minutes"):
        value = getattr(space, field)
        if value is None or value < slot or value % slot:
            raise DomainError(
                "spaces.invalid_duration",
                _("Booking lengths must be whole slots of %(slot)s minutes.") % {"slot": slot},
                field=field,
            )
    if space.min_minutes > space.max_minutes:
        raise DomainError(
            "spaces.invalid_duration",
            _("The shortest booking cannot be longer than the longest."),
            field="max_minutes",
        )
    for field in ("book_ahead_days", "buffer_minutes"):
        if getattr(space, field) is None or getattr(space, field) < 0:
            raise DomainError("spaces.invalid_value", _("Values cannot be negative."), field=field)


def _snapshot(target: Any, fields: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        model_field = target._meta.get_field(field)
        if model_field.is_relation:
            values[field] = getattr(target, model_field.attname)
        elif field == "photo":
            values[field] = target.photo.name or ""
        else:
            values[field] = getattr(target, field)
    return values


@transaction.atomic
def save_space(
    *,
    space: Space | None = None,
    data: dict[str, Any],
    categories: list[MemberCategory] | None = None,
    by: Any,
) -> Space:
    """Add a room or change one; ``categories`` None keeps who may book, [] lets every member.

    The short name (slug, used in the room's address) is made from the name when the
    room is added and kept after. A room is retired by making it not bookable.
    """
    _check_known(data, SPACE_FIELDS)
    created = space is None
    if created:
        space = Space()
        before: dict[str, Any] = {}
        before_categories: set[int] = set()
    else:
        space = _lock_space(space)
        before = _snapshot(space, SPACE_FIELDS)
        before_categories = set(space.categories.values_list("pk", flat=True))
    for key, value in data.items():
        if key == "photo":
            # False (the form's "clear"), None or "" removes the photo.
            space.photo = value or ""
        else:
            setattr(space, key, value)
    _check_name(space)
    _check_branch(space)
    _check_space_rules(space)
    if created:
        space.slug = _unique_slug(space.name)
    space.save()
    after = _snapshot(space, SPACE_FIELDS)
    changed = sorted(field for field in SPACE_FIELDS if before.get(field) != after[field])
    if categories is not None:
        chosen = {category.pk for category in categories}
        if chosen != before_categories:
            space.categories.set(categories)
            changed.append("categories")
    record_audit(
        by=by,
        action="spaces.space_saved",
        target=space,
        data={"created": created, "changed": changed},
    )
    return space


@transaction.atomic
def save_equipment(
    *, equipment: Equipment | None = None, data: dict[str, Any], by: Any
) -> Equipment:
    """Add a piece of equipment or change one; it is kept in a room of its own branch, or none."""
    _check_known(data, EQUIPMENT_FIELDS)
    created = equipment is None
    if created:
        equipment = Equipment()
        before: dict[str, Any] = {}
    else:
        equipment = (
            Equipment.objects.select_for_update(of=("self",))
            .select_related("branch", "space")
            .get(pk=equipment.pk)
        )
        before = _snapshot(equipment, EQUIPMENT_FIELDS)
    for key, value in data.items():
        setattr(equipment, key, value)
    _check_name(equipment)
    _check_branch(equipment)
    if equipment.space is not None and equipment.space.branch_id != equipment.branch_id:
        raise DomainError(
            "spaces.invalid_space",
            _("The room it is kept in must be at the same branch."),
            field="space",
        )
    equipment.save()
    after = _snapshot(equipment, EQUIPMENT_FIELDS)
    record_audit(
        by=by,
        action="spaces.equipment_saved",
        target=equipment,
        data={
            "created": created,
            "changed": sorted(f for f in EQUIPMENT_FIELDS if before.get(f) != after[f]),
        },
    )
    return equipment
