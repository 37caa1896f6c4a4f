"""The staff events pages: permissions, programs and sessions, the registrant list, Excel,
messages, the door's check-in, closing and certificates."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.programs import services
from serambi.programs.models import Event, Program, Registration

from .factories import EventFactory


def _next(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def staff_client(coordinator) -> Client:
    client = Client()
    client.force_login(coordinator)
    return client


@pytest.fixture
def registrant(event, member, coordinator):
    return services.register(event=event, by=coordinator, member=member)


def _pages(event, registration=None):
    pk = event.pk
    return [
        reverse("programs_staff:index"),
        reverse("programs_staff:program", args=[event.program_id]),
        reverse("programs_staff:program_create"),
        reverse("programs_staff:program_update", args=[event.program_id]),
        reverse("programs_staff:event_create", args=[event.program_id]),
        reverse("programs_staff:event", args=[pk]),
        reverse("programs_staff:event_update", args=[pk]),
        reverse("programs_staff:event_cancel", args=[pk]),
        reverse("programs_staff:export", args=[pk]),
        reverse("programs_staff:message", args=[pk]),
        reverse("programs_staff:check_in", args=[pk]),
    ]


def test_a_patron_cannot_reach_staff_pages(patron_client, event):
    for url in _pages(event):
        assert patron_client.get(url).status_code == 403, url
    assert patron_client.post(reverse("programs_staff:close", args=[event.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, event):
    response = client.get(reverse("programs_staff:index"))
    assert reverse("accounts:login") in response["Location"]


def test_coordinator_reaches_every_page(staff_client, event):
    for url in _pages(event):
        assert staff_client.get(url).status_code == 200, url


def test_coordinator_creates_a_program(staff_client):
    response = staff_client.post(
        reverse("programs_staff:program_create"),
        {
            "title": "Literasi Digital untuk Lansia",
            "category": "digital",
            "audience": "seniors",
            "summary": "Belajar WhatsApp dan internet dengan aman.",
        },
    )
    program = Program.objects.get(title="Literasi Digital untuk Lansia")
    assert response["Location"] == reverse("programs_staff:program", args=[program.pk])
    assert program.slug


def test_program_form_garbage_gives_errors(staff_client):
    response = staff_client.post(
        reverse("programs_staff:program_create"),
        {"title": "", "category": "nope", "min_age": "12", "max_age": "3"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Program.objects.exists()


def test_coordinator_schedules_a_weekly_series(staff_client, program, branch):
    start = _next(1, 14)
    response = staff_client.post(
        reverse("programs_staff:event_create", args=[program.pk]),
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "branch": branch.pk,
            "setup_minutes": 30,
            "capacity": 25,
            "registration_required": "on",
            "repeat": "weekly",
            "until": (start + datetime.timedelta(days=21)).date().isoformat(),
        },
    )
    assert response.status_code == 302
    events = list(Event.objects.filter(program=program).order_by("starts_at"))
    assert len(events) == 4
    assert all(timezone.localtime(e.starts_at).hour == 14 for e in events)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"starts_at": "besok", "ends_at": "lusa"},
        {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T09:00", "setup_minutes": 0},
        {
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T12:00",
            "setup_minutes": 0,
            "repeat": "weekly",
        },
    ],
)
def test_event_form_garbage_gives_errors_not_500(staff_client, program, data):
    response = staff_client.post(reverse("programs_staff:event_create", args=[program.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Event.objects.filter(program=program).exists()


def test_cancel_event_needs_a_reason_and_tells_everyone(staff_client, event, registrant):
    url = reverse("programs_staff:event_cancel", args=[event.pk])
    assert staff_client.post(url, {"reason": ""}).status_code == 200
    response = staff_client.post(url, {"reason": "Pemateri berhalangan"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancel_reason == "Pemateri berhalangan"


def test_event_page_lists_registrations_and_the_waitlist(
    staff_client, event, coordinator, member, other_member, third_member
):
    for person in (member, other_member, third_member):
        services.register(event=event, by=coordinator, member=person)
    response = staff_client.get(reverse("programs_staff:event", args=[event.pk]))
    assert [r.member for r in response.context["seated"]] == [member, other_member]
    assert [r.member for r in response.context["waitlist"]] == [third_member]


def test_export_is_an_excel_workbook_with_name_contact_status_and_check_in(
    staff_client, event, registrant, coordinator
):
    guest = services.register(
        event=event, by=None, guest_name="=Tamu Jahil", guest_email="tamu@contoh.id"
    )
    response = staff_client.get(reverse("programs_staff:export", args=[event.pk]))
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert rows[0][1] == registrant.member.full_name
    assert rows[0][3] == registrant.member.phone
    assert rows[1][1] == "'=Tamu Jahil"  # never a formula in the librarian's spreadsheet
    assert rows[1][4] == guest.guest_email
    assert len(rows) == 2


def test_message_registrants(staff_client, event, registrant):
    url = reverse("programs_staff:message", args=[event.pk])
    assert staff_client.post(url, {"subject": "", "body": ""}).status_code == 200
    response = staff_client.post(url, {"subject": "Ganti ruang", "body": "Kita pindah ke aula."})
    assert response.status_code == 302


def _started(event):
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=10),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )


def test_check_in_by_token_answers_with_name_and_status(staff_client, event, registrant):
    _started(event)
    url = reverse("programs_staff:check_in", args=[event.pk])
    response = staff_client.post(url, {"token": registrant.token}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] and answer["name"] == registrant.member.full_name
    registrant.refresh_from_db()
    assert registrant.status == Registration.Status.ATTENDED


def test_check_in_from_a_scanner_without_javascript(staff_client, event, registrant):
    _started(event)
    response = staff_client.post(
        reverse("programs_staff:check_in", args=[event.pk]), {"token": registrant.token}
    )
    assert response.status_code == 200
    assert registrant.member.full_name in response.content.decode()


@pytest.mark.parametrize("token", ["", "bukan-token", "x" * 300])
def test_check_in_with_a_wrong_code_says_so(staff_client, event, token):
    response = staff_client.post(
        reverse("programs_staff:check_in", args=[event.pk]),
        {"token": token},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 422
    assert response.json()["ok"] is False


def test_check_in_with_the_code_of_another_event_is_refused(
    staff_client, event, member, coordinator
):
    other = EventFactory(program=event.program, branch=event.branch)
    registration = services.register(event=other, by=coordinator, member=member)
    _started(event)
    response = staff_client.post(
        reverse("programs_staff:check_in", args=[event.pk]),
        {"token": registration.token},
        HTTP_ACCEPT="application/json",
    )
    assert response.json()["code"] == "programs.wrong_event"


def test_manual_attendance_and_close_and_certificates(staff_client, event, registrant, coordinator):
    other = services.register(event=event, by=None, guest_name="Rina", guest_phone="081299998888")
    Program.objects.filter(pk=event.program_id).update(gives_certificate=True)
    _started(event)
    staff_client.post(
        reverse("programs_staff:mark_attendance", args=[event.pk, registrant.pk]), {"attended": "1"}
    )
    registrant.refresh_from_db()
    assert registrant.status == Registration.Status.ATTENDED
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    staff_client.post(reverse("programs_staff:close", args=[event.pk]))
    other.refresh_from_db()
    assert other.status == Registration.Status.NO_SHOW
    staff_client.post(reverse("programs_staff:certificates", args=[event.pk]))
    registrant.refresh_from_db()
    assert registrant.certificate.code


def test_attendance_of_another_events_registration_is_not_found(
    staff_client, event, member, coordinator
):
    other = EventFactory(program=event.program, branch=event.branch)
    registration = services.register(event=other, by=coordinator, member=member)
    url = reverse("programs_staff:mark_attendance", args=[event.pk, registration.pk])
    assert staff_client.post(url, {"attended": "1"}).status_code == 404


def test_unknown_event_is_not_found(staff_client, db):
    assert staff_client.get(reverse("programs_staff:event", args=[99999])).status_code == 404


def test_staff_nav_shows_events_to_the_coordinator(staff_client):
    page = staff_client.get(reverse("web:workspace")).content.decode()
    assert reverse("programs_staff:index") in page
    assert reverse("spaces_staff:day") in page
