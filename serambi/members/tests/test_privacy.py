import json

import pytest
from django.urls import reverse

from serambi.circulation.models import Hold, Loan
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry, Notification
from serambi.members import selectors, services
from serambi.members.models import Member

from .conftest import make_fine, make_hold, make_loan
from .factories import VALID_NIKS, MemberFactory, VisitFactory, member_data

pytestmark = pytest.mark.django_db


def test_turning_reading_history_off_forgets_returned_loans(member):
    member.keep_reading_history = True
    member.save()
    returned = make_loan(member, status=Loan.Status.RETURNED)
    open_loan = make_loan(member)
    services.update_own_preferences(member=member, keep_reading_history=False, receive_news=True)
    returned.refresh_from_db(), open_loan.refresh_from_db(), member.refresh_from_db()
    assert returned.member is None
    assert open_loan.member == member
    assert member.receive_news is True and member.keep_reading_history is False


def test_keeping_reading_history_keeps_returned_loans(member):
    returned = make_loan(member, status=Loan.Status.RETURNED)
    services.update_own_preferences(member=member, keep_reading_history=True, receive_news=False)
    returned.refresh_from_db()
    assert returned.member == member


def test_request_deletion_is_recorded_once(member):
    first = services.request_deletion(member=member).deletion_requested_at
    assert first is not None
    assert services.request_deletion(member=member).deletion_requested_at == first


def test_erasure_is_refused_with_items_on_loan(member, manager):
    make_loan(member)
    with pytest.raises(DomainError) as refusal:
        services.erase_member(member=member, by=manager)
    assert refusal.value.code == "members.has_open_loans"


def test_erasure_is_refused_with_unpaid_fines(member, manager):
    make_fine(member, amount=3_000, paid=1_000)
    with pytest.raises(DomainError) as refusal:
        services.erase_member(member=member, by=manager)
    assert refusal.value.code == "members.has_unpaid_fines"
    assert refusal.value.data["amount"] == 2_000


def test_erasure_scrubs_the_person_and_keeps_the_statistics(branch, manager, patron_user):
    member = services.register_member(
        data=member_data(home_branch=branch, nik=VALID_NIKS[6], guardian_name="Ibu"),
        by=manager,
    )
    member.user = patron_user
    member.save()
    returned = make_loan(member, status=Loan.Status.RETURNED)
    make_fine(member, amount=2_000, paid=2_000)
    hold = make_hold(member)
    visit = VisitFactory(member=member, guest_name="", guest_key="", member_category="umum")
    name, card, email = member.full_name, member.card_number, member.email

    services.erase_member(member=member, by=manager)

    member.refresh_from_db()
    assert member.full_name == services.ERASED_NAME
    assert member.card_number == f"DEL-{member.pk}"
    assert member.email == member.phone == member.address == member.nik_hash == ""
    assert member.nik_last4 == "" and member.guardian_name == "" and member.user is None
    assert member.category.code == "umum" and member.home_branch == branch
    returned.refresh_from_db()
    assert returned.member is None
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED
    visit.refresh_from_db()
    assert visit.member_category == "umum"
    patron_user.refresh_from_db()
    assert not patron_user.is_active and not patron_user.has_usable_password()
    assert patron_user.username == f"deleted-{patron_user.pk}" and patron_user.email == ""
    entry = AuditEntry.objects.get(action="members.erased")
    text = f"{entry.target_repr} {entry.data}"
    assert name not in text and card not in text and email not in text
    assert not Member.objects.filter(full_name=name).exists()


def _export(client) -> dict:
    response = client.get(reverse("members_public:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_export_holds_my_data_and_not_another_members(patron_client, patron_member, patron_user):
    patron_member.nik_last4 = "0042"
    patron_member.save()
    other = MemberFactory(full_name="Orang Lain")
    make_loan(patron_member, status=Loan.Status.RETURNED)
    make_loan(other)
    make_fine(patron_member, amount=1_500)
    make_hold(patron_member)
    VisitFactory(member=patron_member, guest_name="", guest_key="")
    Notification.objects.create(
        kind="hold_ready",
        channel="email",
        recipient="budi@contoh.id",
        user=patron_user,
        subject="Siap diambil",
        body="Buku Anda siap",
    )
    data = _export(patron_client)
    assert data["member"]["full_name"] == "Budi Santoso"
    assert data["member"]["nik_last4"] == "0042"
    assert len(data["loans"]) == 1 and len(data["fines"]) == 1 and len(data["holds"]) == 1
    assert len(data["visits"]) == 1
    assert data["notifications"][0]["subject"] == "Siap diambil"
    assert "Orang Lain" not in json.dumps(data)
    assert other.card_number not in json.dumps(data)


def test_export_selector_is_json_safe(member):
    make_loan(member)
    json.dumps(selectors.member_data_export(member))


def test_patron_preferences_page_saves_choices(patron_client, patron_member):
    url = reverse("members_public:preferences")
    assert patron_client.get(url).status_code == 200
    response = patron_client.post(url, {"receive_news": "on"})
    assert response.status_code == 302
    patron_member.refresh_from_db()
    assert patron_member.receive_news and not patron_member.keep_reading_history


def test_patron_deletion_page_records_the_request(patron_client, patron_member):
    url = reverse("members_public:deletion")
    assert "hapus" in patron_client.get(url).content.decode().lower()  # Indonesian by default
    assert patron_client.post(url, {}).status_code == 200  # the confirmation box is required
    patron_member.refresh_from_db()
    assert patron_member.deletion_requested_at is None
    assert patron_client.post(url, {"confirm": "on"}).status_code == 302
    patron_member.refresh_from_db()
    assert patron_member.deletion_requested_at is not None
