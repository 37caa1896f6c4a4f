"""The staff creative-space pages: the day view, approvals, check-in at the desk, usage."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from serambi.spaces.models import Booking

from .factories import SpaceFactory
from .test_views import _book, next_weekday


@pytest.fixture
def manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def approval_room(open_hours):
    return SpaceFactory(
        branch=open_hours, name="Studio Konten", slug="studio", requires_approval=True
    )


PAGES = ["spaces_staff:day", "spaces_staff:approvals", "spaces_staff:usage"]


@pytest.mark.parametrize("name", PAGES)
def test_a_patron_cannot_reach_staff_pages(patron_client, name):
    assert patron_client.get(reverse(name)).status_code == 403


def test_a_patron_cannot_approve(patron_client, approval_room, member):
    booking = _book(approval_room, member, next_weekday(), 10)
    assert patron_client.post(reverse("spaces_staff:approve", args=[booking.pk])).status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


@pytest.mark.parametrize("name", PAGES)
def test_manager_reaches_staff_pages(manager_client, space, name):
    assert manager_client.get(reverse(name)).status_code == 200


def test_day_view_places_bookings_in_their_rows_and_hours(manager_client, space, member, branch):
    day = next_weekday()
    booking = _book(space, member, day, 10)
    response = manager_client.get(
        reverse("spaces_staff:day"), {"branch": branch.code, "day": day.isoformat()}
    )
    page = response.content.decode()
    assert f'id="booking-{booking.pk}"' in page
    assert member.full_name in page
    (row, cells), *_ = response.context["rows"]
    assert row.space == space
    hours = list(response.context["hours"])
    booked = [index for index, cell in enumerate(cells) if cell["bookings"]]
    assert hours[sum(c["span"] for c in cells[: booked[0]])] == 10


@pytest.mark.parametrize(
    "query", [{"day": "kemarin"}, {"branch": "tidak-ada"}, {"day": "2026-02-31"}]
)
def test_day_view_survives_garbage(manager_client, space, query):
    assert manager_client.get(reverse("spaces_staff:day"), query).status_code == 200


def test_approve_and_decline_from_the_queue(manager_client, approval_room, member):
    day = next_weekday()
    first = _book(approval_room, member, day, 9)
    second = _book(approval_room, member, day, 13)
    page = manager_client.get(reverse("spaces_staff:approvals")).content.decode()
    assert f"booking-{first.pk}" in page and f"booking-{second.pk}" in page
    manager_client.post(reverse("spaces_staff:approve", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == Booking.Status.CONFIRMED
    response = manager_client.post(
        reverse("spaces_staff:decline", args=[second.pk]), {"reason": ""}
    )
    assert response.status_code == 422
    manager_client.post(
        reverse("spaces_staff:decline", args=[second.pk]), {"reason": "Ruang dipakai rapat dinas"}
    )
    second.refresh_from_db()
    assert second.status == Booking.Status.DECLINED
    assert second.decision_reason == "Ruang dipakai rapat dinas"


def test_desk_check_in(manager_client, space, member):
    from django.utils import timezone

    booking = _book(space, member, next_weekday(), 10)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        ends_at=timezone.now() + datetime.timedelta(minutes=55),
        blocked_until=timezone.now() + datetime.timedelta(minutes=55),
    )
    response = manager_client.post(reverse("spaces_staff:check_in", args=[booking.pk]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CHECKED_IN


def test_unknown_booking_is_not_found(manager_client, db):
    assert manager_client.post(reverse("spaces_staff:approve", args=[999999])).status_code == 404


def test_usage_report_for_a_date_range(manager_client, space, member, branch):
    day = next_weekday()
    _book(space, member, day, 10)
    response = manager_client.get(
        reverse("spaces_staff:usage"),
        {"branch": branch.code, "start": day.isoformat(), "end": day.isoformat()},
    )
    report = response.context["report"]
    assert report.spaces[0].bookings == 1
    assert report.hours_booked == 1.0


@pytest.mark.parametrize(
    "query",
    [
        {"start": "x", "end": "y"},
        {"start": "2026-03-10", "end": "2026-03-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
    ],
)
def test_usage_report_garbage_gives_form_errors(manager_client, space, query):
    response = manager_client.get(reverse("spaces_staff:usage"), query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["report"] is None
