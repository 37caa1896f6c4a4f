"""The public events pages: calendar, event page, registration by member and guest, the token
pages, certificates and a patron's own events."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory, UserFactory
from serambi.members.tests.factories import MemberFactory
from serambi.programs import services
from serambi.programs.models import Event, Program, Registration

from .factories import EventFactory, ProgramFactory


def _next(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def reader(branch):
    user = UserFactory(username="budi", roles=["patron"])
    return MemberFactory(user=user, home_branch=branch, full_name="Budi Santoso")


@pytest.fixture
def reader_client(reader) -> Client:
    client = Client()
    client.force_login(reader.user)
    return client


@pytest.fixture
def stranger(branch):
    user = UserFactory(username="wati", roles=["patron"])
    return MemberFactory(user=user, home_branch=branch, full_name="Wati Nugroho")


@pytest.fixture
def stranger_client(stranger) -> Client:
    client = Client()
    client.force_login(stranger.user)
    return client


@pytest.fixture
def workshop(branch):
    program = ProgramFactory(
        title="Bengkel Penulisan Kreatif",
        slug="bengkel-penulisan",
        category=Program.Category.WORKSHOP,
        audience=Program.Audience.TEENS,
        summary="Menulis cerpen bersama penulis tamu.",
    )
    return EventFactory(
        program=program,
        branch=branch,
        starts_at=_next(3, 9),
        ends_at=_next(3, 11),
        capacity=1,
        accessibility="Ruang di lantai dasar, tanpa tangga.",
    )


# --- calendar -----------------------------------------------------------------------------


def test_calendar_lists_upcoming_events_by_day(client, workshop):
    response = client.get(reverse("programs:calendar"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bengkel Penulisan Kreatif" in page
    assert workshop.get_absolute_url() in page
    assert "09.00" in page  # the time in the library's zone (WIB)


def test_calendar_filters_are_kept_in_the_url_and_applied(client, workshop, branch):
    other = EventFactory(program=ProgramFactory(title="Dongeng Anak"), starts_at=_next(4, 10))
    url = reverse("programs:calendar")
    page = client.get(url, {"category": "workshop"}).content.decode()
    assert "Bengkel Penulisan Kreatif" in page
    assert "Dongeng Anak" not in page
    page = client.get(url, {"branch": other.branch.code}).content.decode()
    assert "Dongeng Anak" in page
    assert "Bengkel Penulisan Kreatif" not in page
    assert "branch=" + other.branch.code in page  # the month link keeps the filter


@pytest.mark.parametrize(
    "query",
    [{"category": "nonsense"}, {"branch": "no-such"}, {"audience": "<script>"}, {"page": "x"}],
)
def test_calendar_ignores_garbage_filters(client, workshop, query):
    response = client.get(reverse("programs:calendar"), query)
    assert response.status_code == 200


def test_month_view_is_a_table_with_the_event_on_its_day(client, workshop):
    day = timezone.localtime(workshop.starts_at).date()
    response = client.get(reverse("programs:month", args=[day.year, day.month]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<table" in page and 'scope="col"' in page
    assert f'datetime="{day:%Y-%m-%d}"' in page
    assert "Bengkel Penulisan Kreatif" in page


@pytest.mark.parametrize("args", [(2026, 13), (2026, 0), (1800, 1)])
def test_month_view_of_an_impossible_month_is_not_found(client, db, args):
    assert client.get(reverse("programs:month", args=args)).status_code == 404


def test_program_page_lists_its_sessions(client, workshop):
    response = client.get(reverse("programs:program", args=["bengkel-penulisan"]))
    assert response.status_code == 200
    assert workshop.get_absolute_url() in response.content.decode()


def test_unpublished_program_is_not_found(client, workshop):
    Program.objects.filter(pk=workshop.program_id).update(is_published=False)
    assert client.get(reverse("programs:program", args=["bengkel-penulisan"])).status_code == 404
    assert client.get(workshop.get_absolute_url()).status_code == 404


# --- the event page -----------------------------------------------------------------------


def test_event_page_has_open_graph_tags_and_event_json_ld(client, workshop):
    response = client.get(workshop.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for prop in ("og:title", "og:description", "og:url", "og:type"):
        assert f'property="{prop}"' in page
    assert f'content="http://testserver{workshop.get_absolute_url()}"' in page
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(script.group(1))
    assert data["@type"] == "Event"
    assert data["startDate"].endswith("+07:00")
    assert data["startDate"].startswith(f"{timezone.localtime(workshop.starts_at):%Y-%m-%dT}09:00")
    assert data["location"]["name"] == workshop.branch.name
    assert "Ruang di lantai dasar" in page
    assert "1 seat left" in page or "1 kursi" in page


def test_event_page_shows_the_poster_as_og_image(client, workshop, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    Program.objects.filter(pk=workshop.program_id).update(poster="programs/2026/poster.jpg")
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert 'property="og:image" content="http://testserver/media/programs/2026/poster.jpg"' in page


def test_unknown_event_is_not_found(client, db):
    assert client.get(reverse("programs:event", args=[999999])).status_code == 404


def test_cancelled_event_says_so_and_offers_no_registration(client, workshop, librarian_user):
    services.cancel_event(event=workshop, reason="Pemateri sakit", by=librarian_user)
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert "Pemateri sakit" in page
    assert reverse("programs:register", args=[workshop.pk]) not in page


@pytest.fixture
def librarian_user(db):
    return UserFactory(username="koordinator", roles=["programs"])


# --- registration -------------------------------------------------------------------------


def test_member_registers_with_one_click(reader_client, reader, workshop):
    page = reader_client.get(workshop.get_absolute_url()).content.decode()
    assert 'id="register-button"' in page
    assert "guest-guest_name" not in page  # no guest form for a member
    response = reader_client.post(reverse("programs:register", args=[workshop.pk]))
    registration = Registration.objects.get(event=workshop, member=reader)
    assert registration.status == Registration.Status.CONFIRMED
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:registration", args=[registration.token])
    confirmation = reader_client.get(response["Location"]).content.decode()
    assert "<svg" in confirmation  # the QR code for the door
    assert reverse("programs:cancel_registration", args=[registration.token]) in confirmation


def test_registering_twice_is_refused_politely(reader_client, reader, workshop):
    reader_client.post(reverse("programs:register", args=[workshop.pk]))
    response = reader_client.post(reverse("programs:register", args=[workshop.pk]), follow=True)
    assert response.status_code == 200
    assert Registration.objects.filter(event=workshop, member=reader).count() == 1


def test_guest_registers_with_name_and_whatsapp(client, workshop):
    response = client.post(
        reverse("programs:register", args=[workshop.pk]),
        {"guest-guest_name": "Rina Tamu", "guest-guest_phone": "0812 1111 2222"},
    )
    registration = Registration.objects.get(event=workshop, guest_name="Rina Tamu")
    assert response["Location"] == reverse("programs:registration", args=[registration.token])
    assert registration.member is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"guest-guest_name": "Rina"},
        {"guest-guest_name": "Rina", "guest-guest_email": "bukan-email"},
        {"guest-guest_name": "x" * 500, "guest-guest_phone": "0812"},
    ],
)
def test_guest_form_garbage_gives_form_errors_not_500(client, workshop, data):
    response = client.post(reverse("programs:register", args=[workshop.pk]), data)
    assert response.status_code == 422
    assert 'class="form-errors"' in response.content.decode() or "has-error" in (
        response.content.decode()
    )
    assert not Registration.objects.filter(event=workshop).exists()


def test_full_event_puts_the_next_person_on_the_waitlist_with_a_position(
    client, reader_client, reader, workshop
):
    client.post(
        reverse("programs:register", args=[workshop.pk]),
        {"guest-guest_name": "Rina Tamu", "guest-guest_email": "rina@contoh.id"},
    )
    page = reader_client.get(workshop.get_absolute_url()).content.decode()
    assert "waitlist" in page.lower() or "daftar tunggu" in page.lower()
    response = reader_client.post(reverse("programs:register", args=[workshop.pk]), follow=True)
    registration = Registration.objects.get(event=workshop, member=reader)
    assert registration.status == Registration.Status.WAITLISTED
    assert response.context["position"] == 1
    assert "<svg" not in response.content.decode()  # no QR code for the waitlist


def test_cancel_link_asks_first_then_cancels_by_post(client, workshop):
    registration = services.register(
        event=workshop, by=None, guest_name="Rina Tamu", guest_phone="081211112222"
    )
    url = reverse("programs:cancel_registration", args=[registration.token])
    assert client.get(url).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_cancelling_promotes_the_waitlist(client, workshop, reader):
    first = services.register(
        event=workshop, by=None, guest_name="Rina", guest_phone="081299998888"
    )
    waiting = services.register(event=workshop, by=reader.user, member=reader)
    client.post(reverse("programs:cancel_registration", args=[first.token]))
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize("token", ["no-such-token", "x" * 43, "%00"])
def test_unknown_token_is_not_found(client, db, token):
    assert client.get(f"/kegiatan/pendaftaran/{token}/").status_code == 404
    assert client.post(f"/kegiatan/pendaftaran/{token}/batal/").status_code == 404


def test_series_registration_registers_every_coming_session(reader_client, reader, branch):
    program = ProgramFactory(title="Kelas Bahasa Inggris", slug="kelas-inggris", is_series=True)
    for days in (2, 9, 16):
        EventFactory(
            program=program, branch=branch, starts_at=_next(days, 15), ends_at=_next(days, 17)
        )
    response = reader_client.post(reverse("programs:register_series", args=["kelas-inggris"]))
    assert response["Location"] == reverse("programs:my_events")
    assert Registration.objects.filter(member=reader, event__program=program).count() == 3


def test_series_registration_needs_sign_in(client, db, branch):
    ProgramFactory(slug="kelas", is_series=True)
    response = client.post(reverse("programs:register_series", args=["kelas"]))
    assert reverse("accounts:login") in response["Location"]


# --- the patron's own --------------------------------------------------------------------


def test_my_events_shows_only_my_registrations(reader_client, reader, stranger, workshop):
    mine = services.register(event=workshop, by=reader.user, member=reader)
    theirs = services.register(event=workshop, by=stranger.user, member=stranger)
    page = reader_client.get(reverse("programs:my_events")).content.decode()
    assert f"registration-{mine.pk}" in page
    assert mine.token in page
    assert f"registration-{theirs.pk}" not in page
    assert theirs.token not in page


def test_my_events_needs_sign_in(client, db):
    response = client.get(reverse("programs:my_events"))
    assert reverse("accounts:login") in response["Location"]


def _attended_certificate(event, member, by):
    registration = services.register(event=event, by=by, member=member)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    registration.refresh_from_db()
    services.mark_attendance(registration=registration, attended=True, by=by)
    registration.refresh_from_db()
    return services.issue_certificate(registration=registration, by=by)


def test_certificate_download_is_mine_only(
    reader_client, stranger_client, reader, workshop, librarian_user
):
    Program.objects.filter(pk=workshop.program_id).update(gives_certificate=True)
    workshop.refresh_from_db()
    certificate = _attended_certificate(workshop, reader, librarian_user)
    url = reverse("programs:certificate_pdf", args=[certificate.code])
    assert url in reader_client.get(reverse("programs:my_events")).content.decode()
    response = reader_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert stranger_client.get(url).status_code == 404


def test_verification_page_confirms_a_certificate_and_says_not_found_otherwise(
    client, reader, workshop, librarian_user
):
    Program.objects.filter(pk=workshop.program_id).update(gives_certificate=True)
    workshop.refresh_from_db()
    certificate = _attended_certificate(workshop, reader, librarian_user)
    response = client.get(reverse("programs:verify", args=[certificate.code]))
    assert response.status_code == 200
    assert "Budi Santoso" in response.content.decode()
    assert client.get(reverse("programs:verify", args=["TIDAK-ADA"])).status_code == 404


def test_home_page_shows_coming_events(client, workshop):
    page = client.get(reverse("web:home")).content.decode()
    assert workshop.get_absolute_url() in page


def test_account_overview_links_to_events_and_bookings(reader_client):
    page = reader_client.get(reverse("patron:overview")).content.decode()
    assert reverse("programs:my_events") in page
    assert reverse("spaces:my_bookings") in page


def test_other_branch_event_filters(client, db):
    other_branch = BranchFactory(code="timur")
    EventFactory(branch=other_branch, starts_at=_next(5, 10), ends_at=_next(5, 12))
    response = client.get(reverse("programs:calendar"), {"branch": "timur"})
    assert len(response.context["days"]) == 1
