"""The events API: the public calendar and event page; a member registers and cancels."""

import datetime

import pytest
from django.utils import timezone

from serambi.api.services import create_token
from serambi.api.tests.conftest import bearer
from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.members.tests.factories import MemberFactory
from serambi.programs import services
from serambi.programs.models import Program, Registration

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
MAX_ID = 2**63 - 1


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def coordinator(db):
    return UserFactory(username="kegiatan", roles=["programs"])


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
def siti_token(siti):
    return bearer(create_token(user=siti.user).secret)


def at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_program(by, **values) -> Program:
    data = {
        "title": "Diskusi Buku Bulanan",
        "category": Program.Category.BOOK_DISCUSSION,
        "audience": Program.Audience.ADULTS,
        "summary": "Satu buku sebulan, dibicarakan bersama.",
        "partners": "Komunitas Literasi, Dinas Perpustakaan",
        **values,
    }
    return services.create_program(data=data, by=by)


def make_event(by, prog, *, days=3, branch=None, capacity=None, **values):
    data = {
        "starts_at": at(days),
        "ends_at": at(days, 12),
        "branch": branch,
        "capacity": capacity,
        **values,
    }
    return services.schedule_event(program=prog, data=data, by=by)[0]


def guest(ev, number: int) -> Registration:
    return services.register(
        event=ev, by=None, guest_name=f"Tamu {number}", guest_phone=f"08123456{number:04d}"
    )


# --- the public calendar ------------------------------------------------------------


def test_anyone_sees_coming_events_with_seats_left_and_the_waitlist_flag(
    client, coordinator, branch
):
    discussion = make_program(coordinator)
    full = make_event(
        coordinator, discussion, days=2, branch=branch, capacity=2, title="Laut Bercerita"
    )
    guest(full, 1)
    guest(full, 2)
    open_talk = make_event(coordinator, discussion, days=5, branch=branch, capacity=None)
    make_event(coordinator, discussion, days=-3, branch=branch)  # over

    response = client.get(EVENTS)

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    first, second = body["events"]
    assert first["id"] == full.pk
    assert first["title"] == "Laut Bercerita"
    assert (first["capacity"], first["seats_left"], first["waitlist"]) == (2, 0, True)
    assert first["program"]["title"] == "Diskusi Buku Bulanan"
    assert first["program"]["partners"] == ["Komunitas Literasi", "Dinas Perpustakaan"]
    assert first["branch"] == {"code": "pusat", "name": "Perpustakaan Pusat"}
    assert second["id"] == open_talk.pk
    assert (second["seats_left"], second["waitlist"]) == (None, False)


def test_the_calendar_filters_by_category_audience_branch_and_dates(client, coordinator, branch):
    other_branch = BranchFactory(code="utara", name="Cabang Utara")
    discussion = make_program(coordinator)
    stories = make_program(
        coordinator,
        title="Mendongeng Sabtu Pagi",
        category=Program.Category.STORYTELLING,
        audience=Program.Audience.CHILDREN,
    )
    talk = make_event(coordinator, discussion, days=2, branch=branch)
    tale = make_event(coordinator, stories, days=4, branch=other_branch)
    later = make_event(coordinator, discussion, days=20, branch=branch)

    def ids(**params):
        response = client.get(EVENTS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["events"]]

    assert ids(category="storytelling") == [tale.pk]
    assert ids(audience="adults") == [talk.pk, later.pk]
    assert ids(branch="utara") == [tale.pk]
    assert ids(branch="nowhere") == []
    day = timezone.localdate()
    assert ids(**{"from": day + datetime.timedelta(days=3)}) == [tale.pk, later.pk]
    assert ids(**{"to": day + datetime.timedelta(days=10)}) == [talk.pk, tale.pk]
    assert ids(per_page=1, page=2) == [tale.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"category": "karaoke"},
        {"from": "yesterday"},
        {"to": "0"},
        {"from": "2026-02-30"},
        {"page": 0},
        {"per_page": 1000},
        {"branch": "a\x00b"},
    ],
)
def test_bad_filters_are_refused_as_json(client, params):
    response = client.get(EVENTS, params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_an_event_page_and_an_unknown_event(client, coordinator, branch):
    ev = make_event(
        coordinator, make_program(coordinator, description="Bawa bukumu."), branch=branch
    )

    found = client.get(f"{EVENTS}/{ev.pk}")
    missing = client.get(f"{EVENTS}/{ev.pk + 1000}")
    garbage = client.get(f"{EVENTS}/abc")

    assert found.status_code == 200
    assert found.json()["description"] == "Bawa bukumu."
    assert missing.status_code == 404
    assert missing.json()["code"] == "programs.event_not_found"
    assert garbage.status_code == 422
    assert garbage.json()["code"] == "validation_error"


# --- registering -----------------------------------------------------------------------


def test_registering_needs_a_signed_in_member(client, coordinator, branch):
    ev = make_event(coordinator, make_program(coordinator), branch=branch, capacity=5)
    staff = bearer(create_token(user=coordinator).secret)

    anonymous = client.post(f"{EVENTS}/{ev.pk}/registrations")
    no_card = client.post(f"{EVENTS}/{ev.pk}/registrations", headers=staff)
    mine = client.get("/api/v1/me/registrations", headers=staff)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth.required"
    assert no_card.status_code == mine.status_code == 404
    assert no_card.json()["code"] == mine.json()["code"] == "members.not_a_member"
    assert not Registration.objects.exists()


def test_a_member_registers_then_waits_in_line_when_the_event_is_full(
    client, coordinator, branch, patron, budi
):
    ev = make_event(coordinator, make_program(coordinator), branch=branch, capacity=1)
    other = make_event(
        coordinator, make_program(coordinator, title="Kelas Bahasa Inggris"), branch=branch
    )
    guest(ev, 1)

    waiting = client.post(f"{EVENTS}/{ev.pk}/registrations", headers=patron)
    confirmed = client.post(f"{EVENTS}/{other.pk}/registrations", headers=patron)
    again = client.post(f"{EVENTS}/{ev.pk}/registrations", headers=patron)

    assert waiting.status_code == 201
    body = waiting.json()
    assert (body["status"], body["waitlist_position"]) == ("waitlisted", 1)
    assert body["event"]["id"] == ev.pk
    assert confirmed.status_code == 201
    assert (confirmed.json()["status"], confirmed.json()["waitlist_position"]) == (
        "confirmed",
        None,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "programs.already_registered"
    assert Registration.objects.filter(member=budi).count() == 2


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"registration_required": False}, "programs.no_registration_needed"),
        ({"registration_closes_at": at(-1)}, "programs.registration_closed"),
        (
            {"registration_opens_at": at(1), "registration_closes_at": at(2)},
            "programs.registration_not_open",
        ),  # noqa: E501
    ],
)
def test_a_refused_registration_answers_409_with_its_code(
    client, coordinator, branch, patron, values, code
):
    ev = make_event(coordinator, make_program(coordinator), branch=branch, **values)

    response = client.post(f"{EVENTS}/{ev.pk}/registrations", headers=patron)

    assert response.status_code == 409
    assert response.json()["code"] == code


def test_a_cancelled_event_refuses_registrations(client, coordinator, branch, patron):
    ev = make_event(coordinator, make_program(coordinator), branch=branch)
    services.cancel_event(event=ev, reason="Pemateri sakit", by=coordinator)

    response = client.post(f"{EVENTS}/{ev.pk}/registrations", headers=patron)

    assert response.status_code == 409
    assert response.json()["code"] == "programs.event_cancelled"


def test_cancelling_frees_the_seat_for_the_first_in_line(client, coordinator, branch, patron, budi):
    ev = make_event(coordinator, make_program(coordinator), branch=branch, capacity=1)
    mine = services.register(event=ev, member=budi, by=budi.user)
    first_in_line = guest(ev, 1)
    second_in_line = guest(ev, 2)

    response = client.delete(f"{EVENTS}/{ev.pk}/registrations/{mine.pk}", headers=patron)
    again = client.delete(f"{EVENTS}/{ev.pk}/registrations/{mine.pk}", headers=patron)

    assert response.status_code == 204
    mine.refresh_from_db()
    first_in_line.refresh_from_db()
    second_in_line.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED
    assert first_in_line.status == Registration.Status.CONFIRMED
    assert second_in_line.status == Registration.Status.WAITLISTED
    assert again.status_code == 204  # a double click changes nothing


def test_someone_elses_registration_is_not_found(
    client, coordinator, branch, patron, siti, siti_token
):
    ev = make_event(coordinator, make_program(coordinator), branch=branch)
    other = make_event(coordinator, make_program(coordinator, title="Lain"), branch=branch)
    hers = services.register(event=ev, member=siti, by=siti.user)
    her_other = services.register(event=other, member=siti, by=siti.user)

    not_mine = client.delete(f"{EVENTS}/{ev.pk}/registrations/{hers.pk}", headers=patron)
    wrong_event = client.delete(
        f"{EVENTS}/{ev.pk}/registrations/{her_other.pk}", headers=siti_token
    )
    nothing = client.delete(f"{EVENTS}/{ev.pk}/registrations/{MAX_ID}", headers=patron)

    for response in (not_mine, wrong_event, nothing):
        assert response.status_code == 404
        assert response.json()["code"] == "programs.registration_not_found"
    hers.refresh_from_db()
    her_other.refresh_from_db()
    assert hers.status == her_other.status == Registration.Status.CONFIRMED


def test_my_registrations_are_mine_only_with_place_in_line_and_certificate(
    client, coordinator, branch, patron, budi, siti
):
    workshop = make_program(coordinator, title="Bengkel Penulisan", gives_certificate=True)
    past = make_event(coordinator, workshop, days=-2, branch=branch)
    full = make_event(coordinator, workshop, days=4, branch=branch, capacity=1)
    services.register(event=past, member=budi, by=budi.user, now=at(-5))
    attended = Registration.objects.get(member=budi, event=past)
    services.check_in(token=attended.token, event=past, by=coordinator, now=at(-2))
    services.close_event(event=past, by=coordinator)
    services.register(event=full, member=siti, by=siti.user)
    services.register(event=full, member=budi, by=budi.user)

    response = client.get("/api/v1/me/registrations", headers=patron)

    assert response.status_code == 200
    rows = response.json()
    assert [(row["event"]["id"], row["status"]) for row in rows] == [
        (past.pk, "attended"),
        (full.pk, "waitlisted"),
    ]
    assert rows[0]["certificate_code"] == attended.certificate.code
    assert rows[1]["waitlist_position"] == 1
    assert rows[1]["certificate_code"] is None
