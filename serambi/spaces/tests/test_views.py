"""The public creative-space pages: rooms, the week's slot grid, booking, a member's bookings."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.tests.factories import UserFactory
from serambi.members.tests.factories import MemberFactory
from serambi.spaces import services
from serambi.spaces.models import Booking

from .factories import EquipmentFactory


def next_weekday(min_days: int = 2) -> datetime.date:
    """A Monday–Friday at least ``min_days`` ahead: the branch is open then."""
    day = timezone.localdate() + datetime.timedelta(days=min_days)
    while day.weekday() > 4:
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def member_client(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def stranger(branch):
    user = UserFactory(username="wati", roles=["patron"])
    return MemberFactory(user=user, home_branch=branch)


@pytest.fixture
def stranger_client(stranger) -> Client:
    client = Client()
    client.force_login(stranger.user)
    return client


@pytest.fixture
def member(branch):
    user = UserFactory(username="anggota", roles=["patron"])
    return MemberFactory(home_branch=branch, user=user, full_name="Budi Santoso")


def _book(space, member, day, hour=10, **extra):
    return services.book_space(
        space=space,
        member=member,
        starts_at=at(day, hour),
        ends_at=at(day, hour + 1),
        by=member.user,
        **extra,
    )


def test_rooms_page_lists_rooms_by_branch(client, space):
    space.features = "Proyektor\nPapan tulis"
    space.accessibility = "Pintu lebar, tanpa tangga"
    space.save()
    page = client.get(reverse("spaces:index")).content.decode()
    assert "Ruang Diskusi A" in page
    assert "Proyektor" in page
    assert "Pintu lebar" in page
    assert space.get_absolute_url() in page


def test_space_page_shows_free_slots_linking_to_the_booking_form(client, space):
    day = next_weekday()
    response = client.get(space.get_absolute_url(), {"dari": day.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    book_url = reverse("spaces:book", args=[space.slug])
    assert f"{book_url}?mulai={day:%Y-%m-%d}T10:00" in page
    assert "slot-grid" in page


def test_a_taken_slot_is_not_a_link(client, space, member):
    day = next_weekday()
    _book(space, member, day, 10)
    page = client.get(space.get_absolute_url(), {"dari": day.isoformat()}).content.decode()
    assert f"?mulai={day:%Y-%m-%d}T10:00" not in page
    assert f"?mulai={day:%Y-%m-%d}T11:00" in page
    assert "Budi Santoso" not in page  # who booked is nobody's business


@pytest.mark.parametrize(
    "query", [{"dari": "kemarin"}, {"hari": "2026-99-99"}, {"dari": "1900-01-01"}]
)
def test_space_page_ignores_garbage_dates(client, space, query):
    assert client.get(space.get_absolute_url(), query).status_code == 200


def test_unknown_room_is_not_found(client, db):
    assert client.get(reverse("spaces:space", args=["tidak-ada"])).status_code == 404


def test_booking_form_asks_visitors_to_sign_in(client, space):
    response = client.get(reverse("spaces:book", args=[space.slug]))
    assert response.status_code == 200
    assert 'id="sign-in-to-book"' in response.content.decode()
    assert client.post(reverse("spaces:book", args=[space.slug])).status_code == 200
    assert not Booking.objects.exists()


def test_booking_form_is_prefilled_with_the_slot(member_client, space):
    day = next_weekday()
    response = member_client.get(
        reverse("spaces:book", args=[space.slug]), {"mulai": f"{day:%Y-%m-%d}T13:30"}
    )
    assert f'value="{day:%Y-%m-%d}T13:30"' in response.content.decode()


def test_member_books_a_room(member_client, member, space):
    camera = EquipmentFactory(branch=space.branch, space=space, name="Kamera Sony")
    day = next_weekday()
    response = member_client.post(
        reverse("spaces:book", args=[space.slug]),
        {
            "starts_at": f"{day:%Y-%m-%d}T10:00",
            "minutes": "90",
            "purpose": "Rekaman siniar",
            "people": "3",
            "equipment": [camera.pk],
            "accommodations": "Kursi roda",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:my_bookings")
    booking = Booking.objects.get(member=member)
    assert booking.starts_at == at(day, 10)
    assert booking.ends_at == at(day, 11, 30)
    assert booking.accommodations == "Kursi roda"
    assert list(booking.equipment_holds.values_list("equipment", flat=True)) == [camera.pk]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"starts_at": "besok", "minutes": "60", "purpose": "x", "people": "1"},
        {"starts_at": "2030-01-01T10:00", "minutes": "7", "purpose": "x", "people": "1"},
        {"starts_at": "2030-01-01T10:00", "minutes": "60", "purpose": "x", "people": "-4"},
        {"starts_at": "2030-01-01T10:00", "minutes": "60", "purpose": "x", "people": "500"},
    ],
)
def test_booking_garbage_gives_form_errors_not_500(member_client, space, data):
    response = member_client.post(reverse("spaces:book", args=[space.slug]), data)
    assert response.status_code == 422
    assert not Booking.objects.exists()


def test_a_rule_refusal_is_shown_on_the_form(member_client, member, other_member, space):
    day = next_weekday()
    _book(space, other_member, day, 10)
    response = member_client.post(
        reverse("spaces:book", args=[space.slug]),
        {
            "starts_at": f"{day:%Y-%m-%d}T10:00",
            "minutes": "60",
            "purpose": "Belajar",
            "people": "2",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert not Booking.objects.filter(member=member).exists()


def test_my_bookings_shows_only_mine_with_cancel(member_client, member, stranger, space):
    day = next_weekday()
    mine = _book(space, member, day, 10)
    theirs = _book(space, stranger, day, 13)
    page = member_client.get(reverse("spaces:my_bookings")).content.decode()
    assert f"booking-{mine.pk}" in page
    assert reverse("spaces:cancel", args=[mine.pk]) in page
    assert f"booking-{theirs.pk}" not in page


def test_member_cancels_own_booking(member_client, member, space):
    booking = _book(space, member, next_weekday(), 10)
    response = member_client.post(reverse("spaces:cancel", args=[booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_another_members_booking_is_not_found(stranger_client, member, space):
    booking = _book(space, member, next_weekday(), 10)
    assert stranger_client.post(reverse("spaces:cancel", args=[booking.pk])).status_code == 404
    assert stranger_client.post(reverse("spaces:check_in", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_member_checks_in_within_the_window(member_client, member, space):
    booking = _book(space, member, next_weekday(), 10)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(minutes=55),
        blocked_until=timezone.now() + datetime.timedelta(minutes=55),
    )
    page = member_client.get(reverse("spaces:my_bookings")).content.decode()
    assert reverse("spaces:check_in", args=[booking.pk]) in page
    member_client.post(reverse("spaces:check_in", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN


def test_my_bookings_needs_sign_in(client, db):
    assert reverse("accounts:login") in client.get(reverse("spaces:my_bookings"))["Location"]
