"""A cataloguer adds a copy of a title from a phone, in headless chromium against the real site.

Selectors use ids, names and URLs rather than visible words, so the test
holds in Indonesian and in English.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from serambi.catalog.models import Item
from serambi.catalog.tests.factories import (
    PASSWORD,
    BranchFactory,
    ItemFactory,
    RecordFactory,
    UserFactory,
)

# The ``browser`` fixture (Debian's chromium, headless) and DJANGO_ALLOW_ASYNC_UNSAFE,
# which Playwright's sync API needs, come from tests/e2e/conftest.py.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    """A fresh page (no cookies) the size of a small Android phone."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in(page, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}{reverse('accounts:login')}?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}{next_path}")


def test_cataloguer_adds_an_item_on_a_phone_and_prints_its_labels(live_server, phone):
    branch = BranchFactory(code="pusat", name="Perpustakaan Pusat")
    BranchFactory(code="keliling", name="Pustaka Keliling")
    UserFactory(username="katalog", roles=["cataloguer"])
    record = RecordFactory(title="Ronggeng Dukuh Paruk", call_number="899.221 3 TOH r")

    page = phone
    sign_in(page, live_server.url, "katalog", record.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Ronggeng Dukuh Paruk")

    page.locator(f"a[href='{reverse('catalog:item_create', args=[record.pk])}']").click()
    barcode = page.locator("#id_barcode")
    expect(barcode).to_be_focused()  # ready for the scanner
    barcode.fill("B0012345")
    page.locator("#id_branch").select_option(value=str(branch.pk))
    page.locator("#id_shelf_location").fill("Rak Sastra")
    page.locator("#id_price").fill("Rp 85.000")
    expect(page.locator("#id_call_number")).to_have_value("899.221 3 TOH r")
    page.locator("form.item-form button[type=submit]:not([name])").click()

    page.wait_for_url(f"{live_server.url}{record.get_absolute_url()}*")
    row = page.locator("table.items tbody tr", has_text="B0012345")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Perpustakaan Pusat")
    expect(row).to_contain_text("Rak Sastra")
    expect(page.locator(".messages")).to_contain_text("B0012345")
    # The page fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    item = Item.objects.get(barcode="B0012345")
    assert (item.price, item.branch_id, item.call_number) == (85000, branch.pk, "899.221 3 TOH r")

    # Tick the new copy with the keyboard and print its labels.
    checkbox = page.locator(f"#select-item-{item.pk}")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    page.locator("section form button[type=submit]").click()
    expect(page.locator(".label-pair")).to_have_count(1)
    expect(page.locator(".barcode-label svg")).to_have_count(1)
    expect(page.locator(".spine-label")).to_contain_text("TOH")
    expect(page.locator(".barcode-text")).to_have_text("B0012345")


def test_a_taken_barcode_is_explained_next_to_the_field_and_the_input_kept(live_server, phone):
    branch = BranchFactory(code="pusat", name="Perpustakaan Pusat")
    UserFactory(username="katalog", roles=["cataloguer"])
    existing = RecordFactory(title="Bumi manusia")
    ItemFactory(record=existing, barcode="B0000001", branch=branch)
    record = RecordFactory(title="Anak semua bangsa")

    page = phone
    add_url = reverse("catalog:item_create", args=[record.pk])
    sign_in(page, live_server.url, "katalog", add_url)
    page.locator("#id_barcode").fill("B0000001")
    page.locator("#id_branch").select_option(value=str(branch.pk))
    page.locator("#id_notes").fill("Sumbangan alumni")
    page.locator("form.item-form button[type=submit]:not([name])").click()

    expect(page.locator(".field.has-error")).to_contain_text("B0000001")
    expect(page.locator("#id_barcode")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_notes")).to_have_value("Sumbangan alumni")
    expect(page.locator("#form-errors a[href='#id_barcode']")).to_have_count(1)
    assert not Item.objects.filter(record=record).exists()
