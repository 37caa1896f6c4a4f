import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serambi.accounts.models import User
from serambi.members.models import Member, MemberCategory

from .conftest import make_loan
from .factories import VALID_NIKS, MemberFactory, category

pytestmark = pytest.mark.django_db


def _form(branch, **overrides) -> dict:
    data = {
        "full_name": "Rahmat Hidayat",
        "category": category().pk,
        "birth_date": "1990-05-17",
        "address": "Jl. Tidar 5",
        "kelurahan": "Rejowinangun",
        "kecamatan": "Magelang Selatan",
        "city": "Magelang",
        "phone": "0812-3456-7890",
        "phone_is_whatsapp": "on",
        "email": "rahmat@contoh.id",
        "home_branch": branch.pk,
    }
    data.update(overrides)
    return data


def test_member_list_searches_and_filters(librarian_client, branch):
    MemberFactory(full_name="Siti Aminah", home_branch=branch)
    MemberFactory(full_name="Bambang", status=Member.Status.SUSPENDED)
    url = reverse("members:list")
    assert "Siti Aminah" in librarian_client.get(url, {"q": "amin"}).content.decode()
    page = librarian_client.get(url, {"status": "suspended"}).content.decode()
    assert "Bambang" in page and "Siti Aminah" not in page
    assert librarian_client.get(url, {"branch": "999999", "status": "bogus"}).status_code == 200


def test_member_list_query_count_does_not_grow_with_the_page(librarian_client, branch):
    url = reverse("members:list")
    MemberFactory.create_batch(3, home_branch=branch)
    librarian_client.get(url)  # warm caches (permissions, session)
    with CaptureQueriesContext(connection) as few:
        librarian_client.get(url)
    MemberFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        librarian_client.get(url)
    assert len(many) == len(few)
    assert len(few) <= 10


def test_staff_registers_a_member(librarian_client, branch):
    response = librarian_client.post(reverse("members:create"), _form(branch, nik=VALID_NIKS[7]))
    member = Member.objects.get(full_name="Rahmat Hidayat")
    assert response.status_code == 302 and response["Location"] == member.get_absolute_url()
    assert member.status == "active" and member.phone == "081234567890"
    assert member.nik_last4 == "0008"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "1234567890123456"}, "nik"),
        ({"phone": "telepon saya"}, "phone"),
        ({"email": "bukan-email"}, "email"),
        ({"birth_date": "kemarin"}, "birth_date"),
        ({"full_name": ""}, "full_name"),
        ({"category": "999999"}, "category"),
        ({"home_branch": "abc"}, "home_branch"),
    ],
)
def test_registration_with_garbage_gives_form_errors(librarian_client, branch, overrides, field):
    response = librarian_client.post(reverse("members:create"), _form(branch, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Member.objects.exists()


def test_a_child_without_a_guardian_is_a_form_error(librarian_client, branch):
    response = librarian_client.post(
        reverse("members:create"), _form(branch, category=category("anak").pk)
    )
    assert "guardian_name" in response.context["form"].errors


def test_duplicate_nik_is_shown_on_the_nik_field(librarian_client, branch):
    librarian_client.post(reverse("members:create"), _form(branch, nik=VALID_NIKS[8]))
    response = librarian_client.post(
        reverse("members:create"), _form(branch, full_name="Lagi", nik=VALID_NIKS[8])
    )
    assert "nik" in response.context["form"].errors


def test_detail_masks_the_nik_and_links_to_the_desk(librarian_client, member):
    member.nik_last4 = "1234"
    member.save()
    page = librarian_client.get(member.get_absolute_url()).content.decode()
    assert "************1234" in page
    assert f"card={member.card_number}" in page


def test_verify_renew_and_suspend_from_the_detail_page(librarian_client, branch):
    pending = MemberFactory(home_branch=branch, status=Member.Status.PENDING, expires_on=None)
    response = librarian_client.post(reverse("members:verify", args=[pending.pk]), {"nik": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "active" and pending.expires_on

    response = librarian_client.post(
        reverse("members:status", args=[pending.pk]), {"status": "suspended", "reason": ""}
    )
    pending.refresh_from_db()
    assert pending.status == "active"  # refused: no reason
    librarian_client.post(
        reverse("members:status", args=[pending.pk]),
        {"status": "suspended", "reason": "Terlambat berulang"},
    )
    pending.refresh_from_db()
    assert pending.status == "suspended"
    response = librarian_client.post(
        reverse("members:renew", args=[pending.pk]), {"until": "garbage"}
    )
    assert response.status_code == 302


def test_actions_need_post(librarian_client, member):
    assert librarian_client.get(reverse("members:verify", args=[member.pk])).status_code == 405


def test_edit_member(librarian_client, member, branch):
    url = reverse("members:update", args=[member.pk])
    assert librarian_client.get(url).status_code == 200
    response = librarian_client.post(
        url, _form(branch, full_name="Siti R.", card_number=member.card_number)
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.full_name == "Siti R."


def test_erase_needs_the_erase_permission(librarian_client, manager_client, member):
    url = reverse("members:erase", args=[member.pk])
    assert librarian_client.get(url).status_code == 403
    make_loan(member)
    response = manager_client.post(url, {"confirm": "on"})
    assert response.status_code == 200 and response.context["form"].errors
    member.refresh_from_db()
    assert member.full_name == "Siti Rahmawati"


def test_staff_without_member_permissions_get_403(cataloguer_client, member):
    for url in (
        reverse("members:list"),
        reverse("members:create"),
        member.get_absolute_url(),
        reverse("members:card", args=[member.pk]),
        reverse("members:categories"),
        reverse("members:pending"),
    ):
        assert cataloguer_client.get(url).status_code == 403, url


def test_patrons_cannot_open_staff_member_pages(patron_client, patron_member, member):
    assert patron_client.get(member.get_absolute_url()).status_code == 403
    assert patron_client.get(patron_member.get_absolute_url()).status_code == 403


def test_print_card_has_both_codes(librarian_client, member):
    page = librarian_client.get(reverse("members:card", args=[member.pk])).content.decode()
    assert 'class="qr"' in page and 'class="barcode"' in page and member.card_number in page


def test_categories_need_the_category_permission(librarian_client, manager_client):
    assert librarian_client.get(reverse("members:categories")).status_code == 403
    assert manager_client.get(reverse("members:categories")).status_code == 200
    response = manager_client.post(
        reverse("members:category_create"),
        {"code": "guru", "name": "Guru", "membership_months": "24", "position": "9"},
    )
    assert response.status_code == 302
    guru = MemberCategory.objects.get(code="guru")
    response = manager_client.post(
        reverse("members:category_update", args=[guru.pk]),
        {"code": "umum", "name": "Guru", "membership_months": "abc", "position": "9"},
    )
    assert response.status_code == 200 and "membership_months" in response.context["form"].errors


def test_pending_list(librarian_client, branch):
    MemberFactory(full_name="Menunggu", status=Member.Status.PENDING, home_branch=branch)
    assert "Menunggu" in librarian_client.get(reverse("members:pending")).content.decode()


# ----------------------------------------------------------------------------- public


def _registration(branch, **overrides) -> dict:
    data = _form(
        branch,
        username="rahmat",
        password1="kucing-oren-2025",
        password2="kucing-oren-2025",
        accept_privacy="on",
    )
    data.pop("phone_is_whatsapp")
    data.update(overrides)
    return data


def test_online_preregistration_signs_in_and_shows_the_next_step(client, branch):
    response = client.post(reverse("members_public:register"), _registration(branch))
    assert response.status_code == 302
    assert response["Location"] == reverse("members_public:register_done")
    member = Member.objects.get()
    assert member.status == "pending" and member.user.username == "rahmat"
    assert not member.keep_reading_history and not member.receive_news  # unticked by default
    page = client.get(response["Location"]).content.decode()
    assert member.card_number in page and "KTP" in page


def test_preregistration_garbage_gives_form_errors(client, branch):
    User.objects.create_user(username="rahmat", password="x")
    response = client.post(
        reverse("members_public:register"),
        _registration(
            branch, password2="lain", accept_privacy="", nik="12", category="x", email="@"
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"username", "password2", "accept_privacy", "nik", "category", "email"} <= set(errors)
    assert not Member.objects.exists()


def test_a_signed_in_patron_without_membership_registers_with_their_account(
    patron_client, patron_user, branch
):
    page = patron_client.get(reverse("members_public:register"))
    assert "username" not in page.context["form"].fields
    data = _registration(branch)
    response = patron_client.post(reverse("members_public:register"), data)
    assert response.status_code == 302
    assert Member.objects.get().user == patron_user


def test_patron_card_page(patron_client, patron_member):
    page = patron_client.get(reverse("members_public:card")).content.decode()
    assert patron_member.card_number in page and 'class="qr"' in page and "kecerahan" in page


def test_patron_without_membership_is_pointed_to_registration(patron_client):
    for name in ("card", "preferences", "deletion", "data_export"):
        response = patron_client.get(reverse(f"members_public:{name}"))
        assert response.status_code == 200
        assert reverse("members_public:register") in response.content.decode()


def test_patron_pages_need_sign_in(client):
    response = client.get(reverse("members_public:card"))
    assert response.status_code == 302 and "masuk" in response["Location"]


def test_a_patron_only_ever_sees_their_own_card(patron_client, patron_member, member):
    page = patron_client.get(reverse("members_public:card")).content.decode()
    assert member.card_number not in page and member.full_name not in page
