"""Fixtures for member tests: desk staff, a manager, a kiosk tablet, members, circulation rows."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from serambi.catalog.tests.factories import ItemFactory, UserFactory
from serambi.circulation.models import Fine, Hold, Loan

from .factories import MemberFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def librarian(db):
    return UserFactory(username="meja", first_name="Ayu", roles=["circulation"])


@pytest.fixture
def librarian_client(librarian) -> Client:
    return client_for(librarian)


@pytest.fixture
def manager(db):
    return UserFactory(username="kepala-cabang", first_name="Rudi", roles=["branch_manager"])


@pytest.fixture
def manager_client(manager) -> Client:
    return client_for(manager)


@pytest.fixture
def kiosk_user(db):
    return UserFactory(username="kiosk-pusat", first_name="Kiosk", roles=["kiosk"])


@pytest.fixture
def kiosk_client(kiosk_user) -> Client:
    return client_for(kiosk_user)


@pytest.fixture
def member(branch):
    return MemberFactory(home_branch=branch, full_name="Siti Rahmawati")


@pytest.fixture
def patron_member(branch, patron_user):
    """The signed-in ``patron_client``'s own membership."""
    return MemberFactory(home_branch=branch, user=patron_user, full_name="Budi Santoso")


def make_loan(member, *, status=Loan.Status.ON_LOAN, branch=None) -> Loan:
    item = ItemFactory(branch=branch) if branch else ItemFactory()
    now = timezone.now()
    return Loan.objects.create(
        item=item,
        member=member,
        member_category=member.category.code,
        branch=item.branch,
        status=status,
        checked_out_at=now - datetime.timedelta(days=20),
        due_on=timezone.localdate() - datetime.timedelta(days=6),
        returned_at=now if status == Loan.Status.RETURNED else None,
    )


def make_fine(member, *, amount=5_000, paid=0) -> Fine:
    return Fine.objects.create(
        member=member,
        kind=Fine.Kind.OVERDUE,
        amount=amount,
        paid=paid,
        settled_at=timezone.now() if paid >= amount else None,
    )


def make_hold(member) -> Hold:
    item = ItemFactory()
    return Hold.objects.create(
        record=item.record, member=member, pickup_branch=item.branch, placed_at=timezone.now()
    )
