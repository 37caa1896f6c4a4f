"""Booking rooms and equipment: every rule's refusal, holds for events, decisions, check-in."""

import datetime

import pytest

from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, ClosedDay, Notification
from serambi.members.models import Member
from serambi.members.tests.factories import MemberFactory, category
from serambi.programs.models import Event, Program
from serambi.spaces import services
from serambi.spaces.models import Booking, EquipmentBooking

from .conftest import THURSDAY, WEDNESDAY, at
from .factories import EquipmentFactory, SpaceFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
SATURDAY = WEDNESDAY + 3 * DAY
SUNDAY = WEDNESDAY + 4 * DAY


@pytest.fixture
def book(member, now):
    def book(space, start, end, **kwargs):
        kwargs.setdefault("member", member)
        kwargs.setdefault("by", kwargs["member"].user)
        kwargs.setdefault("now", now)
        return services.book_space(space=space, starts_at=start, ends_at=end, **kwargs)

    return book


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def make_event(space, start, end, *, setup=30, title="Diskusi Buku Bulanan") -> Event:
    program = Program.objects.create(
        title=title,
        slug=f"program-{Program.objects.count()}",
        category="book_discussion",
        summary=".",
    )
    return Event.objects.create(
        program=program,
        starts_at=start,
        ends_at=end,
        branch=space.branch if space else None,
        space=space,
        setup_minutes=setup,
    )


# --- a booking made ----------------------------------------------------------------------------


def test_an_instant_room_is_confirmed_and_the_member_told(book, space, member):
    booking = book(
        space, at(WEDNESDAY, 9), at(WEDNESDAY, 10, 30), purpose="Kerja kelompok", people=4
    )
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.blocked_until == booking.ends_at
    assert booking.member == member
    notices = Notification.objects.filter(kind="spaces.booking_confirmed")
    assert notices.count() == 2  # e-mail and WhatsApp
    assert "Ruang Diskusi A" in notices.first().subject


def test_a_room_needing_approval_is_requested(book, space):
    space.requires_approval = True
    space.save()
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert booking.status == Booking.Status.REQUESTED
    assert Notification.objects.filter(kind="spaces.booking_requested").exists()


def test_a_member_booking_is_not_audited_but_staff_booking_for_a_member_is(
    book, space, manager, member
):
    book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert not AuditEntry.objects.filter(action="spaces.book").exists()
    book(space, at(WEDNESDAY, 10), at(WEDNESDAY, 11), by=manager, channel="desk")
    entry = AuditEntry.objects.get(action="spaces.book")
    assert entry.actor == manager
    assert entry.data["channel"] == "desk"


# --- every rule's refusal ----------------------------------------------------------------------


def test_an_inactive_room_is_not_bookable(book, space):
    space.is_active = False
    space.save()
    assert refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10)).code == "spaces.not_bookable"


def test_only_the_chosen_member_categories_may_book(book, space, member, other_member):
    space.categories.set([category("pelajar")])
    error = refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert error.code == "spaces.category_cannot_book"
    student = MemberFactory(
        home_branch=space.branch, category=category("pelajar"), expires_on=WEDNESDAY + 300 * DAY
    )
    assert book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), member=student, by=None).pk


@pytest.mark.parametrize(
    ("status", "expires_in_days"),
    [
        (Member.Status.PENDING, 300),
        (Member.Status.SUSPENDED, 300),
        (Member.Status.EXPIRED, 300),
        (Member.Status.ACTIVE, -1),
    ],
)
def test_a_member_who_may_not_borrow_may_not_book(book, space, status, expires_in_days, now):
    member = MemberFactory(
        home_branch=space.branch,
        status=status,
        expires_on=now.date() + datetime.timedelta(days=expires_in_days),
    )
    error = refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), member=member, by=None)
    assert error.code == "spaces.member_blocked"


def test_the_slot_grid(book, space):
    assert (
        refused(book, space, at(WEDNESDAY, 9, 15), at(WEDNESDAY, 10, 15)).code == "spaces.off_grid"
    )
    assert refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 9, 45)).code == "spaces.off_grid"


def test_the_grid_counts_from_the_rooms_own_opening(book, space):
    space.opens = datetime.time(8, 15)
    space.save()
    assert refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10)).code == "spaces.off_grid"
    assert book(space, at(WEDNESDAY, 8, 45), at(WEDNESDAY, 9, 45)).pk


def test_shortest_and_longest(book, space):
    space.min_minutes, space.max_minutes = 60, 120
    space.save()
    assert refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 9, 30)).code == "spaces.too_short"
    assert refused(book, space, at(WEDNESDAY, 8), at(WEDNESDAY, 10, 30)).code == "spaces.too_long"
    assert book(space, at(WEDNESDAY, 8), at(WEDNESDAY, 10)).pk


def test_opening_hours_of_the_branch(book, space):
    error = refused(book, space, at(WEDNESDAY, 7, 30), at(WEDNESDAY, 8, 30))
    assert error.code == "spaces.outside_opening_hours"
    assert "08:00–12:00" in error.message
    # Across the lunch break: each period on its own.
    assert (
        refused(book, space, at(WEDNESDAY, 11, 30), at(WEDNESDAY, 13, 30)).code
        == "spaces.outside_opening_hours"
    )
    assert (
        refused(book, space, at(SATURDAY, 13), at(SATURDAY, 14)).code
        == "spaces.outside_opening_hours"
    )
    assert refused(book, space, at(SUNDAY, 9), at(SUNDAY, 10)).code == "spaces.branch_closed"
    assert book(space, at(WEDNESDAY, 15), at(WEDNESDAY, 16)).pk


def test_a_closed_day_closes_the_room(book, space):
    ClosedDay.objects.create(branch=space.branch, date=THURSDAY, reason="Isra Mikraj")
    ClosedDay.objects.create(branch=None, date=WEDNESDAY + 2 * DAY, reason="Libur")
    assert refused(book, space, at(THURSDAY, 9), at(THURSDAY, 10)).code == "spaces.branch_closed"
    friday = WEDNESDAY + 2 * DAY
    assert refused(book, space, at(friday, 9), at(friday, 10)).code == "spaces.branch_closed"


def test_the_rooms_own_hours_within_the_branchs(book, space):
    space.opens, space.closes = datetime.time(9), datetime.time(15)
    space.save()
    assert (
        refused(book, space, at(WEDNESDAY, 8), at(WEDNESDAY, 9)).code
        == "spaces.outside_opening_hours"
    )
    assert (
        refused(book, space, at(WEDNESDAY, 14, 30), at(WEDNESDAY, 15, 30)).code
        == "spaces.outside_opening_hours"
    )
    assert book(space, at(WEDNESDAY, 14), at(WEDNESDAY, 15)).pk


def test_a_branch_without_hours_is_bookable_within_the_rooms_hours(book):
    space = SpaceFactory(branch=BranchFactory(), opens=datetime.time(10), closes=datetime.time(20))
    assert book(space, at(SUNDAY, 18), at(SUNDAY, 19)).pk
    error = refused(book, space, at(SUNDAY, 9), at(SUNDAY, 10))
    assert error.code == "spaces.outside_opening_hours"


def test_not_in_the_past_nor_beyond_the_days_ahead(book, space, now):
    assert refused(book, space, at(now.date(), 6), at(now.date(), 7)).code == "spaces.in_the_past"
    space.book_ahead_days = 7
    space.save()
    assert (
        refused(book, space, at(now.date() + 8 * DAY, 9), at(now.date() + 8 * DAY, 10)).code
        == "spaces.too_far_ahead"
    )
    assert book(space, at(now.date() + 7 * DAY, 9), at(now.date() + 7 * DAY, 10)).pk


def test_people_at_most_the_capacity(book, space):
    space.capacity = 4
    space.save()
    error = refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), people=5)
    assert error.code == "spaces.too_many_people"
    assert error.data["capacity"] == 4
    assert book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), people=4).pk


def test_weekly_limit_of_bookings_per_iso_week(book, space, other_member):
    space.max_bookings_per_week = 2
    space.save()
    book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    book(space, at(THURSDAY, 9), at(THURSDAY, 10))
    assert refused(book, space, at(SATURDAY, 9), at(SATURDAY, 10)).code == "spaces.weekly_limit"
    # Someone else, and the next ISO week, are not counted.
    assert book(space, at(SATURDAY, 9), at(SATURDAY, 10), member=other_member, by=None).pk
    assert book(space, at(WEDNESDAY + 5 * DAY, 9), at(WEDNESDAY + 5 * DAY, 10)).pk


def test_weekly_limit_of_hours_and_cancelled_bookings_do_not_count(book, space, member):
    space.max_hours_per_week = 3
    space.save()
    first = book(space, at(WEDNESDAY, 8), at(WEDNESDAY, 10))
    error = refused(book, space, at(THURSDAY, 8), at(THURSDAY, 9, 30))
    assert error.code == "spaces.weekly_limit"
    assert book(space, at(THURSDAY, 8), at(THURSDAY, 9)).pk
    services.cancel_booking(booking=first, by=member.user, now=at(WEDNESDAY, 7))
    assert book(space, at(SATURDAY, 8), at(SATURDAY, 10)).pk


def test_overlap_is_refused_naming_what_is_there(book, space, other_member):
    book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10, 30))
    error = refused(book, space, at(WEDNESDAY, 10), at(WEDNESDAY, 11), member=other_member, by=None)
    assert error.code == "spaces.slot_taken"
    assert "09:00" in error.message and "10:30" in error.message
    # Back to back is fine; another room is fine.
    assert book(space, at(WEDNESDAY, 10, 30), at(WEDNESDAY, 11), member=other_member, by=None).pk
    other_room = SpaceFactory(branch=space.branch)
    assert book(other_room, at(WEDNESDAY, 9), at(WEDNESDAY, 10)).pk


def test_the_buffer_after_a_booking_keeps_the_next_one_away(book, space, other_member):
    space.buffer_minutes = 30
    space.save()
    first = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert first.blocked_until == at(WEDNESDAY, 10, 30)
    after = refused(book, space, at(WEDNESDAY, 10), at(WEDNESDAY, 11), member=other_member, by=None)
    assert after.code == "spaces.slot_taken"
    # A booking ending at 9:00 would need its own buffer until 9:30: refused too.
    before = refused(book, space, at(WEDNESDAY, 8), at(WEDNESDAY, 9), member=other_member, by=None)
    assert before.code == "spaces.slot_taken"
    assert book(space, at(WEDNESDAY, 10, 30), at(WEDNESDAY, 11), member=other_member, by=None).pk
    assert book(space, at(WEDNESDAY, 8), at(WEDNESDAY, 8, 30), member=other_member, by=None).pk


def test_a_request_holds_its_time_and_a_declined_one_frees_it(book, space, other_member, manager):
    space.requires_approval = True
    space.save()
    request = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert (
        refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), member=other_member, by=None).code
        == "spaces.slot_taken"
    )
    services.decline_booking(booking=request, reason="Ruang dipakai rapat", by=manager)
    assert book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), member=other_member, by=None).pk


# --- equipment ---------------------------------------------------------------------------------


def test_equipment_with_a_room_is_held_and_refused_twice(book, space, camera, other_member):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[camera])
    hold = EquipmentBooking.objects.get(booking=booking)
    assert (hold.equipment, hold.starts_at, hold.blocked_until, hold.is_holding) == (
        camera,
        booking.starts_at,
        booking.blocked_until,
        True,
    )
    other_room = SpaceFactory(branch=space.branch)
    error = refused(
        book,
        other_room,
        at(WEDNESDAY, 9, 30),
        at(WEDNESDAY, 10, 30),
        equipment=[camera],
        member=other_member,
        by=None,
    )
    assert error.code == "spaces.equipment_taken"
    assert "Kamera Sony" in error.message


def test_equipment_alone(book, camera, other_member):
    booking = book(None, at(WEDNESDAY, 13), at(WEDNESDAY, 15), equipment=[camera])
    assert booking.space is None
    assert booking.status == Booking.Status.CONFIRMED
    error = refused(
        book,
        None,
        at(WEDNESDAY, 14),
        at(WEDNESDAY, 15),
        equipment=[camera],
        member=other_member,
        by=None,
    )
    assert error.code == "spaces.equipment_taken"
    # Equipment alone follows the branch's hours too.
    assert (
        refused(book, None, at(SUNDAY, 9), at(SUNDAY, 10), equipment=[camera]).code
        == "spaces.branch_closed"
    )


def test_equipment_not_bookable_alone_needs_a_room(book, space):
    tablet = EquipmentFactory(branch=space.branch, name="Tablet gambar", bookable_alone=False)
    error = refused(book, None, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[tablet])
    assert error.code == "spaces.not_bookable"
    assert book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[tablet]).pk


def test_equipment_of_another_branch_or_inactive_is_refused(book, space):
    elsewhere = EquipmentFactory(name="Mikrofon")
    assert (
        refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[elsewhere]).code
        == "spaces.not_bookable"
    )
    broken = EquipmentFactory(branch=space.branch, is_active=False)
    assert (
        refused(book, space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[broken]).code
        == "spaces.not_bookable"
    )


def test_nothing_to_book(book):
    assert refused(book, None, at(WEDNESDAY, 9), at(WEDNESDAY, 10)).code == "spaces.not_bookable"


def test_equipment_follows_the_bookings_status(book, space, camera, member, other_member):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[camera])
    services.cancel_booking(booking=booking, by=member.user, now=at(WEDNESDAY, 7))
    assert not EquipmentBooking.objects.get(booking=booking).is_holding
    assert book(
        None, at(WEDNESDAY, 9), at(WEDNESDAY, 10), equipment=[camera], member=other_member, by=None
    ).pk


# --- events ------------------------------------------------------------------------------------


def test_an_event_blocks_its_room_and_releasing_frees_it(book, space, manager):
    event = make_event(space, at(WEDNESDAY, 13, 30), at(WEDNESDAY, 15))
    hold = services.hold_room_for_event(event=event, by=manager)
    assert hold.event == event and hold.member is None
    assert (hold.starts_at, hold.ends_at) == (at(WEDNESDAY, 13), at(WEDNESDAY, 15, 30))
    assert hold.status == Booking.Status.CONFIRMED
    error = refused(book, space, at(WEDNESDAY, 15), at(WEDNESDAY, 16))
    assert error.code == "spaces.slot_taken"
    assert "Diskusi Buku Bulanan" in error.message
    assert error.data["event"] == event.pk
    services.release_room_for_event(event=event, by=manager)
    hold.refresh_from_db()
    assert hold.status == Booking.Status.CANCELLED
    assert book(space, at(WEDNESDAY, 15), at(WEDNESDAY, 16)).pk


def test_an_event_ignores_member_rules_but_not_overlap(book, space, manager):
    # Outside the room's hours and on a Sunday: the library's own event may still use the room.
    sunday_event = make_event(space, at(SUNDAY, 19), at(SUNDAY, 21))
    assert services.hold_room_for_event(event=sunday_event, by=manager).pk
    book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    clash = make_event(space, at(WEDNESDAY, 10, 15), at(WEDNESDAY, 11), setup=30)
    error = refused(services.hold_room_for_event, event=clash, by=manager)
    assert error.code == "spaces.slot_taken"
    assert "09:00" in error.message
    assert "Siti" not in error.message  # no member's name in a refusal


def test_moving_an_event_moves_its_hold(space, manager):
    event = make_event(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    first = services.hold_room_for_event(event=event, by=manager)
    event.starts_at, event.ends_at = at(WEDNESDAY, 9, 30), at(WEDNESDAY, 10, 30)
    event.save()
    moved = services.hold_room_for_event(event=event, by=manager)
    assert moved.pk == first.pk
    assert moved.starts_at == at(WEDNESDAY, 9)
    other_room = SpaceFactory(branch=space.branch)
    event.space = other_room
    event.save()
    assert services.hold_room_for_event(event=event, by=manager).space == other_room
    assert Booking.objects.filter(event=event).count() == 1


def test_a_cancelled_event_or_one_without_a_room_holds_nothing(space, manager):
    event = make_event(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    hold = services.hold_room_for_event(event=event, by=manager)
    event.status = Event.Status.CANCELLED
    event.save()
    assert services.hold_room_for_event(event=event, by=manager) is None
    hold.refresh_from_db()
    assert hold.status == Booking.Status.CANCELLED
    outside = make_event(None, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert services.hold_room_for_event(event=outside, by=manager) is None
    # Scheduled again: the room is taken back.
    event.status = Event.Status.SCHEDULED
    event.save()
    assert services.hold_room_for_event(event=event, by=manager).status == Booking.Status.CONFIRMED


def test_a_members_booking_cannot_cancel_an_events_hold(space, manager):
    event = make_event(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    hold = services.hold_room_for_event(event=event, by=manager)
    assert refused(services.cancel_booking, booking=hold, by=manager).code == "spaces.not_allowed"


# --- decisions ---------------------------------------------------------------------------------


@pytest.fixture
def request_(book, space):
    space.requires_approval = True
    space.save()
    return book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))


def test_approve(request_, manager, now):
    booking = services.approve_booking(booking=request_, by=manager, now=now)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.decided_by == manager
    assert AuditEntry.objects.filter(action="spaces.approve").exists()
    assert Notification.objects.filter(kind="spaces.booking_approved").exists()
    # Twice: the table does not allow it.
    assert (
        refused(services.approve_booking, booking=booking, by=manager, now=now).code
        == "spaces.illegal_transition"
    )


def test_decline_needs_a_reason_and_tells_it(request_, manager):
    assert refused(services.decline_booking, booking=request_, reason=" ", by=manager).code == (
        "spaces.reason_required"
    )
    booking = services.decline_booking(booking=request_, reason="Dipakai rapat dinas", by=manager)
    assert booking.status == Booking.Status.DECLINED
    notice = Notification.objects.filter(kind="spaces.booking_declined").first()
    assert "Dipakai rapat dinas" in notice.body


def test_only_managers_decide(request_, member):
    assert (
        refused(services.approve_booking, booking=request_, by=member.user).code
        == "spaces.not_allowed"
    )
    assert (
        refused(services.decline_booking, booking=request_, reason="x", by=None).code
        == "spaces.not_allowed"
    )


def test_an_ended_request_cannot_be_approved(request_, manager):
    error = refused(services.approve_booking, booking=request_, by=manager, now=at(WEDNESDAY, 11))
    assert error.code == "spaces.in_the_past"


# --- cancelling --------------------------------------------------------------------------------


def test_a_member_cancels_their_own_before_it_starts(book, space, member):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    stranger = MemberFactory(
        home_branch=space.branch, user=UserFactory(), expires_on=WEDNESDAY + 300 * DAY
    )
    assert (
        refused(services.cancel_booking, booking=booking, by=stranger.user).code
        == "spaces.booking_not_found"
    )
    assert (
        refused(
            services.cancel_booking, booking=booking, by=member.user, now=at(WEDNESDAY, 9, 5)
        ).code
        == "spaces.in_the_past"
    )
    cancelled = services.cancel_booking(booking=booking, by=member.user, now=at(WEDNESDAY, 8))
    assert cancelled.status == Booking.Status.CANCELLED
    assert not AuditEntry.objects.filter(action="spaces.cancel").exists()


def test_staff_cancel_any_booking_even_once_begun(book, space, manager):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    cancelled = services.cancel_booking(
        booking=booking, by=manager, reason="Atap bocor", now=at(WEDNESDAY, 9, 30)
    )
    assert cancelled.status == Booking.Status.CANCELLED
    assert AuditEntry.objects.get(action="spaces.cancel").data["reason"] == "Atap bocor"
    assert refused(services.cancel_booking, booking=cancelled, by=manager).code == (
        "spaces.illegal_transition"
    )


# --- check-in ----------------------------------------------------------------------------------


def test_check_in_window(book, space, member, manager):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    assert (
        refused(
            services.check_in_booking, booking=booking, by=member.user, now=at(WEDNESDAY, 8, 44)
        ).code
        == "spaces.check_in_not_open"
    )
    assert (
        refused(
            services.check_in_booking, booking=booking, by=manager, now=at(WEDNESDAY, 9, 16)
        ).code
        == "spaces.check_in_closed"
    )
    checked = services.check_in_booking(booking=booking, by=member.user, now=at(WEDNESDAY, 8, 45))
    assert checked.status == Booking.Status.CHECKED_IN
    assert checked.checked_in_at == at(WEDNESDAY, 8, 45)


def test_staff_check_in_at_the_end_of_the_window(book, space, manager):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    checked = services.check_in_booking(booking=booking, by=manager, now=at(WEDNESDAY, 9, 15))
    assert checked.status == Booking.Status.CHECKED_IN
    assert AuditEntry.objects.filter(action="spaces.check_in").exists()


def test_nobody_else_checks_in(book, space, other_member):
    booking = book(space, at(WEDNESDAY, 9), at(WEDNESDAY, 10))
    error = refused(services.check_in_booking, booking=booking, by=None, now=at(WEDNESDAY, 9))
    assert error.code == "spaces.booking_not_found"


def test_a_request_cannot_be_checked_in(request_, manager):
    error = refused(services.check_in_booking, booking=request_, by=manager, now=at(WEDNESDAY, 9))
    assert error.code == "spaces.illegal_transition"
