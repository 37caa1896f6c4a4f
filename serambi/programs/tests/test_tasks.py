"""Reminders go out once, the day before; past events get closed by the sweep."""

import datetime

import pytest
from django.utils import timezone

from serambi.core.models import Notification
from serambi.members.tests.factories import MemberFactory
from serambi.programs import services, tasks
from serambi.programs.models import Event, Registration

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind="programs.reminder", channel="email"))


def test_reminders_go_once_to_the_confirmed_within_the_window(
    program, branch, coordinator, program_settings
):
    program_settings.reminder_hours = 24
    program_settings.save()
    now = timezone.now().replace(microsecond=0)
    soon = EventFactory(
        program=program, branch=branch, capacity=1, starts_at=now + datetime.timedelta(hours=20)
    )
    later = EventFactory(
        program=program, branch=branch, starts_at=now + datetime.timedelta(hours=30)
    )
    confirmed, waitlisted = [
        services.register(event=soon, member=MemberFactory(home_branch=branch), by=None, now=now)
        for _ in range(2)
    ]
    services.register(event=later, member=MemberFactory(home_branch=branch), by=None, now=now)

    assert services.send_event_reminders(now=now) == 1
    assert services.send_event_reminders(now=now) == 0
    sent = reminders()
    assert [n.recipient for n in sent] == [confirmed.member.email]
    assert waitlisted.status == Registration.Status.WAITLISTED
    soon.refresh_from_db()
    assert soon.reminded_at == now

    # Ten hours on, the later event is in the window.
    assert services.send_event_reminders(now=now + datetime.timedelta(hours=10)) == 1
    assert len(reminders()) == 2


def test_a_moved_event_is_reminded_again(event, member, coordinator):
    now = event.starts_at - datetime.timedelta(hours=5)
    services.register(event=event, member=member, by=None, now=now - datetime.timedelta(days=1))
    assert services.send_event_reminders(now=now) == 1
    later = event.starts_at + datetime.timedelta(days=2)
    services.update_event(
        event=event,
        data={"starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
        by=coordinator,
    )
    assert services.send_event_reminders(now=later - datetime.timedelta(hours=5)) == 1
    assert len(reminders()) == 2


def test_cancelled_events_are_not_reminded(event, member, coordinator):
    services.register(event=event, member=member, by=None)
    services.cancel_event(event=event, reason="Hujan deras", by=coordinator)
    assert services.send_event_reminders(now=event.starts_at - datetime.timedelta(hours=2)) == 0


def test_tasks_run_the_sweeps(program, branch, member):
    now = timezone.now()
    past = EventFactory(
        program=program,
        branch=branch,
        starts_at=now - datetime.timedelta(days=2),
    )
    services.register(event=past, member=member, by=None, now=now - datetime.timedelta(days=3))
    soon = EventFactory(program=program, branch=branch, starts_at=now + datetime.timedelta(hours=3))
    services.register(event=soon, member=MemberFactory(home_branch=branch), by=None)

    assert tasks.daily_sweep.call() == {"no_shows": 1, "reminders": 1}
    assert Registration.objects.get(event=past).status == Registration.Status.NO_SHOW
    assert tasks.close_past_events_task.call() == 0
    assert tasks.send_event_reminders_task.call() == 0
    assert Event.objects.get(pk=soon.pk).reminded_at is not None


def test_recently_ended_events_wait_for_staff_before_closing(event, member):
    services.register(event=event, member=member, by=None)
    assert services.close_past_events(now=event.ends_at + datetime.timedelta(hours=1)) == 0
    assert services.close_past_events(now=event.ends_at + services.CLOSE_AFTER) == 1
