"""The circulation API: the desk's checkout and checkin, a patron's own loans, holds and fines."""

import datetime

import pytest
from django.utils import timezone

from serambi.api.services import create_token
from serambi.api.tests.conftest import bearer
from serambi.catalog.models import Item
from serambi.catalog.tests.factories import BranchFactory, ItemFactory, RecordFactory, UserFactory
from serambi.circulation import services
from serambi.circulation.models import Fine, Hold, Loan
from serambi.members.models import Member
from serambi.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/v1/circulation/checkout"
CHECKIN = "/api/v1/circulation/checkin"
MAX_ID = 2**63 - 1


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def librarian(db):
    return UserFactory(username="sirkulasi", roles=["circulation"])


@pytest.fixture
def staff(librarian):
    return bearer(create_token(user=librarian).secret)


@pytest.fixture
def budi(patron_user, branch) -> Member:
    return MemberFactory(
        user=patron_user, card_number="A0000123", full_name="Budi Santoso", home_branch=branch
    )


@pytest.fixture
def patron(budi, patron_user):
    return bearer(create_token(user=patron_user).secret)


@pytest.fixture
def siti(branch) -> Member:
    user = UserFactory(username="siti", roles=["patron"])
    return MemberFactory(user=user, card_number="A0000456", full_name="Siti", home_branch=branch)


@pytest.fixture
def item(branch) -> Item:
    return ItemFactory(
        record=RecordFactory(title="Laskar pelangi"), branch=branch, barcode="B0000001"
    )


def post(client, path, body, headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def lend(item, member, by, *, days_ago: int = 0) -> Loan:
    now = timezone.now() - datetime.timedelta(days=days_ago)
    return services.checkout(item=item, member=member, by=by, now=now)


# --- checkout --------------------------------------------------------------------


def test_the_desk_lends_a_copy_and_gets_the_loan(client, staff, item, budi):
    response = post(
        client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "A0000123"}, staff
    )

    assert response.status_code == 201
    body = response.json()
    loan = Loan.objects.get()
    assert body["id"] == loan.pk
    assert body["item"] == {
        "id": item.pk,
        "barcode": "B0000001",
        "record_id": item.record_id,
        "title": "Laskar pelangi",
    }
    assert (body["member_card"], body["member_name"]) == ("A0000123", "Budi Santoso")
    assert body["due_on"] == loan.due_on.isoformat()
    assert loan.due_on > timezone.localdate()
    assert (body["renewals"], body["status"], body["branch"]["code"]) == (0, "on_loan", "pusat")
    assert loan.channel == "api"


def test_a_copy_already_out_is_refused_with_its_code(client, staff, item, budi, siti, librarian):
    lend(item, siti, librarian)

    response = post(
        client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "A0000123"}, staff
    )

    assert response.status_code == 409
    assert response.json()["code"] == "circulation.item_on_loan"
    assert Loan.objects.count() == 1


def test_an_expired_card_is_refused_then_lent_with_an_override_reason(client, staff, item, budi):
    budi.expires_on = timezone.localdate() - datetime.timedelta(days=1)
    budi.save()
    body = {"item_barcode": "B0000001", "member_card": "A0000123"}

    refused = post(client, CHECKOUT, body, staff)
    lent = post(client, CHECKOUT, {**body, "override_reason": "Perpanjang besok"}, staff)

    assert refused.status_code == 409
    assert refused.json()["code"] == "circulation.member_expired"
    assert refused.json()["data"]["overridable"] is True
    assert lent.status_code == 201


def test_unknown_barcode_and_card_are_404_with_their_codes(client, staff, item, budi):
    no_item = post(client, CHECKOUT, {"item_barcode": "NOPE", "member_card": "A0000123"}, staff)
    no_card = post(client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "NOPE"}, staff)

    assert (no_item.status_code, no_item.json()["code"]) == (404, "catalog.item_not_found")
    assert (no_card.status_code, no_card.json()["code"]) == (404, "members.card_not_found")


def test_an_unknown_desk_branch_is_404(client, staff, item, budi):
    body = {"item_barcode": "B0000001", "member_card": "A0000123", "branch": "mars"}

    response = post(client, CHECKOUT, body, staff)

    assert (response.status_code, response.json()["code"]) == (404, "core.branch_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"item_barcode": "B0000001"},
        {"member_card": "A0000123"},
        {"item_barcode": "", "member_card": "A0000123"},
        {"item_barcode": "B\x00001", "member_card": "A0000123"},
        {"item_barcode": "B" * 51, "member_card": "A0000123"},
        {"item_barcode": 12, "member_card": ["A0000123"]},
        {"item_barcode": "B0000001", "member_card": "A0000123", "override_reason": "x" * 301},
    ],
)
def test_bad_checkout_input_is_422_json(client, staff, item, budi, body):
    response = post(client, CHECKOUT, body, staff)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_body_that_is_not_json_is_400_json(client, staff):
    response = client.post(CHECKOUT, "{not json", content_type="application/json", headers=staff)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_patrons_may_not_lend_or_take_back(client, patron, item):
    lent = post(client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "A0000123"}, patron)
    returned = post(client, CHECKIN, {"item_barcode": "B0000001"}, patron)

    assert (lent.status_code, lent.json()["code"]) == (403, "forbidden")
    assert (returned.status_code, returned.json()["code"]) == (403, "forbidden")
    assert not Loan.objects.exists()


def test_the_desk_needs_signing_in(client, item):
    lent = post(client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "A0000123"}, {})
    returned = post(client, CHECKIN, {"item_barcode": "B0000001"}, {})

    assert (lent.status_code, returned.status_code) == (401, 401)
    assert lent.json()["code"] == "auth.required"


def test_staff_signed_in_on_the_site_may_lend(client, librarian, item, budi):
    client.force_login(librarian)

    response = post(client, CHECKOUT, {"item_barcode": "B0000001", "member_card": "A0000123"}, {})

    assert response.status_code == 201


# --- checkin ---------------------------------------------------------------------


def test_checkin_closes_the_loan(client, staff, item, budi, librarian):
    loan = lend(item, budi, librarian)

    response = post(client, CHECKIN, {"item_barcode": "b0000001"}, staff)

    assert response.status_code == 200
    body = response.json()
    assert body["item"]["barcode"] == "B0000001"
    assert (body["item_status"], body["item_status_label"]) == ("available", "Available")
    assert body["loan"]["id"] == loan.pk
    assert body["loan"]["status"] == "returned"
    assert body["loan"]["member_card"] == "A0000123"
    assert (body["fine"], body["hold"], body["in_transit_to"]) == (None, None, None)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED


def test_a_late_return_answers_with_the_fine_charged(client, staff, item, budi, librarian):
    loan = lend(item, budi, librarian, days_ago=30)
    late = (timezone.localdate() - loan.due_on).days

    body = post(client, CHECKIN, {"item_barcode": "B0000001"}, staff).json()

    fine = Fine.objects.get()
    assert body["fine"]["id"] == fine.pk
    assert body["fine"]["amount"] == fine.amount == late * loan.fine_per_day
    assert body["fine"]["kind"] == "overdue"


def test_a_return_for_a_hold_here_goes_on_the_hold_shelf(
    client, staff, item, budi, siti, librarian, branch
):
    lend(item, budi, librarian)
    services.place_hold(record=item.record, member=siti, pickup_branch=branch, by=librarian)

    body = post(client, CHECKIN, {"item_barcode": "B0000001"}, staff).json()

    assert body["item_status"] == "on_hold_shelf"
    assert body["hold"]["status"] == "ready"
    assert body["hold"]["member_card"] == "A0000456"
    assert body["hold"]["pickup_branch"]["code"] == "pusat"
    assert body["hold"]["pickup_by"] is not None
    assert body["in_transit_to"] is None


def test_a_return_for_a_hold_elsewhere_is_sent_on(client, staff, item, budi, siti, librarian):
    north = BranchFactory(code="utara", name="Cabang Utara")
    lend(item, budi, librarian)
    services.place_hold(record=item.record, member=siti, pickup_branch=north, by=librarian)

    body = post(client, CHECKIN, {"item_barcode": "B0000001"}, staff).json()

    assert body["item_status"] == "in_transit"
    assert body["hold"]["status"] == "in_transit"
    assert body["in_transit_to"] == {"code": "utara", "name": "Cabang Utara"}


def test_checking_in_a_copy_that_is_not_out_is_409(client, staff, item):
    response = post(client, CHECKIN, {"item_barcode": "B0000001"}, staff)

    assert (response.status_code, response.json()["code"]) == (409, "circulation.not_on_loan")


@pytest.mark.parametrize("body", [{}, {"item_barcode": ""}, {"item_barcode": "\n"}, []])
def test_bad_checkin_input_is_422_json(client, staff, body):
    response = post(client, CHECKIN, body, staff)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


# --- the patron's loans --------------------------------------------------------------


def test_a_patron_sees_only_their_own_open_loans(client, patron, item, budi, siti, librarian):
    lend(item, budi, librarian)
    lend(ItemFactory(), siti, librarian)

    response = client.get("/api/v1/me/loans", headers=patron)

    assert response.status_code == 200
    [loan] = response.json()
    assert loan["item"]["barcode"] == "B0000001"
    assert (loan["is_overdue"], loan["accruing_fine"]) == (False, 0)
    assert (loan["renewals_left"], loan["can_renew"], loan["renew_refusal"]) == (1, True, None)


def test_an_overdue_loan_shows_its_accruing_fine(client, patron, item, budi, librarian):
    loan = lend(item, budi, librarian, days_ago=20)
    late = (timezone.localdate() - loan.due_on).days

    [row] = client.get("/api/v1/me/loans", headers=patron).json()

    assert row["is_overdue"] is True
    assert row["accruing_fine"] == late * loan.fine_per_day > 0


def test_a_loan_someone_waits_for_says_why_it_cannot_be_renewed(
    client, patron, item, budi, siti, librarian, branch
):
    lend(item, budi, librarian)
    services.place_hold(record=item.record, member=siti, pickup_branch=branch, by=librarian)

    [row] = client.get("/api/v1/me/loans", headers=patron).json()

    assert row["can_renew"] is False
    assert row["renew_refusal"]["code"] == "circulation.others_waiting"


def test_a_patron_renews_their_loan(client, patron, item, budi, librarian):
    loan = lend(item, budi, librarian, days_ago=5)

    response = client.post(f"/api/v1/loans/{loan.pk}/renew", headers=patron)

    assert response.status_code == 200
    loan.refresh_from_db()
    assert response.json()["renewals"] == loan.renewals == 1
    assert response.json()["due_on"] == loan.due_on.isoformat()


def test_a_renewal_past_the_limit_is_409(client, patron, item, budi, librarian):
    loan = lend(item, budi, librarian)
    services.renew(loan=loan, by=librarian)

    response = client.post(f"/api/v1/loans/{loan.pk}/renew", headers=patron)

    assert response.status_code == 409
    assert response.json()["code"] == "circulation.max_renewals"


def test_another_patrons_loan_is_not_found(client, patron, siti, librarian):
    loan = lend(ItemFactory(), siti, librarian)

    response = client.post(f"/api/v1/loans/{loan.pk}/renew", headers=patron)

    assert (response.status_code, response.json()["code"]) == (404, "circulation.loan_not_found")
    loan.refresh_from_db()
    assert loan.renewals == 0


@pytest.mark.parametrize(
    ("loan_id", "status"), [(MAX_ID, 404), (MAX_ID + 1, 422), (0, 422), (-1, 422), ("abc", 422)]
)
def test_odd_loan_ids_are_refused_as_json(client, patron, loan_id, status):
    response = client.post(f"/api/v1/loans/{loan_id}/renew", headers=patron)

    assert response.status_code == status
    assert response.json()["code"]


def test_the_patron_endpoints_need_signing_in(client, budi):
    for method, path in [
        ("get", "/api/v1/me/loans"),
        ("get", "/api/v1/me/holds"),
        ("get", "/api/v1/me/fines"),
        ("post", "/api/v1/loans/1/renew"),
        ("post", "/api/v1/holds"),
        ("delete", "/api/v1/holds/1"),
    ]:
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 401, path
        assert response.json()["code"] == "auth.required"


def test_a_staff_account_without_a_card_has_no_loans_or_holds(client, staff):
    for method, path in [
        ("get", "/api/v1/me/loans"),
        ("get", "/api/v1/me/holds"),
        ("get", "/api/v1/me/fines"),
        ("post", "/api/v1/loans/1/renew"),
        ("delete", "/api/v1/holds/1"),
    ]:
        response = getattr(client, method)(path, headers=staff)
        assert response.status_code == 404, path
        assert response.json()["code"] == "members.not_a_member"


# --- holds -----------------------------------------------------------------------


def test_a_patron_places_a_hold_and_sees_their_place_in_the_queue(
    client, patron, item, budi, siti, librarian, branch
):
    lend(item, siti, librarian)
    first = post(
        client, "/api/v1/holds", {"record_id": item.record_id, "pickup_branch": "pusat"}, patron
    )

    assert first.status_code == 201
    body = first.json()
    hold = Hold.objects.get()
    assert (body["id"], body["status"], body["position"]) == (hold.pk, "waiting", 1)
    assert body["pickup_branch"] == {"code": "pusat", "name": "Perpustakaan Pusat"}
    assert body["title"] == "Laskar pelangi"
    assert hold.member == budi


def test_the_holds_list_gives_positions(client, patron, item, budi, siti, librarian, branch):
    lend(item, siti, librarian)
    other = MemberFactory(home_branch=branch)
    services.place_hold(record=item.record, member=other, pickup_branch=branch, by=librarian)
    services.place_hold(record=item.record, member=budi, pickup_branch=branch, by=librarian)

    [row] = client.get("/api/v1/me/holds", headers=patron).json()

    assert (row["status"], row["position"], row["pickup_by"]) == ("waiting", 2, None)


def test_a_hold_on_one_copy(client, patron, item, budi, siti, librarian):
    lend(item, siti, librarian)
    body = {"record_id": item.record_id, "pickup_branch": "pusat", "item_id": item.pk}

    response = post(client, "/api/v1/holds", body, patron)

    assert response.status_code == 201
    assert response.json()["is_item_hold"] is True
    assert response.json()["item"]["barcode"] == "B0000001"


def test_a_second_hold_on_the_same_title_is_409(client, patron, item, budi, siti, librarian):
    lend(item, siti, librarian)
    body = {"record_id": item.record_id, "pickup_branch": "pusat"}
    post(client, "/api/v1/holds", body, patron)

    response = post(client, "/api/v1/holds", body, patron)

    assert (response.status_code, response.json()["code"]) == (409, "circulation.already_holding")


def test_holds_on_unknown_things_are_404(client, patron, item, budi):
    no_record = post(
        client, "/api/v1/holds", {"record_id": MAX_ID, "pickup_branch": "pusat"}, patron
    )
    no_branch = post(
        client, "/api/v1/holds", {"record_id": item.record_id, "pickup_branch": "mars"}, patron
    )
    no_copy = post(
        client,
        "/api/v1/holds",
        {"record_id": item.record_id, "pickup_branch": "pusat", "item_id": MAX_ID},
        patron,
    )

    assert (no_record.status_code, no_record.json()["code"]) == (404, "catalog.record_not_found")
    assert (no_branch.status_code, no_branch.json()["code"]) == (404, "core.branch_not_found")
    assert (no_copy.status_code, no_copy.json()["code"]) == (404, "catalog.item_not_found")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"record_id": 1},
        {"pickup_branch": "pusat"},
        {"record_id": MAX_ID + 1, "pickup_branch": "pusat"},
        {"record_id": 0, "pickup_branch": "pusat"},
        {"record_id": "satu", "pickup_branch": "pusat"},
        {"record_id": 1, "pickup_branch": "p" * 21},
        {"record_id": 1, "pickup_branch": "pusat", "item_id": -4},
    ],
)
def test_bad_hold_input_is_422_json(client, patron, body):
    response = post(client, "/api/v1/holds", body, patron)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_patron_cancels_their_hold(client, patron, item, budi, librarian, branch):
    hold = services.place_hold(record=item.record, member=budi, pickup_branch=branch, by=librarian)

    response = client.delete(f"/api/v1/holds/{hold.pk}", headers=patron)
    again = client.delete(f"/api/v1/holds/{hold.pk}", headers=patron)

    assert response.status_code == 204
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED
    assert (again.status_code, again.json()["code"]) == (409, "circulation.hold_not_cancellable")
    assert client.get("/api/v1/me/holds", headers=patron).json() == []


def test_another_patrons_hold_is_not_found(client, patron, item, siti, librarian, branch):
    hold = services.place_hold(record=item.record, member=siti, pickup_branch=branch, by=librarian)

    response = client.delete(f"/api/v1/holds/{hold.pk}", headers=patron)

    assert (response.status_code, response.json()["code"]) == (404, "circulation.hold_not_found")
    hold.refresh_from_db()
    assert hold.status == Hold.Status.WAITING


@pytest.mark.parametrize(("hold_id", "status"), [(MAX_ID, 404), (MAX_ID + 1, 422), (0, 422)])
def test_odd_hold_ids_are_refused_as_json(client, patron, hold_id, status):
    response = client.delete(f"/api/v1/holds/{hold_id}", headers=patron)

    assert response.status_code == status


# --- fines -----------------------------------------------------------------------


def test_a_patron_sees_what_they_owe(client, patron, item, budi, librarian):
    lend(item, budi, librarian, days_ago=30)
    services.checkin(item=item, by=librarian)
    fine = Fine.objects.get()

    response = client.get("/api/v1/me/fines", headers=patron)

    assert response.status_code == 200
    body = response.json()
    assert body["balance"] == fine.amount > 0
    [row] = body["fines"]
    assert (row["id"], row["kind"], row["balance"]) == (fine.pk, "overdue", fine.amount)
    assert row["item"]["barcode"] == "B0000001"


def test_no_fines_is_a_zero_balance(client, patron):
    assert client.get("/api/v1/me/fines", headers=patron).json() == {"balance": 0, "fines": []}
