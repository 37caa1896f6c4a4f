"""Reads for spaces: the slot grid, a branch's day, the approvals queue, usage, a member's bookings.

``access_*`` helpers fetch one booking for a person and answer "not found"
when it is not theirs, so a patron page cannot show someone else's booking.
"""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.models import Branch, ClosedDay, OpeningHours
from serambi.members.models import Member

from . import policies
from .models import Booking, Equipment, EquipmentBooking, Space
from .types import BookingRules, DaySlots, Period, Slot, SlotState, SpaceDay, SpaceUsage, Usage

ONE_DAY = datetime.timedelta(days=1)
WHOLE_DAY = ((datetime.time(0), datetime.time(0)),)


class OpeningCalendar:
    """A branch's opening periods per weekday and its closed days in a date range: 2 queries.

    A branch that has entered no opening hours at all counts as open all day
    every day (as circulation's ``BranchCalendar`` does); closed days entered
    for it, or for the whole library, still close it.
    """

    def __init__(self, branch: Branch | int, *, start: datetime.date, end: datetime.date) -> None:
        branch_id = branch.pk if isinstance(branch, Branch) else branch
        self.start, self.end = start, end
        self._hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for weekday, opens, closes in OpeningHours.objects.filter(branch_id=branch_id).values_list(
            "weekday", "opens", "closes"
        ):
            self._hours.setdefault(weekday, []).append((opens, closes))
        self.closed = set(
            ClosedDay.objects.filter(
                Q(branch_id=branch_id) | Q(branch__isnull=True), date__range=(start, end)
            ).values_list("date", flat=True)
        )

    def is_closed_day(self, day: datetime.date) -> bool:
        return day in self.closed or bool(self._hours) and day.weekday() not in self._hours

    def periods(self, day: datetime.date, rules: BookingRules) -> list[Period]:
        if self.is_closed_day(day):
            return []
        opening = self._hours.get(day.weekday(), []) if self._hours else WHOLE_DAY
        return policies.day_periods(day, opening, opens=rules.opens, closes=rules.closes)


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + ONE_DAY * offset for offset in range((end - start).days + 1)]


def holding_bookings(
    space: Space | int, *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Booking]:
    """Bookings of a room that hold time overlapping [start, end) (their buffer included)."""
    space_id = space.pk if isinstance(space, Space) else space
    return Booking.objects.filter(
        space_id=space_id,
        status__in=Booking.HOLDING,
        starts_at__lt=end,
        blocked_until__gt=start,
    )


def equipment_holds(
    equipment: list[Equipment], *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[EquipmentBooking]:
    return EquipmentBooking.objects.filter(
        equipment__in=equipment, is_holding=True, starts_at__lt=end, blocked_until__gt=start
    )


def free_slots(
    space: Space,
    *,
    start: datetime.date,
    end: datetime.date,
    now: datetime.datetime | None = None,
) -> list[DaySlots]:
    """The booking grid of a room from ``start`` to ``end`` (both included), one DaySlots a day.

    Every day has a slot at every time any day of the range has one, so the
    days line up as the columns of a week grid. A slot is *closed* outside
    the room's bookable periods that day (a closed day, a lunch break, beyond
    the days bookable ahead), *past* once it has begun, *taken* when a
    booking or an event's hold (with the room's buffer after it) covers it or
    leaves too little time for the shortest booking, else *free*. Three
    queries whatever the range: opening hours, closed days, bookings.
    """
    now = now or timezone.now()
    rules = BookingRules.of(space)
    calendar = OpeningCalendar(space.branch_id, start=start, end=end)
    days = _days(start, end)
    periods_by_day = {day: calendar.periods(day, rules) for day in days}
    range_start = policies.aware(start, datetime.time(0))
    range_end = policies.aware(end + ONE_DAY, datetime.time(0))
    holding = list(
        holding_bookings(space, start=range_start, end=range_end)
        .order_by("starts_at")
        .values_list("pk", "event_id", "starts_at", "ends_at", "blocked_until")
    )
    last_day = timezone.localdate(now) + datetime.timedelta(days=rules.book_ahead_days)
    step = policies.minutes(rules.slot_minutes)

    # The times of day of the grid's rows: every slot start of every day.
    starts_by_day: dict[datetime.date, dict[datetime.time, Period]] = {}
    row_times: set[datetime.time] = set()
    for day, periods in periods_by_day.items():
        starts_by_day[day] = {}
        for period in periods:
            for moment in policies.slot_starts(period, rules.slot_minutes):
                local = timezone.localtime(moment).time()
                starts_by_day[day][local] = period
                row_times.add(local)

    grid: list[DaySlots] = []
    for day in days:
        slots = []
        for time in sorted(row_times):
            slot_start = policies.aware(day, time)
            slot_end = slot_start + step
            period = starts_by_day[day].get(time)
            slots.append(
                _slot_state(
                    slot_start,
                    slot_end,
                    period=period,
                    bookable_day=day <= last_day,
                    now=now,
                    rules=rules,
                    holding=holding,
                )
            )
        grid.append(DaySlots(day=day, is_open=bool(periods_by_day[day]), slots=slots))
    return grid


def _slot_state(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    period: Period | None,
    bookable_day: bool,
    now: datetime.datetime,
    rules: BookingRules,
    holding: list[tuple[int, int | None, datetime.datetime, datetime.datetime, datetime.datetime]],
) -> Slot:
    if period is None or not bookable_day:
        return Slot(start, end, SlotState.CLOSED)
    if start < now:
        return Slot(start, end, SlotState.PAST)
    for pk, event_id, other_start, other_end, _blocked in holding:
        if policies.overlaps(start, end, other_start, other_end):
            return Slot(start, end, SlotState.TAKEN, booking_id=pk, event_id=event_id)
    blocking = [(other_start, blocked) for _pk, _e, other_start, _end, blocked in holding]
    if not policies.min_booking_fits(start, period=period, rules=rules, holding=blocking):
        # Free for a moment, but too short a gap (a buffer, the next booking, closing time).
        state = (
            SlotState.CLOSED
            if start + policies.minutes(rules.min_minutes) > period[1]
            else SlotState.TAKEN
        )
        return Slot(start, end, state)
    return Slot(start, end, SlotState.FREE)


def bookable_spaces(branch: Branch | None = None) -> QuerySet[Space]:
    spaces = Space.objects.filter(is_active=True).select_related("branch")
    if branch is not None:
        spaces = spaces.filter(branch=branch)
    return spaces.order_by("branch__name", "name")


def bookable_equipment(branch: Branch | None = None, *, alone: bool = False) -> QuerySet[Equipment]:
    equipment = Equipment.objects.filter(is_active=True).select_related("branch", "space")
    if branch is not None:
        equipment = equipment.filter(branch=branch)
    if alone:
        equipment = equipment.filter(bookable_alone=True)
    return equipment


def space_by_slug(slug: str) -> Space:
    """A bookable room by its short name; DomainError ``spaces.space_not_found`` otherwise."""
    space = (
        Space.objects.filter(slug=slug, is_active=True)
        .select_related("branch")
        .prefetch_related("categories", "equipment")
        .first()
    )
    if space is None:
        raise DomainError("spaces.space_not_found", _("There is no such room."), slug=slug)
    return space


def _with_details(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related(
        "space", "space__branch", "member", "member__category", "event", "event__program"
    ).prefetch_related(
        Prefetch(
            "equipment_holds",
            queryset=EquipmentBooking.objects.select_related("equipment").order_by(
                "equipment__name"
            ),
        )
    )


def day_view(branch: Branch, day: datetime.date) -> list[SpaceDay]:
    """Every room of a branch with what holds it on ``day`` (bookings and events), in time order.

    Cancelled and declined bookings are left out; no-shows and used
    bookings stay, so the desk sees what happened. Three queries.
    """
    start = policies.aware(day, datetime.time(0))
    end = policies.aware(day + ONE_DAY, datetime.time(0))
    spaces = list(Space.objects.filter(branch=branch).order_by("name"))
    rows = {space.pk: SpaceDay(space=space) for space in spaces}
    bookings = _with_details(
        Booking.objects.filter(space__branch=branch, starts_at__lt=end, ends_at__gt=start)
        .exclude(status__in=(Booking.Status.CANCELLED, Booking.Status.DECLINED))
        .order_by("starts_at", "id")
    )
    for booking in bookings:
        if booking.space_id in rows:
            rows[booking.space_id].bookings.append(booking)
    return [row for row in rows.values() if row.space.is_active or row.bookings]


def approvals_queue(
    branch: Branch | None = None, *, now: datetime.datetime | None = None
) -> QuerySet[Booking]:
    """Requests waiting for a decision, the soonest first (those already over are left out)."""
    bookings = Booking.objects.filter(
        status=Booking.Status.REQUESTED, ends_at__gt=now or timezone.now()
    ).order_by("starts_at", "id")
    if branch is not None:
        bookings = bookings.filter(
            Q(space__branch=branch) | Q(equipment_holds__equipment__branch=branch)
        )
    return _with_details(bookings.distinct())


def my_bookings(member: Member) -> QuerySet[Booking]:
    """A member's bookings, the latest first."""
    return _with_details(Booking.objects.filter(member=member).order_by("-starts_at", "-id"))


def my_upcoming_bookings(
    member: Member, *, now: datetime.datetime | None = None
) -> QuerySet[Booking]:
    return _with_details(
        Booking.objects.filter(
            member=member, status__in=Booking.HOLDING, ends_at__gt=now or timezone.now()
        ).order_by("starts_at", "id")
    )


def access_booking_for_member(pk: Any, member: Member | None) -> Booking:
    """One of ``member``'s bookings; DomainError ``spaces.booking_not_found`` for anyone else's."""
    booking = None
    if member is not None:
        try:
            booking = _with_details(Booking.objects.filter(pk=int(pk), member=member)).first()
        except (TypeError, ValueError):
            booking = None
    if booking is None:
        raise DomainError("spaces.booking_not_found", _("There is no such booking."), booking=pk)
    return booking


def access_booking_for_staff(pk: Any) -> Booking:
    try:
        booking = _with_details(Booking.objects.filter(pk=int(pk))).first()
    except (TypeError, ValueError):
        booking = None
    if booking is None:
        raise DomainError("spaces.booking_not_found", _("There is no such booking."), booking=pk)
    return booking


def usage(branch: Branch | None, start: datetime.date, end: datetime.date) -> Usage:
    """How rooms were used from ``start`` to ``end`` (both included): one query.

    Per room: hours and number of member bookings that held their time or
    were used (confirmed, checked in, used), hours and number of events,
    no-shows and cancellations; and member bookings by member category.
    """
    range_start = policies.aware(start, datetime.time(0))
    range_end = policies.aware(end + ONE_DAY, datetime.time(0))
    spaces = Space.objects.all() if branch is None else Space.objects.filter(branch=branch)
    rows = {space.pk: SpaceUsage(space=space) for space in spaces.select_related("branch")}
    bookings = Booking.objects.filter(
        space_id__in=list(rows), starts_at__gte=range_start, starts_at__lt=range_end
    ).values_list(
        "space_id", "status", "starts_at", "ends_at", "event_id", "member__category__name"
    )
    used = {Booking.Status.CONFIRMED, Booking.Status.CHECKED_IN, Booking.Status.COMPLETED}
    categories: Counter[str] = Counter()
    for space_id, status, starts_at, ends_at, event_id, category in bookings:
        row = rows[space_id]
        hours = (ends_at - starts_at).total_seconds() / 3600
        if status == Booking.Status.NO_SHOW:
            row.no_shows += 1
        elif status in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
            row.cancelled += 1
        elif event_id is not None:
            row.events += 1
            row.event_hours += hours
        elif status in used:
            row.bookings += 1
            row.hours_booked += hours
        if event_id is None and status in used | {Booking.Status.NO_SHOW}:
            categories[category or "—"] += 1
    return Usage(
        start=start,
        end=end,
        spaces=list(rows.values()),
        by_category=sorted(categories.items(), key=lambda pair: (-pair[1], pair[0])),
    )
