"""What the spaces services and selectors hand back beside model instances."""

import datetime
from dataclasses import dataclass, field

from .models import Booking, Space


@dataclass(frozen=True)
class BookingRules:
    """The rules one booking is checked against: a room's, or those for equipment alone."""

    slot_minutes: int
    min_minutes: int
    max_minutes: int
    book_ahead_days: int
    buffer_minutes: int = 0
    opens: datetime.time | None = None
    closes: datetime.time | None = None

    @classmethod
    def of(cls, space: Space) -> "BookingRules":
        return cls(
            slot_minutes=space.slot_minutes,
            min_minutes=space.min_minutes,
            max_minutes=space.max_minutes,
            book_ahead_days=space.book_ahead_days,
            buffer_minutes=space.buffer_minutes,
            opens=space.opens,
            closes=space.closes,
        )


# A time range [start, end) on one day, aware, in the library's zone.
Period = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Slot:
    """One cell of the booking grid. ``state`` is one of SlotState's values."""

    start: datetime.datetime
    end: datetime.datetime
    state: str
    # What takes it, when taken: a booking (members' names are never exposed here) or an event.
    booking_id: int | None = None
    event_id: int | None = None

    @property
    def is_free(self) -> bool:
        return self.state == SlotState.FREE


class SlotState:
    FREE = "free"
    TAKEN = "taken"
    CLOSED = "closed"
    PAST = "past"


@dataclass
class DaySlots:
    """One day of the grid: its slots in time order; ``is_open`` false on a closed day."""

    day: datetime.date
    is_open: bool
    slots: list[Slot] = field(default_factory=list)

    @property
    def free_count(self) -> int:
        return sum(1 for slot in self.slots if slot.is_free)


@dataclass
class SpaceDay:
    """One row of a branch's day view: a room and what holds it that day."""

    space: Space
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class SpaceUsage:
    space: Space
    hours_booked: float = 0.0
    bookings: int = 0
    event_hours: float = 0.0
    events: int = 0
    no_shows: int = 0
    cancelled: int = 0


@dataclass
class Usage:
    """How a branch's rooms were used in [start, end]: per room, and member bookings by category."""

    start: datetime.date
    end: datetime.date
    spaces: list[SpaceUsage] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)

    @property
    def hours_booked(self) -> float:
        return sum(row.hours_booked for row in self.spaces)

    @property
    def no_shows(self) -> int:
        return sum(row.no_shows for row in self.spaces)
