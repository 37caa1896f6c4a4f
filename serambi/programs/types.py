"""Shapes the programs selectors hand to the doors."""

import datetime
from dataclasses import dataclass, field

from .models import Event


@dataclass(frozen=True)
class EventFilters:
    """What the public calendar filters on; every field optional."""

    category: str = ""
    audience: str = ""
    branch: int | None = None
    program: int | None = None


@dataclass
class CalendarDay:
    day: datetime.date
    in_month: bool
    events: list[Event] = field(default_factory=list)


@dataclass
class MonthCalendar:
    """A month view: whole weeks Monday to Sunday, days outside the month marked."""

    year: int
    month: int
    weeks: list[list[CalendarDay]]
    previous: datetime.date  # the first day of the month before
    next: datetime.date  # the first day of the month after

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)
