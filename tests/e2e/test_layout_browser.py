"""The public layout in a real browser: small phones, keyboard users, the language switch."""

import datetime

import pytest

from serambi.accounts.services import create_user
from serambi.core.services import create_branch, set_opening_hours

pytestmark = pytest.mark.django_db(transaction=True)

T = datetime.time


@pytest.fixture
def library(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name, kind in [
        ("pusat", "Gedung Pusat Perpustakaan Umum Daerah", "central"),
        ("keliling-1", "Pustaka Keliling Kecamatan Tegalrejo dan Sekitarnya", "mobile"),
    ]:
        branch = create_branch(code=code, name=name, kind=kind, by=None)
        set_opening_hours(
            branch=branch,
            periods=[(4, T(8), T(11, 30)), (4, T(13), T(16, 30)), (5, T(9), T(14))],
            by=None,
        )
    return create_user(
        username="pemustaka",
        password="serambi-pemustaka",
        first_name="Budi",
        last_name="Santoso",
        roles=["patron"],
    )


def test_home_fits_a_small_phone_without_sideways_scrolling(browser, live_server, library):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("h1").is_visible()
    finally:
        context.close()


def test_first_tab_shows_the_skip_link_and_it_moves_focus_to_main(page, live_server, library):
    page.goto(live_server.url + "/")
    skip_link = page.locator("a.skip-link")
    assert not _in_viewport(skip_link)

    page.keyboard.press("Tab")
    assert skip_link.evaluate("link => link === document.activeElement")
    assert _in_viewport(skip_link)

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_language_switch_changes_the_page_to_english_and_back(page, live_server, library):
    page.goto(live_server.url + "/akun/masuk/")
    assert page.locator("html").get_attribute("lang") == "id"

    _switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == live_server.url + "/akun/masuk/", "the switch stays on the same page"

    _switch_language(page, "id")
    assert page.locator("html").get_attribute("lang") == "id"


def test_signing_in_works_with_the_keyboard_alone(page, live_server, library):
    page.goto(live_server.url + "/akun/masuk/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "username":
            break
    else:
        pytest.fail("Tab never reached the username field")

    page.keyboard.type("pemustaka")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type("serambi-pemustaka")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + "/"
    assert page.locator("form[action='/akun/keluar/'] button").inner_text().find("Budi") >= 0


def _switch_language(page, code: str) -> None:
    page.select_option("#lang-select", code)
    with page.expect_navigation():
        page.locator("form.lang-switch button[type=submit]").click()


def _in_viewport(locator) -> bool:
    box = locator.bounding_box()
    viewport = locator.page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )
