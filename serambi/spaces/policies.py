"""The booking rules as small pure functions: no database, no clock.

Services and selectors feed them facts (opening periods of a day as aware
datetimes, a room's rules, the bookings already there) and act on the answer.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError

from .types import BookingRules, Period

# A confirmed booking may be checked in from this long before it starts …
CHECK_IN_EARLY = datetime.timedelta(minutes=15)
# … until this long after; then the sweep releases it as a no-show.
CHECK_IN_WINDOW = datetime.timedelta(minutes=15)

# Equipment booked without a room follows these rules (the room's defaults).
EQUIPMENT_ALONE_RULES = BookingRules(
    slot_minutes=30, min_minutes=30, max_minutes=240, book_ahead_days=30
)

MIDNIGHT = datetime.time(0)


def minutes(value: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=value)


def clock(moment: datetime.datetime) -> str:
    """A time of day in the library's zone: "14:30"."""
    return timezone.localtime(moment).strftime("%H:%M")


def long_day(moment: datetime.datetime | datetime.date) -> str:
    """ "Rabu, 4 Maret 2026" / "Wednesday, 4 March 2026" in the active language."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return date_format(moment, "l, j F Y")


def aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def day_periods(
    day: datetime.date,
    opening: Iterable[tuple[datetime.time, datetime.time]],
    *,
    opens: datetime.time | None,
    closes: datetime.time | None,
) -> list[Period]:
    """The bookable periods of ``day``: the branch's opening periods cut to the room's hours.

    ``opening`` holds the branch's (opens, closes) periods for that weekday;
    the caller passes the whole day when the branch has entered no hours at
    all (it counts as open, as in circulation's calendar). Periods come back
    in time order, empty ones left out.
    """
    periods: list[Period] = []
    for period_opens, period_closes in sorted(opening):
        start = aware(day, period_opens)
        end = (
            aware(day, period_closes)
            if period_closes != MIDNIGHT
            else aware(day + datetime.timedelta(days=1), MIDNIGHT)
        )
        if opens is not None:
            start = max(start, aware(day, opens))
        if closes is not None:
            end = min(end, aware(day, closes))
        if start < end:
            periods.append((start, end))
    return periods


def period_containing(
    starts_at: datetime.datetime, ends_at: datetime.datetime, periods: Iterable[Period]
) -> Period | None:
    """The one period that holds all of [starts_at, ends_at), if any."""
    for start, end in periods:
        if start <= starts_at and ends_at <= end:
            return (start, end)
    return None


def on_grid(moment: datetime.datetime, period: Period, slot_minutes: int) -> bool:
    """Whether ``moment`` falls on the period's slot grid (or is its end)."""
    start, end = period
    if moment == end:
        return True
    offset = moment - start
    return offset >= datetime.timedelta(0) and offset % minutes(slot_minutes) == datetime.timedelta(
        0
    )


def slot_starts(period: Period, slot_minutes: int) -> list[datetime.datetime]:
    """Every slot start of a period: its opening, then every ``slot_minutes``, while a slot fits."""
    start, end = period
    step = minutes(slot_minutes)
    starts = []
    moment = start
    while moment + step <= end:
        starts.append(moment)
        moment += step
    return starts


def overlaps(
    start: datetime.datetime,
    end: datetime.datetime,
    other_start: datetime.datetime,
    other_end: datetime.datetime,
) -> bool:
    """Half-open ranges [start, end) and [other_start, other_end) share a moment."""
    return start < other_end and other_start < end


def iso_week(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The ISO week around ``day``: its Monday and the Monday after."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def check_in_window(starts_at: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    return starts_at - CHECK_IN_EARLY, starts_at + CHECK_IN_WINDOW


def check_transition(
    transitions: dict[str, frozenset[str]], current: str, new: str, *, labels: dict[str, str]
) -> None:
    """Refuse a status change the model's TRANSITIONS table does not allow."""
    if new not in transitions.get(current, frozenset()):
        raise DomainError(
            "spaces.illegal_transition",
            _("A booking that is “%(current)s” cannot become “%(new)s”.")
            % {"current": labels.get(current, current), "new": labels.get(new, new)},
            current=current,
            new=new,
        )


def member_block(
    *, status: str, expires_on: datetime.date | None, today: datetime.date
) -> DomainError | None:
    """Why a member may not book a room (pending, suspended, expired card), or None."""
    from serambi.members.models import Member

    if status == Member.Status.PENDING:
        message = _("This membership is waiting for verification; bring an identity card.")
    elif status == Member.Status.SUSPENDED:
        message = _("This membership is suspended.")
    elif expires_on is not None and expires_on < today:
        message = _("The card expired on %(date)s.") % {"date": date_format(expires_on, "j F Y")}
    elif status == Member.Status.EXPIRED:
        message = _("The card has expired.")
    else:
        return None
    return DomainError(
        "spaces.member_blocked",
        message,
        status=status,
        expires_on=expires_on.isoformat() if expires_on else None,
    )


def check_timing(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    rules: BookingRules,
    now: datetime.datetime,
) -> None:
    """Not in the past, not too far ahead, neither too short nor too long."""
    if starts_at >= ends_at:
        raise DomainError("spaces.invalid_times", _("A booking must end after it starts."))
    if starts_at < now:
        raise DomainError(
            "spaces.in_the_past",
            _("%(time)s on %(day)s has already passed.")
            % {"time": clock(starts_at), "day": long_day(starts_at)},
        )
    today = timezone.localdate(now)
    last_day = today + datetime.timedelta(days=rules.book_ahead_days)
    if timezone.localdate(starts_at) > last_day:
        raise DomainError(
            "spaces.too_far_ahead",
            _("Bookings open %(days)s days ahead: until %(day)s.")
            % {"days": rules.book_ahead_days, "day": long_day(last_day)},
            book_ahead_days=rules.book_ahead_days,
            last_day=last_day.isoformat(),
        )
    length = ends_at - starts_at
    if length < minutes(rules.min_minutes):
        raise DomainError(
            "spaces.too_short",
            _("A booking lasts at least %(minutes)s minutes.") % {"minutes": rules.min_minutes},
            min_minutes=rules.min_minutes,
        )
    if length > minutes(rules.max_minutes):
        raise DomainError(
            "spaces.too_long",
            _("A booking lasts at most %(minutes)s minutes.") % {"minutes": rules.max_minutes},
            max_minutes=rules.max_minutes,
        )


def check_opening(
    *,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    periods: list[Period],
    is_closed_day: bool,
    rules: BookingRules,
) -> Period:
    """The booking lies in one bookable period of its day and on that period's slot grid."""
    day = timezone.localdate(starts_at)
    if is_closed_day or not periods:
        raise DomainError(
            "spaces.branch_closed",
            _("The library is closed on %(day)s.") % {"day": long_day(day)},
            day=day.isoformat(),
        )
    period = period_containing(starts_at, ends_at, periods)
    if period is None:
        hours = ", ".join(f"{clock(start)}–{clock(end)}" for start, end in periods)
        raise DomainError(
            "spaces.outside_opening_hours",
            _("On %(day)s this can be booked %(hours)s.") % {"day": long_day(day), "hours": hours},
            hours=hours,
        )
    if not (
        on_grid(starts_at, period, rules.slot_minutes)
        and on_grid(ends_at, period, rules.slot_minutes)
    ):
        raise DomainError(
            "spaces.off_grid",
            _("Bookings start and end on the %(minutes)s-minute slots from %(time)s.")
            % {"minutes": rules.slot_minutes, "time": clock(period[0])},
            slot_minutes=rules.slot_minutes,
        )
    return period


def check_weekly_limits(
    *,
    length: datetime.timedelta,
    booked_this_week: list[datetime.timedelta],
    max_hours: int | None,
    max_bookings: int | None,
    monday: datetime.date,
) -> None:
    """A member's bookings of one room in one ISO week stay within the room's limits."""
    if max_bookings is not None and len(booked_this_week) + 1 > max_bookings:
        raise DomainError(
            "spaces.weekly_limit",
            _("You may book this room %(count)s times a week; the week of %(day)s is full.")
            % {"count": max_bookings, "day": long_day(monday)},
            max_bookings=max_bookings,
            booked=len(booked_this_week),
        )
    if max_hours is not None:
        total = sum(booked_this_week, datetime.timedelta(0)) + length
        if total > datetime.timedelta(hours=max_hours):
            used = sum(booked_this_week, datetime.timedelta(0)).total_seconds() / 3600
            raise DomainError(
                "spaces.weekly_limit",
                _(
                    "You may book this room %(hours)s hours a week; %(used)s already booked "
                    "in the week of %(day)s."
                )
                % {"hours": max_hours, "used": f"{used:g}", "day": long_day(monday)},
                max_hours=max_hours,
                used_hours=used,
            )


def min_booking_fits(
    start: datetime.datetime,
    *,
    period: Period,
    rules: BookingRules,
    holding: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> bool:
    """Whether a booking of the shortest length (plus buffer) starting at ``start`` fits."""
    end = start + minutes(rules.min_minutes)
    if end > period[1]:
        return False
    blocked = end + minutes(rules.buffer_minutes)
    return not any(overlaps(start, blocked, other, other_end) for other, other_end in holding)
