"""A circulation librarian lends and takes back books with a scanner, in headless chromium.

A USB barcode scanner is a keyboard that types the digits and presses
Enter; the test does the same, and never clicks. Selectors use ids, names
and URLs rather than visible words, so the test holds in both languages.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from serambi.catalog.tests.factories import (
    PASSWORD,
    BranchFactory,
    ItemFactory,
    RecordFactory,
    UserFactory,
)
from serambi.circulation.models import Loan, LoanRule
from serambi.members.models import MemberCategory
from serambi.members.tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def library(db):
    """A branch, a librarian, a member and two copies.

    A transactional test empties the tables afterwards, rows from data
    migrations included, so the category and the default rule are made here
    when an earlier browser test removed them.
    """
    MemberCategory.objects.get_or_create(code="umum", defaults={"name": "Umum"})
    LoanRule.objects.get_or_create(branch=None, category=None, material_type="")
    branch = BranchFactory(code="pusat", name="Perpustakaan Pusat")
    librarian = UserFactory(username="meja", roles=["circulation"])
    librarian.home_branch = branch
    librarian.save()
    member = MemberFactory(card_number="A0001234", full_name="Budi Santoso", home_branch=branch)
    first = ItemFactory(
        barcode="B0000001", branch=branch, record=RecordFactory(title="Laskar Pelangi")
    )
    second = ItemFactory(
        barcode="B0000002", branch=branch, record=RecordFactory(title="Bumi Manusia")
    )
    return {"branch": branch, "member": member, "items": (first, second)}


def sign_in(page, base_url: str, username: str, next_path: str) -> None:
    page.goto(f"{base_url}{reverse('accounts:login')}?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}{next_path}")


def scan(page, code: str) -> None:
    """What a keyboard-wedge scanner does: type the code, press Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 40) -> None:
    for _step in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_librarian_lends_two_items_and_takes_one_back_with_the_keyboard(live_server, page, library):
    first, second = library["items"]
    desk = reverse("circulation:desk")
    sign_in(page, live_server.url, "meja", desk)

    # The card input has the focus: scan the card.
    expect(page.locator("#id_card")).to_be_focused()
    scan(page, "A0001234")
    page.wait_for_url(f"{live_server.url}{desk}")
    expect(page.locator("#member-heading")).to_contain_text("Budi Santoso")

    # Two items, one after the other, as fast as a scanner goes.
    barcode = page.locator("#id_barcode")
    expect(barcode).to_be_focused()
    scan(page, "B0000001")
    scan(page, "B0000002")
    log = page.locator("#desk-log")
    expect(log.locator(".desk-entry-ok")).to_have_count(2)
    expect(log).to_contain_text("Laskar Pelangi")
    expect(log).to_contain_text("Bumi Manusia")
    loans = page.locator("#member-loans tbody tr")
    expect(loans).to_have_count(2)
    expect(barcode).to_be_focused()
    expect(barcode).to_have_value("")
    assert Loan.objects.filter(status=Loan.Status.ON_LOAN).count() == 2

    # Switch to returns with the keyboard: back through the page to the mode link.
    checkin = reverse("circulation:checkin")
    tab_to(page, f"a[href='{checkin}']", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{checkin}")
    expect(page.locator("#id_barcode")).to_be_focused()
    scan(page, "B0000001")
    returned = page.locator("#desk-log .desk-entry").first
    expect(returned).to_contain_text("Laskar Pelangi")
    expect(returned).not_to_have_class("desk-entry desk-entry-error")
    expect(page.locator("#id_barcode")).to_be_focused()
    assert Loan.objects.get(item=first).status == Loan.Status.RETURNED
    assert Loan.objects.get(item=second).status == Loan.Status.ON_LOAN


def test_the_desk_and_the_rule_matrix_fit_a_phone(live_server, browser, library):
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        UserFactory(username="kepala", roles=["branch_manager"])
        desk = reverse("circulation:desk")
        sign_in(page, live_server.url, "kepala", desk)
        page.goto(f"{live_server.url}{desk}?card=A0001234")
        expect(page.locator("#member-heading")).to_contain_text("Budi Santoso")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.goto(f"{live_server.url}{reverse('circulation:rules')}")
        matrix = page.locator(".matrix-wrap")
        expect(matrix).to_be_visible()
        # The table scrolls inside its box; the page itself does not.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert matrix.evaluate("box => box.scrollWidth > box.clientWidth")
    finally:
        context.close()
