"""The sweeps: no-shows released, ended bookings closed, reminders the day before; twice = once."""

import datetime

import pytest

from serambi.core.models import Notification
from serambi.spaces import services, tasks
from serambi.spaces.models import Booking, EquipmentBooking

from .conftest import THURSDAY, WEDNESDAY, at
from .test_services import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(space, member, camera, now) -> Booking:
    return services.book_space(
        space=space,
        member=member,
        starts_at=at(WEDNESDAY, 9),
        ends_at=at(WEDNESDAY, 10),
        equipment=[camera],
        by=member.user,
        now=now,
    )


def test_a_booking_nobody_checked_in_for_is_released_after_the_window(booking, space, other_member):
    assert services.release_no_shows(now=at(WEDNESDAY, 9, 14)) == 0
    assert services.release_no_shows(now=at(WEDNESDAY, 9, 15)) == 1
    assert services.release_no_shows(now=at(WEDNESDAY, 9, 30)) == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    assert not EquipmentBooking.objects.get(booking=booking).is_holding
    assert Notification.objects.filter(kind="spaces.booking_released").count() == 2
    # The room is free again for the rest of the hour.
    again = services.book_space(
        space=space,
        member=other_member,
        starts_at=at(WEDNESDAY, 9, 30),
        ends_at=at(WEDNESDAY, 10),
        by=None,
        now=at(WEDNESDAY, 9, 20),
    )
    assert again.status == Booking.Status.CONFIRMED


def test_a_checked_in_booking_is_not_released_and_completes_after_its_end(booking, manager):
    services.check_in_booking(booking=booking, by=manager, now=at(WEDNESDAY, 9, 5))
    assert services.release_no_shows(now=at(WEDNESDAY, 9, 30)) == 0
    assert services.complete_past_bookings(now=at(WEDNESDAY, 9, 59)) == 0
    assert services.complete_past_bookings(now=at(WEDNESDAY, 10)) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert not EquipmentBooking.objects.get(booking=booking).is_holding


def test_an_events_hold_is_never_a_no_show_and_completes(space, manager):
    event = make_event(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    hold = services.hold_room_for_event(event=event, by=manager)
    assert services.release_no_shows(now=at(WEDNESDAY, 11)) == 0
    assert services.complete_past_bookings(now=at(WEDNESDAY, 11)) == 1
    hold.refresh_from_db()
    assert hold.status == Booking.Status.COMPLETED


def test_an_undecided_request_is_declined_when_it_begins(space, member, now):
    space.requires_approval = True
    space.save()
    request = services.book_space(
        space=space,
        member=member,
        starts_at=at(WEDNESDAY, 9),
        ends_at=at(WEDNESDAY, 10),
        by=None,
        now=now,
    )
    assert services.complete_past_bookings(now=at(WEDNESDAY, 9)) == 1
    request.refresh_from_db()
    assert request.status == Booking.Status.DECLINED
    assert request.decision_reason
    assert Notification.objects.filter(kind="spaces.booking_declined").exists()


def test_reminders_go_out_the_day_before_once(booking):
    assert services.send_booking_reminders(now=at(WEDNESDAY - datetime.timedelta(days=2), 8)) == 0
    day_before = at(WEDNESDAY - datetime.timedelta(days=1), 6)
    assert services.send_booking_reminders(now=day_before) == 1
    assert services.send_booking_reminders(now=day_before) == 0
    notices = Notification.objects.filter(kind="spaces.booking_reminder")
    assert notices.count() == 2
    assert "09:00" in notices.first().body
    booking.refresh_from_db()
    assert booking.reminded_at == day_before


def test_a_cancelled_booking_is_not_reminded(booking, member):
    services.cancel_booking(booking=booking, by=member.user, now=at(WEDNESDAY, 7))
    assert services.send_booking_reminders(now=at(THURSDAY - datetime.timedelta(days=2), 6)) == 0


def test_the_tasks_call_the_sweeps(booking):
    # The tasks run on the real clock: the fixed-date booking lies in the past by then.
    result = tasks.frequent_sweep.call()
    assert result == {"no_shows_released": 1, "bookings_completed": 0}
    assert tasks.daily_sweep.call() == {
        "no_shows_released": 0,
        "bookings_completed": 0,
        "reminders": 0,
    }
    assert tasks.release_no_shows_task.call() == 0
    assert tasks.complete_past_bookings_task.call() == 0
    assert tasks.send_booking_reminders_task.call() == 0
