import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory
from serambi.core.errors import DomainError
from serambi.members import selectors, services
from serambi.members.models import Member, Visit

from .factories import MemberFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_a_member_checks_in_once_a_day_anywhere(branch, member, kiosk_user):
    visit = services.check_in_visit(branch=branch, member=member, by=kiosk_user)
    assert visit.member_category == "umum" and visit.head_count == 1
    with pytest.raises(DomainError) as refusal:
        services.check_in_visit(branch=BranchFactory(), member=member, by=kiosk_user)
    assert refusal.value.code == "members.already_checked_in"
    assert refusal.value.data["visit"] == visit.pk


def test_suspended_and_expired_members_may_still_visit(branch, kiosk_user):
    suspended = MemberFactory(status=Member.Status.SUSPENDED)
    expired = MemberFactory(
        status=Member.Status.EXPIRED, expires_on=timezone.localdate() - datetime.timedelta(days=9)
    )
    services.check_in_visit(branch=branch, member=suspended, by=kiosk_user)
    services.check_in_visit(branch=branch, member=expired, by=kiosk_user)
    assert Visit.objects.count() == 2


def test_a_guest_counts_once_a_day_per_branch_by_folded_name(branch, kiosk_user):
    services.check_in_visit(
        branch=branch, guest_name="Rina  Kusuma", institution="UNIMMA", by=kiosk_user
    )
    with pytest.raises(DomainError) as refusal:
        services.check_in_visit(
            branch=branch, guest_name="rina kusuma", institution="unimma ", by=kiosk_user
        )
    assert refusal.value.code == "members.already_checked_in"
    services.check_in_visit(
        branch=BranchFactory(), guest_name="Rina Kusuma", institution="UNIMMA", by=kiosk_user
    )
    services.check_in_visit(branch=branch, guest_name="Rina Kusuma", by=kiosk_user)
    assert Visit.objects.count() == 3


def test_a_group_has_at_least_two_people(branch, librarian):
    with pytest.raises(DomainError) as refusal:
        services.check_in_visit(
            branch=branch, guest_name="SDN 3", is_group=True, head_count=1, by=librarian
        )
    assert refusal.value.code == "members.group_too_small"
    visit = services.check_in_visit(
        branch=branch, guest_name="SDN 3", is_group=True, head_count=28, by=librarian
    )
    assert visit.head_count == 28 and visit.is_group


def test_a_guest_needs_a_name(branch, kiosk_user):
    with pytest.raises(DomainError) as refusal:
        services.check_in_visit(branch=branch, guest_name="  ", by=kiosk_user)
    assert refusal.value.code == "members.guest_name_required"


def test_visit_counts_add_up_head_counts_per_branch_and_day(branch):
    other = BranchFactory()
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    VisitFactory(branch=branch)
    VisitFactory(branch=branch, head_count=25, is_group=True)
    VisitFactory(branch=branch, visited_on=yesterday)
    VisitFactory(branch=other)
    rows = selectors.visit_counts(start=yesterday, end=today)
    assert (today, branch.pk, 26) in rows
    assert (yesterday, branch.pk, 1) in rows
    assert (today, other.pk, 1) in rows
    assert selectors.visit_counts(branch=other, start=yesterday, end=today) == [
        (today, other.pk, 1)
    ]


def _kiosk_url(branch):
    return reverse("members_public:kiosk", args=[branch.code])


def test_kiosk_scan_welcomes_the_member_then_shows_an_empty_form(kiosk_client, branch, member):
    response = kiosk_client.post(
        _kiosk_url(branch), {"card-card_number": f" {member.card_number.lower()} "}
    )
    assert response.status_code == 302
    page = kiosk_client.get(response["Location"])
    assert "Siti" in page.content.decode() and 'role="status"' in page.content.decode()
    assert "Rahmawati" not in page.content.decode()  # first name only on a public screen
    again = kiosk_client.get(_kiosk_url(branch))
    assert 'id="kiosk-welcome"' not in again.content.decode()


def test_kiosk_second_scan_is_a_friendly_welcome_back(kiosk_client, branch, member):
    kiosk_client.post(_kiosk_url(branch), {"card-card_number": member.card_number})
    response = kiosk_client.post(
        _kiosk_url(branch), {"card-card_number": member.card_number}, follow=True
    )
    assert response.status_code == 200
    assert Visit.objects.filter(member=member).count() == 1
    assert response.context["welcome"]["again"] is True


def test_kiosk_unknown_card_is_a_form_error(kiosk_client, branch):
    response = kiosk_client.post(_kiosk_url(branch), {"card-card_number": "ZZZ<script>"})
    assert response.status_code == 422
    assert "card_number" in response.context["card_form"].errors


def test_kiosk_guest_and_group(kiosk_client, branch):
    response = kiosk_client.post(
        _kiosk_url(branch),
        {
            "guest-guest_name": "Komunitas Baca",
            "guest-purpose": "event",
            "guest-is_group": "on",
            "guest-head_count": "12",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.is_group and visit.head_count == 12 and visit.purpose == "event"


def test_kiosk_garbage_gives_form_errors(kiosk_client, branch):
    response = kiosk_client.post(
        _kiosk_url(branch),
        {"guest-guest_name": "", "guest-purpose": "nope", "guest-head_count": "lots"},
    )
    assert response.status_code == 422
    assert set(response.context["guest_form"].errors) >= {"guest_name", "purpose", "head_count"}


def test_kiosk_needs_the_add_visit_permission(client, patron_client, branch, kiosk_client):
    assert client.get(_kiosk_url(branch)).status_code == 302
    assert patron_client.get(_kiosk_url(branch)).status_code == 403
    assert kiosk_client.get(_kiosk_url(branch)).status_code == 200
    assert kiosk_client.get(reverse("members_public:kiosk", args=["nowhere"])).status_code == 404


def test_kiosk_role_cannot_open_staff_pages(kiosk_client):
    assert kiosk_client.get(reverse("members:list")).status_code == 403
    assert kiosk_client.get(reverse("members:guestbook")).status_code == 403


def test_staff_guest_book_page_and_group_visit(librarian_client, branch):
    VisitFactory(branch=branch, guest_name="Tamu Pagi")
    url = f"{reverse('members:guestbook')}?branch={branch.code}"
    page = librarian_client.get(url)
    assert page.status_code == 200 and "Tamu Pagi" in page.content.decode()
    response = librarian_client.post(
        url, {"guest_name": "SMPN 1", "purpose": "read", "head_count": "30"}
    )
    assert response.status_code == 302
    assert Visit.objects.get(guest_name="SMPN 1").head_count == 30
    bad = librarian_client.post(url, {"guest_name": "SMPN 2", "purpose": "read", "head_count": "1"})
    assert bad.status_code == 200 and "head_count" in bad.context["form"].errors
