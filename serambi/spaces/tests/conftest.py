"""Fixtures for spaces tests: a branch with opening hours, a room, a member, a manager.

Dates are fixed (a Wednesday in March 2026) and every call passes ``now``,
so the tests do not depend on the day they run.
"""

import datetime

import pytest
from django.utils import timezone

from serambi.catalog.tests.factories import UserFactory
from serambi.members.tests.factories import MemberFactory

from .factories import EquipmentFactory, SpaceFactory, open_branch

# A Wednesday (ISO week 10 of 2026) in the library's zone; Sunday the 8th is closed.
WEDNESDAY = datetime.date(2026, 3, 4)
THURSDAY = WEDNESDAY + datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware moment on ``day`` in the library's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def now():
    """Monday morning before the test week: everything booked in it lies ahead."""
    return at(WEDNESDAY - datetime.timedelta(days=2), 7)


@pytest.fixture
def open_hours(branch):
    open_branch(branch)
    return branch


@pytest.fixture
def space(open_hours):
    return SpaceFactory(branch=open_hours, name="Ruang Diskusi A", slug="ruang-diskusi-a")


@pytest.fixture
def member(branch, django_user_model):
    user = UserFactory(username="anggota", roles=["patron"])
    return MemberFactory(
        home_branch=branch, user=user, expires_on=WEDNESDAY + datetime.timedelta(days=365)
    )


@pytest.fixture
def other_member(branch):
    return MemberFactory(home_branch=branch, expires_on=WEDNESDAY + datetime.timedelta(days=365))


@pytest.fixture
def manager(db):
    return UserFactory(username="pengelola", first_name="Rudi", roles=["programs"])


@pytest.fixture
def camera(open_hours):
    return EquipmentFactory(branch=open_hours, name="Kamera Sony", bookable_alone=True)
