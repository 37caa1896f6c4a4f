"""When a branch is open: its weekly opening days and its closed days (holidays).

``BranchCalendar(branch).is_open(day)`` answers from memory after two
queries: the weekdays with opening hours, then the closed days of a window
of dates around the first day asked (the branch's own and the library-wide
ones). A day outside the window loads the next window.
"""

import datetime

from django.db.models import Q

from serambi.core.models import Branch, ClosedDay, OpeningHours

WINDOW_BEFORE = datetime.timedelta(days=62)
WINDOW_AFTER = datetime.timedelta(days=400)


class BranchCalendar:
    """Open days of one branch; a branch with no opening hours at all counts as open every day.

    (A new library that has not entered its hours yet still lends; closed
    days entered for it, or for the whole library, still count.)
    """

    def __init__(self, branch: Branch | int) -> None:
        self.branch_id = branch.pk if isinstance(branch, Branch) else branch
        self._weekdays: frozenset[int] | None = None
        self._closed: set[datetime.date] = set()
        self._windows: list[tuple[datetime.date, datetime.date]] = []

    def __repr__(self) -> str:
        return f"BranchCalendar(branch_id={self.branch_id})"

    @property
    def open_weekdays(self) -> frozenset[int]:
        if self._weekdays is None:
            weekdays = OpeningHours.objects.filter(branch_id=self.branch_id).values_list(
                "weekday", flat=True
            )
            self._weekdays = frozenset(weekdays) or frozenset(range(7))
        return self._weekdays

    def is_open(self, day: datetime.date) -> bool:
        if day.weekday() not in self.open_weekdays:
            return False
        self._load_window_for(day)
        return day not in self._closed

    def _load_window_for(self, day: datetime.date) -> None:
        if any(start <= day <= end for start, end in self._windows):
            return
        start, end = day - WINDOW_BEFORE, day + WINDOW_AFTER
        dates = ClosedDay.objects.filter(
            Q(branch_id=self.branch_id) | Q(branch__isnull=True), date__range=(start, end)
        ).values_list("date", flat=True)
        self._closed.update(dates)
        self._windows.append((start, end))


class Calendars:
    """One BranchCalendar per branch for the length of one service call or sweep."""

    def __init__(self) -> None:
        self._by_branch: dict[int, BranchCalendar] = {}

    def __getitem__(self, branch: Branch | int) -> BranchCalendar:
        branch_id = branch.pk if isinstance(branch, Branch) else branch
        if branch_id not in self._by_branch:
            self._by_branch[branch_id] = BranchCalendar(branch_id)
        return self._by_branch[branch_id]
