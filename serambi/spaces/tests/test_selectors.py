"""The slot grid, a branch's day, the approvals queue, usage and a member's own bookings."""

import datetime

import pytest

from serambi.core.errors import DomainError
from serambi.core.models import ClosedDay
from serambi.members.tests.factories import category
from serambi.spaces import selectors, services
from serambi.spaces.models import Booking
from serambi.spaces.types import SlotState

from .conftest import THURSDAY, WEDNESDAY, at
from .factories import SpaceFactory
from .test_services import make_event

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
SUNDAY = WEDNESDAY + 4 * DAY


def states(day_slots) -> dict[str, str]:
    return {
        slot.start.astimezone(at(WEDNESDAY).tzinfo).strftime("%H:%M"): slot.state
        for slot in day_slots.slots
    }


def book(space, member, start, end, now):
    return services.book_space(
        space=space, member=member, starts_at=start, ends_at=end, by=None, now=now
    )


def test_the_grid_of_one_day(space, member, now):
    book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10), now)
    (day,) = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY, now=now)
    grid = states(day)
    assert day.is_open
    assert list(grid)[0] == "08:00" and list(grid)[-1] == "15:30"
    assert "12:00" not in grid  # the lunch break is no row when no day has it open
    assert grid["08:30"] == SlotState.FREE
    assert grid["09:00"] == grid["09:30"] == SlotState.TAKEN
    assert grid["10:00"] == SlotState.FREE
    assert day.free_count == len(grid) - 2


def test_past_slots_on_the_day_itself(space, now):
    (day,) = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY, now=at(WEDNESDAY, 10, 5))
    grid = states(day)
    assert grid["10:00"] == SlotState.PAST
    assert grid["10:30"] == SlotState.FREE


def test_closed_days_and_short_days_line_up_in_a_week(space, now):
    ClosedDay.objects.create(branch=space.branch, date=THURSDAY, reason="Nyepi")
    week = selectors.free_slots(space, start=WEDNESDAY, end=SUNDAY, now=now)
    assert [day.day for day in week] == [WEDNESDAY + n * DAY for n in range(5)]
    assert len({len(day.slots) for day in week}) == 1  # every column has every row
    wednesday, thursday, _friday, saturday, sunday = week
    assert not thursday.is_open and all(slot.state == SlotState.CLOSED for slot in thursday.slots)
    assert not sunday.is_open
    assert states(saturday)["09:00"] == SlotState.FREE
    assert states(saturday)["14:00"] == SlotState.CLOSED
    assert states(wednesday)["14:00"] == SlotState.FREE


def test_buffer_and_shortest_booking_make_a_free_looking_slot_taken(space, member, now):
    space.buffer_minutes = 30
    space.min_minutes = 60
    space.save()
    book(space, member, at(WEDNESDAY, 10), at(WEDNESDAY, 11), now)
    (day,) = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY, now=now)
    grid = states(day)
    # 9:00–10:00 + 30 minutes' buffer runs into 10:00; 8:30 fits (ends 9:30, buffer to 10:00).
    assert grid["08:30"] == SlotState.FREE
    assert grid["09:00"] == grid["09:30"] == SlotState.TAKEN
    assert grid["10:30"] == SlotState.TAKEN
    assert grid["11:00"] == SlotState.TAKEN  # the buffer after the booking
    # 11:30: only 30 minutes left before the lunch break, shorter than the shortest booking.
    assert grid["11:30"] == SlotState.CLOSED
    assert grid["15:30"] == SlotState.CLOSED
    assert grid["15:00"] == SlotState.FREE


def test_an_events_hold_takes_slots(space, manager, now):
    event = make_event(space, at(WEDNESDAY, 14), at(WEDNESDAY, 15), setup=30)
    services.hold_room_for_event(event=event, by=manager)
    (day,) = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY, now=now)
    taken = [slot for slot in day.slots if slot.state == SlotState.TAKEN]
    assert [slot.event_id for slot in taken] == [event.pk] * 4  # 13:30 to 15:30
    assert states(day)["13:00"] == SlotState.FREE


def test_days_beyond_the_bookable_horizon_are_closed(space, now):
    space.book_ahead_days = 3
    space.save()
    week = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY + 2 * DAY, now=now)
    assert states(week[0])["09:00"] == SlotState.FREE  # Monday + 2
    assert states(week[2])["09:00"] == SlotState.CLOSED  # Monday + 4


def test_the_grid_costs_three_queries_for_a_fortnight(
    space, member, now, django_assert_num_queries
):
    book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10), now)
    with django_assert_num_queries(3):
        grid = selectors.free_slots(space, start=WEDNESDAY, end=WEDNESDAY + 13 * DAY, now=now)
    assert len(grid) == 14


def test_day_view(space, member, other_member, manager, now):
    other_room = SpaceFactory(branch=space.branch, name="Studio Seni", slug="studio-seni")
    SpaceFactory(name="Elsewhere")  # another branch
    first = book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10), now)
    cancelled = book(space, other_member, at(WEDNESDAY, 10), at(WEDNESDAY, 11), now)
    services.cancel_booking(booking=cancelled, by=manager, now=now)
    event = make_event(other_room, at(WEDNESDAY, 14), at(WEDNESDAY, 15))
    hold = services.hold_room_for_event(event=event, by=manager)
    book(space, member, at(THURSDAY, 9), at(THURSDAY, 10), now)
    rows = selectors.day_view(space.branch, WEDNESDAY)
    assert [row.space for row in rows] == [space, other_room]
    assert rows[0].bookings == [first]
    assert rows[1].bookings == [hold]


def test_approvals_queue(space, member, now):
    space.requires_approval = True
    space.save()
    request = book(space, member, at(THURSDAY, 9), at(THURSDAY, 10), now)
    other_branch_room = SpaceFactory(requires_approval=True)
    assert list(selectors.approvals_queue(space.branch, now=now)) == [request]
    assert list(selectors.approvals_queue(other_branch_room.branch, now=now)) == []
    assert list(selectors.approvals_queue(now=now)) == [request]
    assert list(selectors.approvals_queue(now=at(THURSDAY, 10))) == []


def test_usage(space, member, other_member, manager, now):
    student = other_member
    student.category = category("pelajar")
    student.save()
    used = book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10, 30), now)
    services.check_in_booking(booking=used, by=manager, now=at(WEDNESDAY, 9))
    book(space, student, at(WEDNESDAY, 13), at(WEDNESDAY, 14), now)  # becomes a no-show
    services.release_no_shows(now=at(WEDNESDAY, 14))
    cancelled = book(space, member, at(THURSDAY, 9), at(THURSDAY, 10), now)
    services.cancel_booking(booking=cancelled, by=manager, now=now)
    event = make_event(space, at(THURSDAY, 14), at(THURSDAY, 15))
    services.hold_room_for_event(event=event, by=manager)
    report = selectors.usage(space.branch, WEDNESDAY, THURSDAY)
    (row,) = report.spaces
    assert (row.bookings, row.hours_booked, row.no_shows, row.cancelled) == (1, 1.5, 1, 1)
    assert (row.events, row.event_hours) == (1, 2.0)
    assert dict(report.by_category) == {category("umum").name: 1, category("pelajar").name: 1}
    assert report.hours_booked == 1.5 and report.no_shows == 1


def test_my_bookings_and_access(space, member, other_member, now):
    mine = book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10), now)
    theirs = book(space, other_member, at(WEDNESDAY, 10), at(WEDNESDAY, 11), now)
    assert list(selectors.my_bookings(member)) == [mine]
    assert list(selectors.my_upcoming_bookings(member, now=now)) == [mine]
    assert selectors.access_booking_for_member(mine.pk, member) == mine
    for pk, who in ((theirs.pk, member), (mine.pk, None), ("x", member)):
        with pytest.raises(DomainError) as caught:
            selectors.access_booking_for_member(pk, who)
        assert caught.value.code == "spaces.booking_not_found"


def test_space_by_slug(space):
    assert selectors.space_by_slug("ruang-diskusi-a") == space
    space.is_active = False
    space.save()
    with pytest.raises(DomainError) as caught:
        selectors.space_by_slug("ruang-diskusi-a")
    assert caught.value.code == "spaces.space_not_found"
    assert list(selectors.bookable_spaces(space.branch)) == []


def test_statuses_in_day_view_keep_no_shows(space, member, now):
    booking = book(space, member, at(WEDNESDAY, 9), at(WEDNESDAY, 10), now)
    services.release_no_shows(now=at(WEDNESDAY, 9, 20))
    (row,) = selectors.day_view(space.branch, WEDNESDAY)
    assert row.bookings == [booking]
    assert row.bookings[0].status == Booking.Status.NO_SHOW
