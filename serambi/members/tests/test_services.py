import datetime

import pytest
from django.db import connection
from django.utils import timezone

from serambi.accounts.models import User
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry
from serambi.members import selectors, services
from serambi.members.models import Member

from .factories import VALID_NIKS, MemberFactory, category, member_data

pytestmark = pytest.mark.django_db


def test_nik_fingerprint_keeps_a_keyed_hash_and_the_last_four_digits():
    digest, last4 = services.nik_fingerprint("3171 0117 0845 0001")
    assert last4 == "0001"
    assert len(digest) == 64
    assert "3171011708450001" not in digest
    assert services.nik_fingerprint(VALID_NIKS[0])[0] == digest


@pytest.mark.parametrize("nik", ["", "123", "31710117084500011", "9971011708450001", "abcd"])
def test_invalid_nik_is_refused(nik):
    with pytest.raises(DomainError) as refusal:
        services.nik_fingerprint(nik)
    assert refusal.value.code == "members.invalid_nik"


def test_register_member_is_active_verified_with_a_generated_card(branch, librarian):
    member = services.register_member(
        data=member_data(home_branch=branch, nik=VALID_NIKS[0]), by=librarian
    )
    assert member.status == Member.Status.ACTIVE
    assert member.verified_by == librarian and member.verified_at is not None
    assert member.expires_on == services.add_months(
        timezone.localdate(), member.category.membership_months
    )
    assert member.card_number == services.card_number_for(1) == "A00000018"
    assert member.phone == "081234567890"
    assert member.nik_last4 == "0001"
    assert AuditEntry.objects.filter(action="members.registered", target_id=str(member.pk)).exists()


def test_card_numbers_follow_each_other_with_a_check_digit(branch, librarian):
    first = services.register_member(data=member_data(home_branch=branch), by=librarian)
    second = services.register_member(data=member_data(home_branch=branch), by=librarian)
    assert int(second.card_number[1:-1]) == int(first.card_number[1:-1]) + 1
    digits = second.card_number[1:-1]
    assert second.card_number[-1] == services._luhn_digit(digits)


def test_a_card_number_taken_by_a_parallel_desk_is_drawn_again(branch, librarian, monkeypatch):
    MemberFactory(card_number=services.card_number_for(1))
    calls = iter([services.card_number_for(1), services.card_number_for(2)])
    monkeypatch.setattr(services, "next_card_number", lambda: next(calls))
    member = services.register_member(data=member_data(home_branch=branch), by=librarian)
    assert member.card_number == services.card_number_for(2)


def test_duplicate_nik_is_found_without_the_number_being_stored(branch, librarian):
    first = services.register_member(
        data=member_data(home_branch=branch, nik=VALID_NIKS[1]), by=librarian
    )
    with pytest.raises(DomainError) as refusal:
        services.register_member(
            data=member_data(home_branch=branch, full_name="Orang Lain", nik=VALID_NIKS[1]),
            by=librarian,
        )
    assert refusal.value.code == "members.duplicate_nik"
    assert refusal.value.data["card_number"] == first.card_number


def test_the_full_nik_is_nowhere_in_the_member_row_or_the_audit_log(branch, librarian):
    nik = VALID_NIKS[2]
    member = services.register_member(data=member_data(home_branch=branch, nik=nik), by=librarian)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [member.pk])
        row = cursor.fetchone()
    assert all(nik not in str(value) for value in row)
    assert nik[-4:] in row
    for entry in AuditEntry.objects.all():
        assert nik not in str(entry.data) and nik not in entry.target_repr


def test_a_child_needs_a_guardian(branch, librarian):
    with pytest.raises(DomainError) as refusal:
        services.register_member(
            data=member_data(home_branch=branch, category=category("anak")), by=librarian
        )
    assert refusal.value.code == "members.guardian_required"
    assert refusal.value.data["field"] == "guardian_name"
    member = services.register_member(
        data=member_data(home_branch=branch, category=category("anak"), guardian_name="Ibu Ani"),
        by=librarian,
    )
    assert member.guardian_name == "Ibu Ani"


@pytest.mark.parametrize(
    ("phone", "stored"),
    [("0812-3456-7890", "081234567890"), ("+62 812 3456 7890", "081234567890"), ("", "")],
)
def test_phone_numbers_are_stored_in_one_form(phone, stored):
    assert services.clean_phone(phone) == stored


@pytest.mark.parametrize("phone", ["12345", "0812abc", "+1 555 1234 567"])
def test_bad_phone_numbers_are_refused(phone):
    with pytest.raises(DomainError) as refusal:
        services.clean_phone(phone)
    assert refusal.value.code == "members.invalid_phone"


def test_preregistration_then_verification(branch, librarian):
    member = services.preregister(
        data=member_data(home_branch=branch, keep_reading_history=True),
        username="dewi",
        password="rahasia-panjang-123",
    )
    assert member.status == Member.Status.PENDING
    assert member.card_number and member.expires_on is None and member.verified_at is None
    assert member.keep_reading_history is True
    user = User.objects.get(username="dewi")
    assert member.user == user and user.groups.filter(name="patron").exists()
    assert not user.is_staff

    member = services.verify_member(member=member, by=librarian, nik=VALID_NIKS[3])
    assert member.status == Member.Status.ACTIVE
    assert member.verified_by == librarian
    assert member.expires_on == services.add_months(
        timezone.localdate(), member.category.membership_months
    )
    assert member.nik_last4 == "0004"

    with pytest.raises(DomainError) as refusal:
        services.verify_member(member=member, by=librarian)
    assert refusal.value.code == "members.not_pending"


def test_preregistration_with_a_taken_username_creates_nothing(branch):
    User.objects.create_user(username="dewi", password="x")
    with pytest.raises(DomainError):
        services.preregister(
            data=member_data(home_branch=branch), username="dewi", password="rahasia-panjang-123"
        )
    assert not Member.objects.exists()


def test_renewal_extends_from_the_later_of_today_and_the_expiry(branch, librarian):
    today = timezone.localdate()
    ahead = MemberFactory(home_branch=branch, expires_on=today + datetime.timedelta(days=30))
    services.renew_membership(member=ahead, by=librarian)
    ahead.refresh_from_db()
    assert ahead.expires_on == services.add_months(today + datetime.timedelta(days=30), 24)

    lapsed = MemberFactory(
        home_branch=branch,
        status=Member.Status.EXPIRED,
        expires_on=today - datetime.timedelta(days=90),
    )
    services.renew_membership(member=lapsed, by=librarian)
    lapsed.refresh_from_db()
    assert lapsed.status == Member.Status.ACTIVE
    assert lapsed.expires_on == services.add_months(today, 24)


def test_renewal_to_a_past_date_or_of_a_pending_member_is_refused(branch, librarian):
    member = MemberFactory(home_branch=branch)
    with pytest.raises(DomainError) as refusal:
        services.renew_membership(member=member, by=librarian, until=timezone.localdate())
    assert refusal.value.code == "members.invalid_expiry"
    pending = MemberFactory(home_branch=branch, status=Member.Status.PENDING, expires_on=None)
    with pytest.raises(DomainError) as refusal:
        services.renew_membership(member=pending, by=librarian)
    assert refusal.value.code == "members.not_verified"


def test_add_months_keeps_the_end_of_the_month():
    assert services.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert services.add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2025, 11, 15), 3) == datetime.date(2026, 2, 15)


def test_suspension_needs_a_reason_and_follows_the_transitions(member, librarian):
    with pytest.raises(DomainError) as refusal:
        services.set_member_status(member=member, status="suspended", reason=" ", by=librarian)
    assert refusal.value.code == "members.reason_required"
    member = services.set_member_status(
        member=member, status="suspended", reason="Buku rusak", by=librarian
    )
    assert member.status == "suspended" and member.status_reason == "Buku rusak"
    member = services.set_member_status(member=member, status="active", by=librarian)
    assert member.status == "active" and member.status_reason == ""
    entry = AuditEntry.objects.filter(action="members.status_changed").first()
    assert entry.data["after"] == "active"


def test_a_pending_member_is_activated_by_verification_only(branch, librarian):
    pending = MemberFactory(home_branch=branch, status=Member.Status.PENDING)
    with pytest.raises(DomainError) as refusal:
        services.set_member_status(member=pending, status="suspended", reason="x", by=librarian)
    assert refusal.value.code == "members.invalid_transition"
    with pytest.raises(DomainError) as refusal:
        services.set_member_status(member=pending, status="active", by=librarian)
    assert refusal.value.code == "members.use_verification"


def test_an_expired_card_is_made_active_by_renewal(branch, librarian):
    expired = MemberFactory(
        home_branch=branch,
        status=Member.Status.EXPIRED,
        expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(DomainError) as refusal:
        services.set_member_status(member=expired, status="active", by=librarian)
    assert refusal.value.code == "members.renewal_needed"


def test_expire_memberships_sweeps_active_members_past_their_date(branch):
    today = timezone.localdate()
    past = MemberFactory(home_branch=branch, expires_on=today - datetime.timedelta(days=1))
    last_day = MemberFactory(home_branch=branch, expires_on=today)
    suspended = MemberFactory(
        home_branch=branch, status="suspended", expires_on=today - datetime.timedelta(days=3)
    )
    assert services.expire_memberships() == 1
    past.refresh_from_db(), last_day.refresh_from_db(), suspended.refresh_from_db()
    assert past.status == "expired" and last_day.status == "active"
    assert suspended.status == "suspended"
    assert services.expire_memberships() == 0


def test_update_member_names_changed_fields_not_values(member, librarian):
    services.update_member(
        member=member,
        data={"phone": "0813 1111 2222", "address": "Jl. Baru 1", "nik": VALID_NIKS[4]},
        by=librarian,
    )
    member.refresh_from_db()
    assert member.phone == "081311112222" and member.nik_last4 == "0005"
    entry = AuditEntry.objects.get(action="members.updated")
    assert sorted(entry.data["changed"]) == ["address", "nik", "phone"]
    assert "Jl. Baru" not in str(entry.data)


def test_update_member_refuses_another_members_card_number(member, librarian):
    other = MemberFactory()
    with pytest.raises(DomainError) as refusal:
        services.update_member(
            member=member, data={"card_number": other.card_number.lower()}, by=librarian
        )
    assert refusal.value.code == "members.duplicate_card_number"


def test_member_by_card_ignores_spaces_and_case(member):
    assert selectors.member_by_card(f"  {member.card_number.lower()}\n") == member
    with pytest.raises(DomainError) as refusal:
        selectors.member_by_card("X999")
    assert refusal.value.code == "members.card_not_found"


def test_member_search_finds_by_name_card_phone_and_email(member):
    MemberFactory(full_name="Agus Salim", phone="085700001111")
    assert selectors.member_search("rahma") == [member]
    assert selectors.member_search(member.card_number) == [member]
    assert [m.full_name for m in selectors.member_search("+62 857-0000")] == ["Agus Salim"]
    assert selectors.member_search(member.email.upper()) == [member]
    assert selectors.member_search("   ") == []


def test_categories_are_edited_through_services(manager):
    created = services.create_category(
        data={"code": "Guru", "name": "Guru", "membership_months": 24}, by=manager
    )
    assert created.code == "guru"
    with pytest.raises(DomainError) as refusal:
        services.create_category(data={"code": "guru", "name": "Lagi"}, by=manager)
    assert refusal.value.code == "members.duplicate_category_code"
    services.update_category(category=created, data={"membership_months": 6}, by=manager)
    created.refresh_from_db()
    assert created.membership_months == 6
