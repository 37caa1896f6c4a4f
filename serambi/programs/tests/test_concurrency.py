"""A hundred people register for twenty seats at the same moment: exactly twenty confirmed,
eighty on the waitlist in the order they registered; freed seats go to the first in line once.

Contenders are threads with their own database connections, released
together by a barrier. On PostgreSQL the event's row lock (SELECT … FOR
UPDATE) queues them; on SQLite the write lock of each BEGIN IMMEDIATE
transaction does, on a file copy of the test database (see
serambi/circulation/tests/test_concurrency.py). Twenty threads carry the
hundred registrations (five each, back to back): PostgreSQL here allows 100
connections in all, shared with other test runs.
"""

import contextlib
import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connections

from serambi.circulation.tests.test_concurrency import contenders_database
from serambi.core.models import Notification
from serambi.members.tests.factories import MemberFactory
from serambi.programs import services
from serambi.programs.models import Event, Registration
from serambi.programs.selectors import waitlist_position

from .factories import EventFactory

THREADS = 20
PEOPLE = 100
SEATS = 20


def rows_in(path, event_pk: int) -> list[tuple[int, str, str]]:
    """(id, status, registered_at) of the event's registrations, from where the threads wrote."""
    if path is None:
        return [
            (pk, status, registered_at.isoformat())
            for pk, status, registered_at in Registration.objects.filter(event_id=event_pk)
            .order_by("registered_at", "id")
            .values_list("pk", "status", "registered_at")
        ]
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(
            "SELECT id, status, registered_at FROM programs_registration WHERE event_id = ?"
            " ORDER BY registered_at, id",
            (event_pk,),
        ).fetchall()


def run_together(jobs) -> list[object]:
    """Run each thread's list of calls, all threads released at once; outcomes in job order."""
    start = threading.Barrier(len(jobs))
    outcomes: list[list[object]] = [[] for _ in jobs]

    def contend(index: int) -> None:
        try:
            start.wait(timeout=30)
            for call in jobs[index]:
                try:
                    outcomes[index].append(call())
                except Exception as error:  # reported by the test
                    outcomes[index].append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [outcome for per_thread in outcomes for outcome in per_thread]


@pytest.fixture
def quiet_tasks(settings):
    # Notices are queued in the outbox; their delivery is not what is tested here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_hundred_registrations_for_twenty_seats(tmp_path, quiet_tasks, branch):
    event = EventFactory(branch=branch, capacity=SEATS)
    members = [MemberFactory(home_branch=branch) for _ in range(PEOPLE)]

    def registering(member):
        return lambda: services.register(event=Event(pk=event.pk), member=member, by=None)

    jobs = [[registering(members[i]) for i in range(t, PEOPLE, THREADS)] for t in range(THREADS)]
    with contenders_database(tmp_path) as path:
        outcomes = run_together(jobs)
        rows = rows_in(path, event.pk)

    failures = [o for o in outcomes if not isinstance(o, Registration)]
    assert failures == []
    assert Counter(o.status for o in outcomes) == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    # In the database, in the order of registered_at: the twenty earliest have the seats.
    assert len(rows) == PEOPLE
    assert [status for _pk, status, _at in rows] == ["confirmed"] * SEATS + ["waitlisted"] * (
        PEOPLE - SEATS
    )
    assert len({at for _pk, _status, at in rows}) == PEOPLE  # no two at the same instant
    # The waitlist positions are 1..80 in that order.
    if path is None:
        waiting = Registration.objects.filter(event=event, status="waitlisted").order_by(
            "registered_at", "id"
        )
        assert [waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - SEATS + 1))
    else:
        waiting_ids = [pk for pk, status, _at in rows if status == "waitlisted"]
        assert waiting_ids == sorted(waiting_ids)  # ids were handed out in the same order


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_cancellations_promote_the_first_two_once_each(
    tmp_path, quiet_tasks, branch
):
    event = EventFactory(branch=branch, capacity=2)
    members = [MemberFactory(home_branch=branch) for _ in range(5)]
    registrations = [services.register(event=event, member=m, by=None) for m in members]
    seated = registrations[:2]

    jobs = [
        [
            lambda r=r: services.cancel_registration(
                registration=Registration(pk=r.pk, event_id=event.pk), by=None
            )
        ]
        for r in seated
    ]
    with contenders_database(tmp_path) as path:
        outcomes = run_together(jobs)
        rows = rows_in(path, event.pk)
        promoted = _promoted_notices(path)

    assert [o for o in outcomes if not isinstance(o, Registration)] == [], outcomes
    statuses = [status for _pk, status, _at in rows]
    assert statuses == ["cancelled", "cancelled", "confirmed", "confirmed", "waitlisted"], rows
    assert sorted(promoted) == sorted(
        f"programs.promoted:{r.pk}:email" for r in registrations[2:4]
    ), (promoted, rows)


@pytest.mark.django_db(transaction=True)
def test_the_same_cancellation_twice_at_once_promotes_one_person(tmp_path, quiet_tasks, branch):
    event = EventFactory(branch=branch, capacity=1)
    members = [MemberFactory(home_branch=branch) for _ in range(3)]
    first, second, third = [services.register(event=event, member=m, by=None) for m in members]

    def cancelling():
        return services.cancel_registration(
            registration=Registration(pk=first.pk, event_id=event.pk), by=None
        )

    with contenders_database(tmp_path) as path:
        outcomes = run_together([[cancelling], [cancelling]])
        rows = rows_in(path, event.pk)
        promoted = _promoted_notices(path)

    assert all(isinstance(o, Registration) for o in outcomes), outcomes
    assert [status for _pk, status, _at in rows] == ["cancelled", "confirmed", "waitlisted"]
    assert promoted == [f"programs.promoted:{second.pk}:email"]


def _promoted_notices(path) -> list[str]:
    if path is None:
        return list(
            Notification.objects.filter(kind="programs.promoted", channel="email").values_list(
                "dedupe_key", flat=True
            )
        )
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [
            key
            for (key,) in db.execute(
                "SELECT dedupe_key FROM core_notification"
                " WHERE kind = 'programs.promoted' AND channel = 'email'"
            )
        ]
