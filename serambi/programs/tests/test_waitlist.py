"""The waitlist: full events put people in line, freed seats go to the first in line, once."""

import datetime

import pytest
from django.utils import timezone

from serambi.core.errors import DomainError
from serambi.core.models import Notification
from serambi.members.tests.factories import MemberFactory
from serambi.programs import selectors, services
from serambi.programs.models import Event, Registration

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def promoted_emails() -> list[str]:
    return list(
        Notification.objects.filter(kind="programs.promoted", channel="email")
        .order_by("id")
        .values_list("recipient", flat=True)
    )


def fill(event, count: int, branch) -> list[Registration]:
    return [
        services.register(event=event, member=MemberFactory(home_branch=branch), by=None)
        for _ in range(count)
    ]


def test_a_full_event_puts_people_on_the_waitlist_in_order(event, branch):
    registrations = fill(event, 5, branch)
    assert [r.status for r in registrations] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [selectors.waitlist_position(r) for r in registrations] == [None, None, 1, 2, 3]
    assert selectors.seats_left(event) == 0
    waitlisted = Notification.objects.filter(kind="programs.registration", channel="email")
    assert waitlisted.filter(subject__icontains=event.program.title).count() == 5


def test_no_capacity_means_no_limit(program, branch):
    event = EventFactory(program=program, branch=branch, capacity=None)
    registrations = fill(event, 30, branch)
    assert {r.status for r in registrations} == {Registration.Status.CONFIRMED}
    assert selectors.seats_left(event) is None


def test_attended_people_keep_their_seat(event, branch, coordinator):
    first, second, third = fill(event, 3, branch)
    services.check_in(token=first.token, event=event, by=coordinator)
    fourth = services.register(event=event, member=MemberFactory(home_branch=branch), by=None)
    assert third.status == fourth.status == Registration.Status.WAITLISTED


def test_a_cancellation_promotes_the_first_waitlisted_exactly_once(event, branch):
    first, second, third, fourth = fill(event, 4, branch)
    services.cancel_registration(registration=first, by=None)
    # Cancelling again (a double click) changes nothing.
    services.cancel_registration(registration=first, by=None)

    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == Registration.Status.CONFIRMED and third.promoted_at is not None
    assert fourth.status == Registration.Status.WAITLISTED
    assert selectors.waitlist_position(fourth) == 1
    assert promoted_emails() == [third.member.email]
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_cancelling_a_waitlisted_registration_promotes_nobody(event, branch):
    first, second, third, fourth = fill(event, 4, branch)
    services.cancel_registration(registration=third, by=None)
    fourth.refresh_from_db()
    assert fourth.status == Registration.Status.WAITLISTED
    assert selectors.waitlist_position(fourth) == 1
    assert promoted_emails() == []


def test_a_started_event_cannot_be_cancelled_from(event, branch):
    (first,) = fill(event, 1, branch)
    with pytest.raises(DomainError) as refused:
        services.cancel_registration(registration=first, by=None, now=event.starts_at)
    assert refused.value.code == "programs.event_past"


def test_raising_the_capacity_promotes_in_order(event, branch, coordinator):
    registrations = fill(event, 6, branch)
    services.update_event(event=event, data={"capacity": 4}, by=coordinator)
    statuses = [Registration.objects.get(pk=r.pk).status for r in registrations]
    assert statuses == ["confirmed"] * 4 + ["waitlisted"] * 2
    assert promoted_emails() == [registrations[2].member.email, registrations[3].member.email]
    # Removing the limit seats everyone.
    services.update_event(event=event, data={"capacity": None}, by=coordinator)
    assert not Registration.objects.filter(event=event, status="waitlisted").exists()


def test_lowering_the_capacity_unseats_nobody(event, branch, coordinator):
    registrations = fill(event, 2, branch)
    services.update_event(event=event, data={"capacity": 1}, by=coordinator)
    assert {Registration.objects.get(pk=r.pk).status for r in registrations} == {"confirmed"}
    services.cancel_registration(registration=registrations[0], by=None)
    late = services.register(event=event, member=MemberFactory(home_branch=branch), by=None)
    assert late.status == Registration.Status.WAITLISTED


def test_no_promotion_once_the_event_is_over(event, branch):
    fill(event, 3, branch)
    assert services.promote_waitlisted(event=event, now=event.ends_at) == []


def test_register_for_a_whole_series(program, branch, member):
    now = timezone.now()
    future = [
        EventFactory(
            program=program, branch=branch, capacity=1, starts_at=now + datetime.timedelta(days=d)
        )
        for d in (7, 14, 21)
    ]
    past = EventFactory(program=program, branch=branch, starts_at=now - datetime.timedelta(days=7))
    not_yet_open = EventFactory(
        program=program,
        branch=branch,
        starts_at=now + datetime.timedelta(days=60),
        registration_opens_at=now + datetime.timedelta(days=30),
    )
    open_event = EventFactory(
        program=program,
        branch=branch,
        starts_at=now + datetime.timedelta(days=28),
        registration_required=False,
    )
    cancelled = EventFactory(
        program=program,
        branch=branch,
        starts_at=now + datetime.timedelta(days=35),
        status=Event.Status.CANCELLED,
    )
    # Someone took the only seat of the second session; the member is already in the third.
    services.register(event=future[1], member=MemberFactory(home_branch=branch), by=None)
    services.register(event=future[2], member=member, by=None)

    registered = services.register_for_series(program=program, member=member, by=member.user)

    assert [(r.event, r.status) for r in registered] == [
        (future[0], Registration.Status.CONFIRMED),
        (future[1], Registration.Status.WAITLISTED),
    ]
    others = {past.pk, not_yet_open.pk, open_event.pk, cancelled.pk}
    assert not Registration.objects.filter(member=member, event_id__in=others).exists()
    assert services.register_for_series(program=program, member=member, by=member.user) == []
