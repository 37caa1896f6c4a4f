"""The staff doors of circulation: the desk, returns, the hold shelf, the loan rules page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.models import Item
from serambi.catalog.tests.factories import BranchFactory, ItemFactory, UserFactory
from serambi.circulation import services
from serambi.circulation.models import CirculationSettings, Fine, Hold, Loan, LoanRule
from serambi.circulation.views import SESSION_MEMBER
from serambi.core.models import AuditEntry
from serambi.members.models import Member

DESK = reverse("circulation:desk")
CHECKOUT = reverse("circulation:checkout")
CHECKIN = reverse("circulation:checkin")
PARTIAL = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(librarian, branch) -> Client:
    """The librarian's browser, at the desk of ``branch``."""
    librarian.home_branch = branch
    librarian.save(update_fields=["home_branch"])
    return client_for(librarian)


@pytest.fixture
def at_desk(desk, member) -> Client:
    """The desk with ``member``'s card scanned."""
    response = desk.get(DESK, {"card": member.card_number})
    assert response.status_code == 302
    return desk


def lend(client, barcode: str, **extra):
    return client.post(CHECKOUT, {"barcode": barcode, **extra}, **PARTIAL)


# --- who may use the desk ----------------------------------------------------------------


def test_desk_is_for_circulation_staff(client, cataloguer_client, patron_client, desk):
    assert client.get(DESK).status_code == 302  # to the sign-in page
    assert cataloguer_client.get(DESK).status_code == 403
    assert patron_client.get(DESK).status_code == 403
    response = desk.get(DESK)
    assert response.status_code == 200
    assert b'name="card"' in response.content


# --- opening a member -----------------------------------------------------------------------


def test_scanning_a_card_opens_the_member_with_their_summary(desk, member, item):
    response = desk.get(DESK, {"card": f"  {member.card_number.lower()} "}, follow=True)
    assert response.redirect_chain[-1][0] == DESK
    assert desk.session[SESSION_MEMBER] == member.pk
    page = response.content.decode()
    assert member.full_name in page
    assert member.category.name in page
    assert 'id="desk-log"' in page and 'aria-live="polite"' in page
    assert "data-scan-input" in page


def test_an_unknown_card_is_a_message_next_to_the_field(desk):
    response = desk.get(DESK, {"card": "ZZ-404"})
    assert response.status_code == 200
    assert "ZZ-404" in response.context["card_form"].errors["card"][0]
    assert SESSION_MEMBER not in desk.session


def test_the_summary_names_the_blocks_in_words(desk, member):
    member.status = Member.Status.SUSPENDED
    member.save()
    response = desk.get(DESK, {"card": member.card_number}, follow=True)
    summary = response.context["summary"]
    assert summary.blocks
    page = response.content.decode()
    for block in summary.blocks:
        assert block.message in page


# --- lending ------------------------------------------------------------------------------


def test_checkout_scan_lends_and_answers_with_title_and_due_date(at_desk, member, item):
    response = lend(at_desk, item.barcode)
    assert response.status_code == 200
    loan = Loan.objects.get(item=item, status=Loan.Status.ON_LOAN)
    assert loan.member == member
    page = response.content.decode()
    assert "Laskar Pelangi" in page
    assert loan.due_on.strftime("%Y") in page
    assert "desk-entry-ok" in page
    # The loans list comes along, to replace the one on the page.
    assert 'id="member-loans"' in page and "data-swap-oob" in page
    assert f'id="loan-{loan.pk}"' in page


def test_checkout_without_javascript_redirects_and_shows_the_result(at_desk, item):
    response = at_desk.post(CHECKOUT, {"barcode": item.barcode}, follow=True)
    assert response.redirect_chain[-1][0] == DESK
    page = response.content.decode()
    assert "Laskar Pelangi" in page and "desk-entry-ok" in page
    assert f'id="loan-{Loan.objects.get().pk}"' in page


def test_a_checkout_scan_is_one_fast_request(at_desk, item, django_assert_max_num_queries):
    # 38 when written: 10 for the door (session, user, permissions, member, item,
    # branch, the refreshed loans list), the rest is checkout itself and its notices.
    with django_assert_max_num_queries(42):
        response = lend(at_desk, item.barcode)
    assert b"desk-entry-ok" in response.content


def test_a_refused_checkout_shows_the_reason(at_desk, member, item, other_member):
    services.checkout(item=item, member=other_member, by=None)
    response = lend(at_desk, item.barcode)
    assert response.status_code == 200
    assert b"desk-entry-error" in response.content
    assert Loan.objects.filter(member=member).count() == 0


def test_an_unknown_barcode_and_an_empty_scan_are_answers_not_errors(at_desk):
    response = lend(at_desk, "NOPE-1")
    assert response.status_code == 200
    assert b"NOPE-1" in response.content and b"desk-entry-error" in response.content
    response = lend(at_desk, "")
    assert response.status_code == 200
    assert b"desk-entry-error" in response.content
    response = lend(at_desk, "x" * 500)
    assert response.status_code == 200


def test_checkout_needs_a_member_at_the_desk(desk, item):
    response = desk.post(CHECKOUT, {"barcode": item.barcode})
    assert response.status_code == 302
    assert not Loan.objects.exists()


def _over_the_loan_limit(member, branch):
    for _n in range(3):  # the default rule lends 3 items at most
        services.checkout(item=ItemFactory(branch=branch), member=member, by=None)


def test_an_overridable_block_offers_the_override_form(at_desk, member, branch, item):
    _over_the_loan_limit(member, branch)
    response = lend(at_desk, item.barcode)
    page = response.content.decode()
    assert "desk-entry-error" in page
    assert 'name="override_reason"' in page
    assert not Loan.objects.filter(item=item).exists()


def test_override_with_a_reason_lends_and_is_audited(at_desk, member, branch, item):
    _over_the_loan_limit(member, branch)
    response = lend(at_desk, item.barcode, override_reason="Tugas sekolah mendesak")
    assert b"desk-entry-ok" in response.content
    assert Loan.objects.filter(item=item, member=member).exists()
    assert AuditEntry.objects.filter(action="circulation.override").exists()


def test_override_needs_a_reason(at_desk, member, branch, item):
    _over_the_loan_limit(member, branch)
    lend(at_desk, item.barcode, override_reason="   ")
    assert not Loan.objects.filter(item=item).exists()


def test_override_needs_the_permission(member, branch, item):
    # A role with lending but without override_block.
    clerk = UserFactory(username="magang", roles=["circulation"])
    clerk.groups.first().permissions.remove(
        *clerk.groups.first().permissions.filter(codename="override_block")
    )
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert not clerk.has_perm("circulation.override_block")
    client = client_for(clerk)
    client.get(DESK, {"card": member.card_number})
    _over_the_loan_limit(member, branch)
    response = lend(client, item.barcode)
    assert b'name="override_reason"' not in response.content
    lend(client, item.barcode, override_reason="Saya mau")
    assert not Loan.objects.filter(item=item).exists()


# --- returns ------------------------------------------------------------------------------


def test_checkin_page_works_without_a_member(desk):
    response = desk.get(CHECKIN)
    assert response.status_code == 200
    assert b"data-scan-input" in response.content


def test_checkin_returns_the_copy(desk, member, item):
    services.checkout(item=item, member=member, by=None)
    response = desk.post(CHECKIN, {"barcode": item.barcode}, **PARTIAL)
    assert response.status_code == 200
    assert b"Laskar Pelangi" in response.content
    assert Loan.objects.get(item=item).status == Loan.Status.RETURNED


def test_checkin_of_a_late_copy_names_the_fine(desk, member, item):
    loan = services.checkout(item=item, member=member, by=None)
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=5))
    response = desk.post(CHECKIN, {"barcode": item.barcode}, **PARTIAL)
    fine = Fine.objects.get(loan=loan)
    assert f"{fine.amount:,}".replace(",", ".") in response.content.decode()


def test_checkin_of_a_wanted_copy_says_where_it_goes(desk, member, other_member, item, branch):
    services.checkout(item=item, member=member, by=None)
    services.place_hold(record=item.record, member=other_member, pickup_branch=branch, by=None)
    response = desk.post(CHECKIN, {"barcode": item.barcode}, **PARTIAL)
    page = response.content.decode()
    assert "desk-instruction" in page
    assert other_member.card_number in page
    assert other_member.full_name not in page  # initials only on a slip


def test_checkin_of_a_copy_wanted_elsewhere_says_send_it(desk, member, other_member, item):
    north = BranchFactory(code="utara", name="Cabang Utara")
    services.checkout(item=item, member=member, by=None)
    services.place_hold(record=item.record, member=other_member, pickup_branch=north, by=None)
    response = desk.post(CHECKIN, {"barcode": item.barcode}, **PARTIAL)
    page = response.content.decode()
    assert "Cabang Utara" in page and "desk-instruction" in page


def test_checkin_of_a_copy_not_on_loan_is_a_message(desk, item):
    response = desk.post(CHECKIN, {"barcode": item.barcode}, follow=True)
    assert response.redirect_chain[-1][0] == CHECKIN
    assert b"desk-entry-error" in response.content


# --- renewing and paying at the desk ----------------------------------------------------------


def test_renew_from_the_desk(at_desk, member, item):
    loan = services.checkout(item=item, member=member, by=None)
    response = at_desk.post(reverse("circulation:renew", args=[loan.pk]), **PARTIAL)
    assert b"desk-entry-ok" in response.content
    loan.refresh_from_db()
    assert loan.renewals == 1


def test_renew_of_another_members_loan_is_not_found(at_desk, other_member, item):
    loan = services.checkout(item=item, member=other_member, by=None)
    response = at_desk.post(reverse("circulation:renew", args=[loan.pk]))
    assert response.status_code == 404


def test_a_lost_copy_is_declared_at_the_desk_and_its_replacement_charged(at_desk, member, item):
    item.price = 72_500
    item.save()
    loan = services.checkout(item=item, member=member, by=None)

    response = at_desk.post(reverse("circulation:declare_lost", args=[loan.pk]))

    assert response.status_code == 302
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.status == Loan.Status.LOST and item.status == Item.Status.LOST
    assert Fine.objects.get(member=member, kind=Fine.Kind.LOST).amount == 72_500


def test_damage_is_charged_to_the_borrower_and_garbage_amounts_are_refused(at_desk, member, item):
    loan = services.checkout(item=item, member=member, by=None)
    url = reverse("circulation:charge_damage", args=[loan.pk])

    refused = at_desk.post(url, {"amount": "sepuluh ribu", "description": "Sampul sobek"})
    assert refused.status_code == 302 and not Fine.objects.filter(member=member).exists()

    at_desk.post(url, {"amount": "15.000", "description": "Sampul sobek"})
    fine = Fine.objects.get(member=member, kind=Fine.Kind.DAMAGED)
    assert fine.amount == 15_000 and fine.item == item


def test_lost_and_damage_of_another_members_loan_are_not_found(at_desk, other_member, item):
    loan = services.checkout(item=item, member=other_member, by=None)
    for name in ("circulation:declare_lost", "circulation:charge_damage"):
        assert at_desk.post(reverse(name, args=[loan.pk])).status_code == 404


def _fine(member, amount=3_000) -> Fine:
    item = ItemFactory()
    return services.charge_damage(
        item=item, member=member, amount=amount, description="Sampul sobek", by=None
    )


def test_pay_a_fine_gives_a_receipt_number(at_desk, member):
    fine = _fine(member)
    response = at_desk.post(
        reverse("circulation:pay", args=[fine.pk]), {"amount": "Rp 3.000"}, follow=True
    )
    fine.refresh_from_db()
    assert fine.balance == 0
    payment = fine.payments.get()
    assert payment.receipt_number in response.content.decode()


def test_garbage_amount_is_a_message(at_desk, member):
    fine = _fine(member)
    response = at_desk.post(
        reverse("circulation:pay", args=[fine.pk]), {"amount": "banyak"}, follow=True
    )
    assert response.status_code == 200
    fine.refresh_from_db()
    assert fine.paid == 0


def test_waiving_needs_the_permission(at_desk, member, manager):
    fine = _fine(member)
    url = reverse("circulation:waive", args=[fine.pk])
    assert at_desk.post(url, {"reason": "Bencana banjir"}).status_code == 403
    boss = client_for(manager)
    boss.get(DESK, {"card": member.card_number})
    boss.post(url, {"reason": "Bencana banjir"})
    fine.refresh_from_db()
    assert fine.waived == 3_000


# --- holds pages ------------------------------------------------------------------------------


def test_pull_list_names_the_copy_to_fetch(desk, other_member, item, branch):
    services.place_hold(record=item.record, member=other_member, pickup_branch=branch, by=None)
    response = desk.get(reverse("circulation:pull_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert item.barcode in page and "Rak 3" in page


def test_receive_transit_puts_the_copy_on_the_hold_shelf(desk, member, other_member, item):
    north = BranchFactory(code="utara", name="Cabang Utara")
    services.checkout(item=item, member=member, by=None)
    hold = services.place_hold(
        record=item.record, member=other_member, pickup_branch=north, by=None
    )
    services.checkin(item=item, by=None, branch=item.branch)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.IN_TRANSIT
    desk.post(reverse("circulation:desk_branch"), {"branch": north.pk})
    assert item.barcode.encode() in desk.get(reverse("circulation:holds")).content
    response = desk.post(
        reverse("circulation:receive_transit"), {"barcode": item.barcode}, **PARTIAL
    )
    assert b"desk-instruction" in response.content
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY
    assert Item.objects.get(pk=item.pk).status == Item.Status.ON_HOLD_SHELF


# --- loan rules -------------------------------------------------------------------------------


def test_rules_page_is_visible_to_the_desk_but_editable_by_managers(desk, manager, default_rule):
    response = desk.get(reverse("circulation:rules"))
    assert response.status_code == 200
    assert reverse("circulation:rule_update", args=[default_rule.pk]).encode() not in (
        response.content
    )
    assert desk.get(reverse("circulation:rule_create")).status_code == 403
    response = client_for(manager).get(reverse("circulation:rules"))
    assert reverse("circulation:rule_update", args=[default_rule.pk]).encode() in (response.content)


def test_rules_page_for_a_branch(desk, branch, default_rule):
    response = desk.get(reverse("circulation:rules"), {"branch": branch.pk})
    assert response.status_code == 200
    assert response.context["branch"] == branch
    response = desk.get(reverse("circulation:rules"), {"branch": "x"})
    assert response.status_code == 200


def test_manager_adds_edits_and_deletes_a_rule(manager, default_rule):
    boss = client_for(manager)
    data = {
        "category": "",
        "material_type": "book",
        "branch": "",
        "loan_days": "21",
        "max_loans": "5",
        "max_renewals": "2",
        "fine_per_day": "1000",
        "fine_cap": "",
        "grace_days": "1",
        "holds_allowed": "on",
        "max_holds": "3",
    }
    response = boss.post(reverse("circulation:rule_create"), data)
    assert response.status_code == 302
    rule = LoanRule.objects.get(material_type="book")
    assert (rule.loan_days, rule.fine_cap) == (21, None)
    boss.post(reverse("circulation:rule_update", args=[rule.pk]), {**data, "loan_days": "7"})
    rule.refresh_from_db()
    assert rule.loan_days == 7
    # A second rule for the same cell is refused with the service's words.
    response = boss.post(reverse("circulation:rule_create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    boss.post(reverse("circulation:rule_delete", args=[rule.pk]))
    assert not LoanRule.objects.filter(pk=rule.pk).exists()


def test_garbage_in_the_rule_form_is_a_form_error(manager):
    boss = client_for(manager)
    response = boss.post(reverse("circulation:rule_create"), {"loan_days": "lama", "branch": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_default_rule_cannot_be_deleted(manager, default_rule):
    response = client_for(manager).post(reverse("circulation:rule_delete", args=[default_rule.pk]))
    assert response.status_code == 200
    assert LoanRule.objects.filter(pk=default_rule.pk).exists()


def test_manager_changes_the_circulation_settings(manager, desk, circ_settings):
    url = reverse("circulation:settings")
    data = {
        "fines_count_open_days_only": "on",
        "fine_limit": "20000",
        "block_when_overdue": "on",
        "hold_pickup_days": "5",
        "due_soon_days": "2",
        "overdue_notice_days": "14, 1,7",
    }
    assert desk.post(url, data).status_code == 403
    assert client_for(manager).post(url, data).status_code == 302
    settings = CirculationSettings.objects.get()
    assert (settings.fine_limit, settings.overdue_notice_days) == (20_000, "1,7,14")
    response = client_for(manager).post(url, {**data, "overdue_notice_days": "besok"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_desk_branch_can_be_chosen(desk, member):
    north = BranchFactory(code="utara", name="Cabang Utara")
    desk.post(reverse("circulation:desk_branch"), {"branch": north.pk})
    response = desk.get(DESK)
    assert response.context["branch"] == north
    desk.post(reverse("circulation:desk_branch"), {"branch": "999999"})
    assert desk.get(DESK).context["branch"] == north


def test_finishing_with_a_member_clears_the_desk(at_desk):
    at_desk.post(reverse("circulation:desk_done"))
    assert SESSION_MEMBER not in at_desk.session


def test_a_member_erased_meanwhile_does_not_break_the_desk(at_desk, member):
    Member.objects.filter(pk=member.pk).delete()
    assert at_desk.get(DESK).status_code == 200


def test_staff_nav_links_the_desk(desk):
    response = desk.get(reverse("web:workspace"))
    assert DESK.encode() in response.content
    assert reverse("circulation:rules").encode() in response.content


def test_a_cell_under_the_default_offers_a_rule_of_its_own(manager, default_rule):
    response = client_for(manager).get(reverse("circulation:rules"))
    page = response.content.decode()
    assert f"{reverse('circulation:rule_create')}?category=" in page
    category, cells = response.context["matrix_rows"][0]
    code, _label, rule, fits = cells[0]
    assert rule == default_rule and not fits
    form = client_for(manager).get(
        reverse("circulation:rule_create"), {"category": category.pk, "material_type": code}
    )
    assert form.context["form"]["material_type"].value() == code
