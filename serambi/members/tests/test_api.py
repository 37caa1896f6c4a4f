"""GET /members/by-card/{card} for the desk, GET /me for the patron."""

import datetime

import pytest
from django.utils import timezone

from serambi.api.services import create_token
from serambi.api.tests.conftest import bearer
from serambi.catalog.tests.factories import UserFactory
from serambi.members.models import Member
from serambi.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


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
        user=patron_user,
        card_number="A0000123",
        full_name="Budi Santoso",
        home_branch=branch,
        nik_hash="f" * 64,
        nik_last4="4321",
        staff_notes="Sering terlambat.",
        address="Jl. Merdeka 1",
        keep_reading_history=True,
    )


@pytest.fixture
def patron(budi, patron_user):
    return bearer(create_token(user=patron_user).secret)


def by_card(card: str) -> str:
    return f"/api/v1/members/by-card/{card}"


# --- by card ---------------------------------------------------------------------


def test_the_desk_finds_a_member_by_card_with_standing_and_blocks(client, staff, budi):
    response = client.get(by_card("A0000123"), headers=staff)

    assert response.status_code == 200
    body = response.json()
    assert body["full_name"] == "Budi Santoso"
    assert body["card_number"] == "A0000123"
    assert body["category"] == {"code": "umum", "name": budi.category.name}
    assert (body["status"], body["status_label"]) == ("active", "Active")
    assert body["expires_on"] == budi.expires_on.isoformat()
    assert body["home_branch"]["code"] == "pusat"
    assert (body["open_loans"], body["overdue_loans"], body["unpaid_fines"]) == (0, 0, 0)
    assert body["blocks"] == []


def test_a_card_is_found_whatever_its_letter_case(client, staff, budi):
    assert client.get(by_card("a0000123"), headers=staff).json()["card_number"] == "A0000123"


def test_an_expired_card_shows_its_block_with_a_code(client, staff, budi):
    budi.expires_on = timezone.localdate() - datetime.timedelta(days=3)
    budi.save()

    blocks = client.get(by_card("A0000123"), headers=staff).json()["blocks"]

    assert [block["code"] for block in blocks] == ["circulation.member_expired"]
    assert blocks[0]["overridable"] is True
    assert "expired" in blocks[0]["message"]


def test_an_unknown_card_is_404_with_its_own_code(client, staff):
    response = client.get(by_card("Z9999999"), headers=staff)

    assert response.status_code == 404
    assert response.json()["code"] == "members.card_not_found"


@pytest.mark.parametrize("card", ["x" * 31, "A%00B", "%0A"])
def test_a_garbage_card_number_is_refused_as_invalid(client, staff, card):
    response = client.get(by_card(card), headers=staff)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_patron_may_not_look_cards_up(client, patron, budi):
    response = client.get(by_card("A0000123"), headers=patron)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_looking_a_card_up_needs_signing_in(client, budi):
    response = client.get(by_card("A0000123"))

    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_staff_signed_in_on_the_site_may_look_cards_up(client, librarian, budi):
    client.force_login(librarian)

    assert client.get(by_card("A0000123")).status_code == 200


# --- me --------------------------------------------------------------------------


def test_a_patron_reads_their_own_profile(client, patron, budi):
    response = client.get("/api/v1/me", headers=patron)

    assert response.status_code == 200
    body = response.json()
    assert body["card_number"] == "A0000123"
    assert body["full_name"] == "Budi Santoso"
    assert body["category"]["code"] == "umum"
    assert body["status"] == "active"
    assert body["expires_on"] == budi.expires_on.isoformat()
    assert body["address"] == "Jl. Merdeka 1"
    assert body["preferences"] == {"keep_reading_history": True, "receive_news": False}


def test_the_profile_gives_only_the_niks_last_four_digits_and_no_staff_notes(client, patron, budi):
    body = client.get("/api/v1/me", headers=patron).json()

    assert body["nik_last4"] == "4321"
    text = str(body)
    assert "f" * 64 not in text
    assert "nik_hash" not in body
    assert "Sering terlambat" not in text


def test_a_staff_account_without_a_card_has_no_profile(client, staff):
    response = client.get("/api/v1/me", headers=staff)

    assert response.status_code == 404
    assert response.json()["code"] == "members.not_a_member"


def test_the_profile_needs_signing_in(client, budi):
    assert client.get("/api/v1/me").status_code == 401


def test_another_patron_sees_their_own_profile_not_budis(client, branch, budi):
    other = UserFactory(username="siti", roles=["patron"])
    MemberFactory(user=other, card_number="A0000999", home_branch=branch)

    body = client.get("/api/v1/me", headers=bearer(create_token(user=other).secret)).json()

    assert body["card_number"] == "A0000999"
