"""Fixtures for circulation tests: a desk librarian, a branch manager, a member, a copy."""

import datetime

import pytest
from django.utils import timezone

from serambi.catalog.tests.factories import ItemFactory, RecordFactory, UserFactory
from serambi.circulation.models import CirculationSettings, LoanRule
from serambi.members.tests.factories import MemberFactory

# A Wednesday in the library's zone, far from month ends unless a test wants one.
WEDNESDAY = datetime.date(2026, 3, 4)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An aware moment on ``day`` in the library's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def librarian(db):
    return UserFactory(username="meja", first_name="Ayu", roles=["circulation"])


@pytest.fixture
def manager(db):
    return UserFactory(username="kepala-cabang", first_name="Rudi", roles=["branch_manager"])


@pytest.fixture
def default_rule(db) -> LoanRule:
    """The library default from the migration: 14 days, 3 items, 1 renewal, Rp 500/day."""
    return LoanRule.objects.get(branch__isnull=True, category__isnull=True, material_type="")


@pytest.fixture
def circ_settings(db) -> CirculationSettings:
    settings, _created = CirculationSettings.objects.get_or_create(pk=1)
    return settings


@pytest.fixture
def member(branch):
    return MemberFactory(home_branch=branch, expires_on=WEDNESDAY + datetime.timedelta(days=365))


@pytest.fixture
def other_member(branch):
    return MemberFactory(home_branch=branch, expires_on=WEDNESDAY + datetime.timedelta(days=365))


@pytest.fixture
def record(db):
    return RecordFactory(title="Laskar Pelangi")


@pytest.fixture
def item(record, branch):
    return ItemFactory(record=record, branch=branch, price=85_000, shelf_location="Rak 3")


@pytest.fixture
def now():
    return at(WEDNESDAY)
