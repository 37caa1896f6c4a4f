"""Fixtures for programs tests: a coordinator, a program, an event, members."""

import datetime

import pytest
from django.utils import timezone

from serambi.catalog.tests.factories import UserFactory
from serambi.members.tests.factories import MemberFactory
from serambi.programs.models import ProgramSettings

from .factories import EventFactory, ProgramFactory


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware moment on ``day`` in the library's time zone (Asia/Jakarta)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def coordinator(db):
    return UserFactory(username="koordinator", first_name="Lina", roles=["programs"])


@pytest.fixture
def program(db):
    return ProgramFactory(title="Diskusi Buku Bulanan")


@pytest.fixture
def event(program, branch):
    return EventFactory(program=program, branch=branch, capacity=2)


@pytest.fixture
def member(branch):
    return MemberFactory(home_branch=branch)


@pytest.fixture
def other_member(branch):
    return MemberFactory(home_branch=branch)


@pytest.fixture
def third_member(branch):
    return MemberFactory(home_branch=branch)


@pytest.fixture
def program_settings(db) -> ProgramSettings:
    settings, _created = ProgramSettings.objects.get_or_create(pk=1)
    return settings
