"""A patron searches the catalogue from a phone, in headless chromium against the real site.

Selectors use ids, classes and URLs rather than visible words, so the tests
hold in Indonesian and in English.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from serambi.catalog.tests.factories import (
    BranchFactory,
    ContributorFactory,
    ItemFactory,
    RecordContributorFactory,
    RecordFactory,
)
from serambi.core.models import Branch

# The ``browser`` fixture (Debian's chromium, headless) and DJANGO_ALLOW_ASYNC_UNSAFE,
# which Playwright's sync API needs, come from tests/e2e/conftest.py.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    """A fresh page (no cookies) the size of a small Android phone."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def catalogue(db):
    """Stories of the archipelago in two forms, and one book that is not about them."""
    central = BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)
    north = BranchFactory(code="utara", name="Cabang Utara")
    author = ContributorFactory(name="Danandjaja, James")
    records = {}
    for number, (title, material_type) in enumerate(
        [
            ("Dongeng dari Sumatra", "book"),
            ("Dongeng dari Jawa", "book"),
            ("Dongeng dari Bali", "book"),
            ("Dongeng dalam peta Nusantara", "map"),
        ]
    ):
        record = RecordFactory(title=title, material_type=material_type, year=1990 + number)
        RecordContributorFactory(record=record, contributor=author, is_main=True)
        ItemFactory(record=record, branch=central)
        ItemFactory(record=record, branch=north)
        records[title] = record
    ItemFactory(record=RecordFactory(title="Resep masakan Minang"), branch=central)
    call_command("reindex", verbosity=0)
    return records


def result_count(page) -> int:
    return int(re.search(r"\d+", page.locator("#result-count").inner_text()).group(0))


def test_patron_searches_from_the_home_page_filters_and_opens_a_record(
    live_server, phone, catalogue
):
    page = phone
    page.goto(live_server.url + reverse("web:home"))
    # The search box comes before anything else the page offers.
    first_field = page.locator("main input, main select, main textarea").first
    expect(first_field).to_have_id("home-q")

    page.locator("#home-q").fill("dongeng")
    page.locator("#home-q-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cari/\?q=dongeng$"))
    expect(page.locator("#q")).to_have_value("dongeng")
    expect(page.locator("#result-count")).to_have_attribute("role", "status")
    assert result_count(page) == 4
    expect(page.locator("ol.hits > li")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # On a phone the filters wait behind a folded panel.
    panel = page.locator("details#facets")
    map_filter = panel.locator("a.facet-link[href*='type=map']")
    expect(map_filter).to_be_hidden()
    panel.locator("summary").first.click()
    expect(map_filter).to_be_visible()
    box = map_filter.bounding_box()
    assert box["height"] >= 44, "a facet value is easy to tap"

    map_filter.click()
    page.wait_for_url(re.compile(r"type=map"))
    assert result_count(page) == 1
    expect(page.locator(".chips a.chip")).to_have_count(1)
    expect(page.locator("ol.hits > li")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    record = catalogue["Dongeng dalam peta Nusantara"]
    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url(f"{live_server.url}/katalog/{record.pk}/")
    expect(page.locator("h1")).to_contain_text("Dongeng dalam peta Nusantara")


def test_removing_the_chip_brings_every_result_back(live_server, phone, catalogue):
    page = phone
    page.goto(f"{live_server.url}{reverse('search:results')}?q=dongeng&type=map")
    assert result_count(page) == 1

    page.locator(".chips a.chip").click()

    page.wait_for_url(re.compile(r"/cari/\?q=dongeng$"))
    assert result_count(page) == 4
    expect(page.locator(".chips")).to_have_count(0)


def test_suggestions_are_chosen_with_the_arrow_keys_and_enter(live_server, phone, catalogue):
    page = phone
    page.goto(live_server.url + reverse("web:home"))
    box = page.locator("#home-q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("dongeng ba", delay=30)
    listbox = page.locator("#home-q-suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    option = listbox.locator("[role=option]").first
    expect(option).to_contain_text("Dongeng dari Bali")

    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_be_focused()

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))

    page.keyboard.press("ArrowDown")
    expect(listbox).to_be_visible()
    page.keyboard.press("Enter")
    record = catalogue["Dongeng dari Bali"]
    page.wait_for_url(f"{live_server.url}/katalog/{record.pk}/")


def test_the_search_works_without_javascript(live_server, browser, catalogue):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + reverse("web:home"))
        expect(page.locator("#home-q")).not_to_have_attribute("role", "combobox")
        page.locator("#home-q").fill("dongeng")
        page.locator("#home-q").press("Enter")
        page.wait_for_url(re.compile(r"/cari/\?q=dongeng$"))

        page.locator("details#facets summary").first.click()
        page.locator("a.facet-link[href*='type=book']").click()
        page.wait_for_url(re.compile(r"type=book"))
        assert result_count(page) == 3

        page.locator("#sort").select_option("title")
        page.locator("button[form=q-form]").click()
        page.wait_for_url(re.compile(r"sort=title"))
        titles = page.locator("ol.hits .hit-title a").all_inner_texts()
        assert titles == sorted(titles)
        assert "type=book" in page.url, "sorting keeps the filters"
    finally:
        context.close()
