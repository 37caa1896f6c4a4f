"""Reads: the public calendar and month view, seats, a member's registrations, tokens."""

import datetime

import pytest
from django.utils import timezone

from serambi.catalog.tests.factories import BranchFactory
from serambi.core.errors import DomainError
from serambi.members.tests.factories import MemberFactory
from serambi.programs import selectors, services
from serambi.programs.models import Event, Program, Registration

from .conftest import at
from .factories import EventFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_upcoming_events_filter_and_hide_drafts_and_past(branch):
    other_branch = BranchFactory()
    children = ProgramFactory(category=Program.Category.STORYTELLING, audience="children")
    draft = ProgramFactory(is_published=False)
    now = timezone.now()
    soon = EventFactory(program=children, branch=branch, starts_at=now + datetime.timedelta(days=1))
    elsewhere = EventFactory(branch=other_branch, starts_at=now + datetime.timedelta(days=2))
    EventFactory(program=draft, branch=branch)
    EventFactory(branch=branch, starts_at=now - datetime.timedelta(days=1))
    cancelled = EventFactory(branch=branch, status=Event.Status.CANCELLED)

    assert list(selectors.upcoming_events()) == [soon, elsewhere]
    assert list(selectors.upcoming_events(category="storytelling")) == [soon]
    assert list(selectors.upcoming_events(audience="children")) == [soon]
    assert list(selectors.upcoming_events(branch=other_branch)) == [elsewhere]
    assert list(selectors.upcoming_events(program=children.pk)) == [soon]
    assert cancelled in selectors.upcoming_events(include_cancelled=True)


def test_upcoming_events_between_local_dates(branch):
    day = datetime.date(2026, 6, 1)
    # 00:30 WIB on 2 June is still 1 June in UTC: the date is the library's.
    late = EventFactory(branch=branch, starts_at=at(day + datetime.timedelta(days=1), 0, 30))
    first = EventFactory(branch=branch, starts_at=at(day, 23))
    found = selectors.upcoming_events(start=day, end=day)
    assert list(found) == [first]
    assert list(selectors.upcoming_events(start=day, end=day + datetime.timedelta(days=1))) == [
        first,
        late,
    ]


def test_events_in_month(branch):
    in_june = EventFactory(branch=branch, starts_at=at(datetime.date(2026, 6, 30), 19))
    EventFactory(branch=branch, starts_at=at(datetime.date(2026, 8, 1), 9))
    month = selectors.events_in_month(2026, 6)
    days = [day for week in month.weeks for day in week]
    assert days[0].day == datetime.date(2026, 6, 1)  # a Monday
    assert all(len(week) == 7 for week in month.weeks)
    (june_30,) = [day for day in days if day.day == datetime.date(2026, 6, 30)]
    assert june_30.events == [in_june] and june_30.in_month
    assert not days[-1].in_month  # 5 July
    assert (month.previous, month.next) == (datetime.date(2026, 5, 1), datetime.date(2026, 7, 1))
    assert selectors.events_in_month(2026, 6, {"category": "festival"}).weeks[4][1].events == []


def test_event_for_public(event):
    found = selectors.event_for_public(event.pk)
    assert found == event and found.seats_taken == 0
    Program.objects.filter(pk=event.program_id).update(is_published=False)
    for pk in (event.pk, 999_999, "abc"):
        with pytest.raises(DomainError) as missing:
            selectors.event_for_public(pk)
        assert missing.value.code == "programs.event_not_found"


def test_seats_left_and_list_queries(event, branch, django_assert_num_queries):
    services.register(event=event, member=MemberFactory(home_branch=branch), by=None)
    assert selectors.seats_left(event) == 1
    for offset in range(3):
        EventFactory(branch=branch, starts_at=event.starts_at + datetime.timedelta(days=offset + 1))
    with django_assert_num_queries(1):
        events = list(selectors.upcoming_events())
        left = [selectors.seats_left(e) for e in events]
        titles = [(e.display_title, e.branch.name, e.program.category) for e in events]
    assert left == [1, 20, 20, 20] and len(titles) == 4


def test_my_registrations_and_tokens(event, member, other_member):
    mine = services.register(event=event, member=member, by=None)
    services.register(event=event, member=other_member, by=None)
    assert list(selectors.my_registrations(member)) == [mine]
    assert list(selectors.my_registrations(member, upcoming=False)) == []
    assert selectors.access_registration_by_token(mine.token) == mine
    assert selectors.access_registration(mine.pk, member=member) == mine
    for token in ("", "nope"):
        with pytest.raises(DomainError) as missing:
            selectors.access_registration_by_token(token)
        assert missing.value.code == "programs.registration_not_found"
    with pytest.raises(DomainError):
        selectors.access_registration(mine.pk, member=other_member)


def test_registrations_for_staff_list_order(event, branch, coordinator):
    people = [MemberFactory(home_branch=branch) for _ in range(4)]
    registrations = [services.register(event=event, member=p, by=None) for p in people]
    services.cancel_registration(registration=registrations[3], by=None)
    services.check_in(token=registrations[1].token, event=event, by=coordinator)
    listed = list(selectors.registrations_for(event))
    assert [r.pk for r in listed] == [r.pk for r in registrations]
    assert [r.status for r in listed] == [
        Registration.Status.CONFIRMED,
        Registration.Status.ATTENDED,
        Registration.Status.WAITLISTED,
        Registration.Status.CANCELLED,
    ]


def test_my_certificates(branch, member, coordinator):
    event = EventFactory(branch=branch, program=ProgramFactory(gives_certificate=True))
    registration = services.register(event=event, member=member, by=None)
    services.check_in(token=registration.token, event=event, by=coordinator)
    certificate = services.issue_certificate(registration=registration)
    assert list(selectors.my_certificates(member)) == [certificate]
