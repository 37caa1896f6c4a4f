"""A patron's own circulation pages under /akun/: only their own loans, holds and fines."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.tests.factories import ItemFactory, UserFactory
from serambi.circulation import services
from serambi.circulation.models import Hold, Loan
from serambi.members.tests.factories import MemberFactory

PAGES = ["overview", "loans", "holds", "fines", "history"]


@pytest.fixture
def reader(branch):
    """A patron who signs in, with a member card."""
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


@pytest.mark.parametrize("name", PAGES)
def test_account_pages_need_sign_in(client, db, name):
    response = client.get(reverse(f"patron:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_membership_gets_a_friendly_note(cataloguer_client, name):
    response = cataloguer_client.get(reverse(f"patron:{name}"))
    assert response.status_code == 200
    assert response.templates[0].name == "circulation/account/no_member.html"


@pytest.mark.parametrize("name", PAGES)
def test_account_pages_render(reader_client, name):
    assert reader_client.get(reverse(f"patron:{name}")).status_code == 200


def test_overview_counts_loans_holds_and_fines(reader_client, reader, stranger, item):
    services.checkout(item=item, member=reader, by=None)
    services.checkout(item=ItemFactory(), member=stranger, by=None)
    response = reader_client.get(reverse("patron:overview"))
    summary = response.context["summary"]
    assert [line.loan.member for line in summary.loans] == [reader]
    assert "Budi Santoso" in response.content.decode()


def test_loans_page_shows_only_own_loans_with_overdue_marks(reader_client, reader, stranger, item):
    loan = services.checkout(item=item, member=reader, by=None)
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    other = services.checkout(item=ItemFactory(), member=stranger, by=None)
    page = reader_client.get(reverse("patron:loans")).content.decode()
    assert "Laskar Pelangi" in page
    assert f"loan-{loan.pk}" in page
    assert f"loan-{other.pk}" not in page
    assert "badge-danger" in page  # the overdue mark, with its words


def test_patron_renews_own_loan(reader_client, reader, item):
    loan = services.checkout(item=item, member=reader, by=None)
    response = reader_client.post(reverse("patron:renew", args=[loan.pk]), follow=True)
    loan.refresh_from_db()
    assert loan.renewals == 1
    assert response.redirect_chain[-1][0] == reverse("patron:loans")


def test_renewal_refusal_is_shown(reader_client, reader, stranger, item, branch):
    loan = services.checkout(item=item, member=reader, by=None)
    services.place_hold(record=item.record, member=stranger, pickup_branch=branch, by=None)
    response = reader_client.post(reverse("patron:renew", args=[loan.pk]), follow=True)
    loan.refresh_from_db()
    assert loan.renewals == 0
    assert b"message-error" in response.content


def test_another_patrons_loan_is_not_found(reader_client, stranger, item):
    loan = services.checkout(item=item, member=stranger, by=None)
    assert reader_client.post(reverse("patron:renew", args=[loan.pk])).status_code == 404
    assert reader_client.post(reverse("patron:renew", args=[999_999])).status_code == 404
    loan.refresh_from_db()
    assert loan.renewals == 0


def test_holds_page_shows_the_queue_position_and_cancels(reader_client, reader, stranger, item):
    services.checkout(item=item, member=stranger, by=None)
    hold = services.place_hold(
        record=item.record, member=reader, pickup_branch=reader.home_branch, by=None
    )
    response = reader_client.get(reverse("patron:holds"))
    assert response.context["holds"][0].position == 1
    assert reader.home_branch.name in response.content.decode()
    reader_client.post(reverse("patron:cancel_hold", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED


def test_another_patrons_hold_cannot_be_cancelled(reader_client, stranger, item, branch):
    hold = services.place_hold(record=item.record, member=stranger, pickup_branch=branch, by=None)
    assert reader_client.post(reverse("patron:cancel_hold", args=[hold.pk])).status_code == 404
    hold.refresh_from_db()
    assert hold.status == Hold.Status.WAITING


def test_fines_page_lists_payments_with_receipt_numbers(reader_client, reader, stranger):
    fine = services.charge_damage(
        item=ItemFactory(), member=reader, amount=5_000, description="Basah", by=None
    )
    payment = services.pay_fine(fine=fine, amount=2_000, by=None)
    services.charge_damage(
        item=ItemFactory(), member=stranger, amount=7_000, description="Hilang", by=None
    )
    response = reader_client.get(reverse("patron:fines"))
    page = response.content.decode()
    assert payment.receipt_number in page
    assert "Hilang" not in page
    assert response.context["unpaid_total"] == 3_000


def test_history_only_when_opted_in(reader_client, reader, item):
    services.checkout(item=item, member=reader, by=None)
    services.checkin(item=item, by=None)
    response = reader_client.get(reverse("patron:history"))
    assert response.context["page"] is None
    assert reverse("members_public:preferences").encode() in response.content
    reader.keep_reading_history = True
    reader.save()
    services.checkout(item=item, member=reader, by=None)
    services.checkin(item=item, by=None)
    response = reader_client.get(reverse("patron:history"))
    assert "Laskar Pelangi" in response.content.decode()


# --- reserving from the public record page ---------------------------------------------------


def test_record_page_invites_visitors_to_sign_in_to_reserve(client, item):
    response = client.get(reverse("opac:record", args=[item.record_id]))
    assert response.status_code == 200
    assert reverse("accounts:login").encode() in response.content
    assert reverse("patron:place_hold", args=[item.record_id]).encode() not in response.content


def test_member_reserves_from_the_record_page(reader_client, reader, item, branch):
    page = reader_client.get(reverse("opac:record", args=[item.record_id])).content.decode()
    url = reverse("patron:place_hold", args=[item.record_id])
    assert url in page and branch.name in page
    response = reader_client.post(url, {"pickup_branch": branch.pk})
    assert response.status_code == 302
    hold = Hold.objects.get(member=reader)
    assert (hold.record_id, hold.pickup_branch) == (item.record_id, branch)


def test_reserve_refusal_and_garbage_are_form_errors(reader_client, reader, item, branch):
    url = reverse("patron:place_hold", args=[item.record_id])
    assert reader_client.get(url).status_code == 200
    response = reader_client.post(url, {"pickup_branch": "bukan-cabang"})
    assert response.status_code == 200
    assert response.context["form"].errors
    reader_client.post(url, {"pickup_branch": branch.pk})
    response = reader_client.post(url, {"pickup_branch": branch.pk})  # already holding
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Hold.objects.filter(member=reader).count() == 1


def test_anonymous_reserve_goes_to_sign_in(client, item):
    url = reverse("patron:place_hold", args=[item.record_id])
    response = client.post(url, {"pickup_branch": item.branch_id})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Hold.objects.exists()


def test_account_link_in_the_header(reader_client):
    response = reader_client.get(reverse("web:home"))
    assert reverse("patron:overview").encode() in response.content


def test_record_page_for_a_signed_in_user_without_membership(cataloguer_client, item):
    response = cataloguer_client.get(reverse("opac:record", args=[item.record_id]))
    assert response.status_code == 200
    assert reverse("patron:place_hold", args=[item.record_id]).encode() in response.content
