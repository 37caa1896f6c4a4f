"""On a phone (360×740), a member registers for an event from its page and books a room
from the slot grid, in headless chromium. Selectors use ids, names and URLs, not words."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from serambi.catalog.tests.factories import PASSWORD, BranchFactory, UserFactory
from serambi.members.models import MemberCategory
from serambi.members.tests.factories import MemberFactory
from serambi.programs.models import Registration
from serambi.programs.tests.factories import EventFactory, ProgramFactory
from serambi.spaces.models import Booking
from serambi.spaces.tests.factories import SpaceFactory, open_branch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _next_weekday(min_days: int = 2) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=min_days)
    while day.weekday() > 4:
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def library(db):
    MemberCategory.objects.get_or_create(code="umum", defaults={"name": "Umum"})
    branch = BranchFactory(code="pusat", name="Perpustakaan Pusat")
    open_branch(branch)
    user = UserFactory(username="budi", roles=["patron"])
    member = MemberFactory(user=user, home_branch=branch, full_name="Budi Santoso")
    day = _next_weekday()
    event = EventFactory(
        program=ProgramFactory(title="Bengkel Penulisan Kreatif", slug="bengkel"),
        branch=branch,
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        ends_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(11))),
        capacity=10,
    )
    space = SpaceFactory(branch=branch, name="Ruang Diskusi A", slug="ruang-a")
    return {"member": member, "event": event, "space": space, "day": day}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="id-ID", has_touch=True, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base_url: str, next_path: str) -> None:
    page.goto(f"{base_url}{reverse('accounts:login')}?next={next_path}")
    page.locator("#id_username").fill("budi")
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}{next_path}")


def assert_no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def test_member_registers_for_an_event_on_a_phone(live_server, phone, library):
    event = library["event"]
    phone.goto(f"{live_server.url}{reverse('programs:calendar')}")
    assert_no_sideways_scroll(phone)
    phone.locator(f"a[href='{event.get_absolute_url()}']").first.click()
    phone.wait_for_url(f"{live_server.url}{event.get_absolute_url()}")
    assert_no_sideways_scroll(phone)
    sign_in(phone, live_server.url, event.get_absolute_url())

    phone.locator("#register-button").click()
    phone.wait_for_url(f"{live_server.url}/kegiatan/pendaftaran/**")
    registration = Registration.objects.get(event=event, member=library["member"])
    assert registration.status == Registration.Status.CONFIRMED
    expect(phone.locator("#registration-status .badge-ok")).to_be_visible()
    expect(phone.locator(".registration-qr svg")).to_be_visible()
    assert_no_sideways_scroll(phone)

    day = timezone.localtime(event.starts_at).date()
    phone.goto(f"{live_server.url}{reverse('programs:month', args=[day.year, day.month])}")
    expect(phone.locator(f".month-grid a[href='{event.get_absolute_url()}']")).to_be_visible()
    assert_no_sideways_scroll(phone)


def test_member_books_a_room_from_the_slot_grid_on_a_phone(live_server, phone, library):
    space, day = library["space"], library["day"]
    sign_in(phone, live_server.url, reverse("spaces:my_bookings"))
    phone.goto(f"{live_server.url}{space.get_absolute_url()}")
    assert_no_sideways_scroll(phone)

    # One day at a time: choose the day in the picker, then its 10.00 slot.
    phone.locator(f".day-picker a[href*='hari={day:%Y-%m-%d}']").click()
    slot = phone.locator(f".slot-grid a[data-start='{day:%Y-%m-%d}T10:00']")
    expect(slot).to_be_visible()
    other_day = day + datetime.timedelta(days=1)
    expect(phone.locator(f".slot-grid a[data-start='{other_day:%Y-%m-%d}T10:00']")).to_be_hidden()
    assert_no_sideways_scroll(phone)
    slot.click()

    phone.wait_for_url(f"{live_server.url}{reverse('spaces:book', args=[space.slug])}**")
    expect(phone.locator("#id_starts_at")).to_have_value(f"{day:%Y-%m-%d}T10:00")
    phone.locator("#id_minutes").select_option("60")
    phone.locator("#id_purpose").fill("Kerja kelompok")
    phone.locator("#id_people").fill("4")
    assert_no_sideways_scroll(phone)
    phone.locator("#book-button").click()
    phone.wait_for_url(f"{live_server.url}{reverse('spaces:my_bookings')}")

    booking = Booking.objects.get(member=library["member"])
    assert booking.status == Booking.Status.CONFIRMED
    assert timezone.localtime(booking.starts_at).hour == 10
    expect(phone.locator(f"#booking-{booking.pk}")).to_be_visible()
    assert_no_sideways_scroll(phone)
