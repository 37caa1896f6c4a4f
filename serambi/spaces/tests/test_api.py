"""The spaces API: rooms and their slot grid for anyone; a member books and cancels."""

import datetime

import pytest
from django.utils import timezone

from serambi.api.services import create_token
from serambi.api.tests.conftest import bearer
from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.members.tests.factories import MemberFactory
from serambi.spaces import services
from serambi.spaces.models import Booking, Equipment, Space

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings"
MAX_ID = 2**63 - 1


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def budi(patron_user, branch):
    return MemberFactory(user=patron_user, full_name="Budi Santoso", home_branch=branch)


@pytest.fixture
def patron(budi, patron_user):
    return bearer(create_token(user=patron_user).secret)


@pytest.fixture
def siti(branch):
    user = UserFactory(username="siti", roles=["patron"])
    return MemberFactory(user=user, full_name="Siti Rahayu", home_branch=branch)


@pytest.fixture
def room(branch) -> Space:
    """A discussion room at a branch with no opening hours entered: open all day."""
    return Space.objects.create(
        branch=branch,
        name="Ruang Diskusi 1",
        slug="ruang-diskusi-1",
        kind=Space.Kind.DISCUSSION_ROOM,
        capacity=8,
        features="Layar TV\nPapan tulis\n",
        opens=datetime.time(8),
        closes=datetime.time(16),
        slot_minutes=30,
        min_minutes=30,
        max_minutes=120,
        book_ahead_days=14,
    )


@pytest.fixture
def studio(branch) -> Space:
    return Space.objects.create(
        branch=branch,
        name="Studio Konten Digital",
        slug="studio-konten",
        kind=Space.Kind.DIGITAL_STUDIO,
        capacity=4,
        opens=datetime.time(8),
        closes=datetime.time(16),
        slot_minutes=60,
        min_minutes=60,
        max_minutes=180,
        requires_approval=True,
    )


@pytest.fixture
def camera(branch, studio) -> Equipment:
    return Equipment.objects.create(branch=branch, name="Kamera mirrorless", space=studio)


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def body(space: str | None = "ruang-diskusi-1", *, days=1, start=10, end=11, **more):
    return {
        "space": space,
        "starts_at": at(days, start).isoformat(),
        "ends_at": at(days, end).isoformat(),
        "purpose": "Kerja kelompok",
        "people": 4,
        **more,
    }


def post(client, payload, headers):
    return client.post(BOOKINGS, payload, content_type="application/json", headers=headers)


def book(space, member, *, days=1, start=10, end=11) -> Booking:
    return services.book_space(
        space=space,
        member=member,
        starts_at=at(days, start),
        ends_at=at(days, end),
        by=member.user,
    )


# --- the public rooms -------------------------------------------------------------------


def test_anyone_sees_the_bookable_rooms_by_branch_with_rules_and_equipment(
    client, room, studio, camera
):
    elsewhere = BranchFactory(code="utara", name="Cabang Utara")
    Space.objects.create(
        branch=elsewhere, name="Ruang Belajar", slug="ruang-belajar", kind=Space.Kind.OTHER
    )
    Space.objects.create(
        branch=room.branch, name="Gudang", slug="gudang", kind=Space.Kind.OTHER, is_active=False
    )

    everywhere = client.get("/api/v1/spaces")
    here = client.get("/api/v1/spaces", {"branch": "pusat"})
    nowhere = client.get("/api/v1/spaces", {"branch": "tidak-ada"})

    assert everywhere.status_code == 200
    assert {row["slug"] for row in everywhere.json()} == {
        "ruang-diskusi-1",
        "studio-konten",
        "ruang-belajar",
    }
    rows = {row["slug"]: row for row in here.json()}
    assert set(rows) == {"ruang-diskusi-1", "studio-konten"}
    assert rows["ruang-diskusi-1"]["features"] == ["Layar TV", "Papan tulis"]
    assert rows["studio-konten"]["requires_approval"] is True
    assert rows["studio-konten"]["equipment"] == [
        {"id": camera.pk, "name": "Kamera mirrorless", "description": "", "bookable_alone": False}
    ]
    assert nowhere.json() == []


def test_the_slot_grid_shows_free_taken_and_closed_slots(client, room, budi):
    book(room, budi, days=1, start=10, end=11)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.get(
        f"/api/v1/spaces/{room.slug}/slots",
        {"start": tomorrow.isoformat(), "end": (tomorrow + datetime.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200
    grid = response.json()
    assert (grid["space"], grid["slot_minutes"]) == ("ruang-diskusi-1", 30)
    assert [day["date"] for day in grid["days"]] == [
        tomorrow.isoformat(),
        (tomorrow + datetime.timedelta(days=1)).isoformat(),
    ]
    first = grid["days"][0]
    assert first["is_open"] is True
    states = {
        timezone.localtime(datetime.datetime.fromisoformat(slot["start"])).strftime("%H:%M"): slot[
            "state"
        ]
        for slot in first["slots"]
    }
    assert states["08:00"] == states["11:00"] == "free"
    assert states["10:00"] == states["10:30"] == "taken"
    assert "booking_id" not in first["slots"][0]  # who booked is nobody's business


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"start": "2026-03-01", "end": "2026-04-15"}, 422, "spaces.invalid_range"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, 422, "spaces.invalid_range"),
        ({"start": "9999-12-31"}, 422, "spaces.invalid_range"),
        ({"start": "besok"}, 422, "validation_error"),
        ({"end": "0"}, 422, "validation_error"),
    ],
)
def test_a_bad_date_range_is_refused(client, room, params, status, code):
    response = client.get(f"/api/v1/spaces/{room.slug}/slots", params)

    assert response.status_code == status
    assert response.json()["code"] == code


def test_an_unknown_room_has_no_slots(client, room):
    response = client.get("/api/v1/spaces/tidak-ada/slots")

    assert response.status_code == 404
    assert response.json()["code"] == "spaces.space_not_found"


# --- booking --------------------------------------------------------------------------------


def test_booking_needs_a_signed_in_member(client, room):
    staff = bearer(create_token(user=UserFactory(username="ruang", roles=["programs"])).secret)

    anonymous = post(client, body(), {})
    no_card = post(client, body(), staff)
    mine = client.get("/api/v1/me/bookings", headers=staff)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth.required"
    assert no_card.status_code == mine.status_code == 404
    assert no_card.json()["code"] == mine.json()["code"] == "members.not_a_member"
    assert not Booking.objects.exists()


def test_a_member_books_a_room_confirmed_at_once(client, room, patron, budi):
    response = post(client, body(accommodations="Kursi roda"), patron)

    assert response.status_code == 201
    answer = response.json()
    booking = Booking.objects.get()
    assert answer["id"] == booking.pk
    assert (answer["status"], booking.member) == ("confirmed", budi)
    assert answer["space"] == {
        "slug": "ruang-diskusi-1",
        "name": "Ruang Diskusi 1",
        "branch": {"code": "pusat", "name": "Perpustakaan Pusat"},
    }
    assert (answer["purpose"], answer["people"], answer["accommodations"]) == (
        "Kerja kelompok",
        4,
        "Kursi roda",
    )
    assert datetime.datetime.fromisoformat(answer["starts_at"]) == at(1, 10)


def test_a_time_without_a_zone_is_the_librarys_local_time(client, room, patron):
    day = timezone.localdate() + datetime.timedelta(days=2)
    payload = {
        "space": room.slug,
        "starts_at": f"{day.isoformat()}T13:00:00",
        "ends_at": f"{day.isoformat()}T14:30:00",
    }

    response = post(client, payload, patron)

    assert response.status_code == 201, response.json()
    assert Booking.objects.get().starts_at == at(2, 13)


def test_a_room_needing_approval_is_requested_with_its_equipment(client, studio, camera, patron):
    response = post(
        client, body("studio-konten", start=9, end=11, people=2, equipment=[camera.pk]), patron
    )

    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["status"] == "requested"
    assert answer["equipment"] == [{"id": camera.pk, "name": "Kamera mirrorless"}]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (body(start=13, end=14), 409, "spaces.slot_taken"),
        (body(start=17, end=18), 409, "spaces.outside_opening_hours"),
        (body(people=20), 409, "spaces.too_many_people"),
        (body(days=-1), 409, "spaces.in_the_past"),
        (body(days=60), 409, "spaces.too_far_ahead"),
        (body("tidak-ada"), 404, "spaces.space_not_found"),
        (body(equipment=[MAX_ID]), 422, "spaces.unknown_equipment"),
        (body(starts_at="0001-01-01T00:00:00+14:00"), 422, "spaces.invalid_time"),
    ],
)
def test_a_refused_booking_answers_with_its_code(client, room, patron, siti, payload, status, code):
    book(room, siti, days=1, start=13, end=14)

    response = post(client, payload, patron)

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    "payload",
    [
        {"space": "ruang-diskusi-1"},
        body(people=0),
        body(starts_at="kemarin"),
        body(ends_at=1767225600),
        body(equipment=["kamera"]),
        body(space="ruang diskusi"),
        body(purpose="a\x00b"),
        [1, 2],
    ],
)
def test_garbage_is_refused_as_json(client, room, patron, payload):
    response = post(client, payload, patron)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_body_that_is_not_json_is_refused(client, room, patron):
    response = client.post(BOOKINGS, "{nope", content_type="application/json", headers=patron)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_member_cancels_their_own_booking_not_someone_elses(client, room, patron, budi, siti):
    mine = book(room, budi, start=10, end=11)
    hers = book(room, siti, start=13, end=14)

    other = client.delete(f"{BOOKINGS}/{hers.pk}", headers=patron)
    nothing = client.delete(f"{BOOKINGS}/{MAX_ID}", headers=patron)
    cancelled = client.delete(f"{BOOKINGS}/{mine.pk}", headers=patron)

    assert other.status_code == nothing.status_code == 404
    assert other.json()["code"] == nothing.json()["code"] == "spaces.booking_not_found"
    assert cancelled.status_code == 204
    mine.refresh_from_db()
    hers.refresh_from_db()
    assert (mine.status, hers.status) == (Booking.Status.CANCELLED, Booking.Status.CONFIRMED)


def test_my_bookings_are_mine_only(client, room, patron, budi, siti):
    later = book(room, budi, days=3)
    sooner = book(room, budi, days=1)
    book(room, siti, days=2)

    response = client.get("/api/v1/me/bookings", headers=patron)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [later.pk, sooner.pk]
