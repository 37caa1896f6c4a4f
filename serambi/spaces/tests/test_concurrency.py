"""Thirty members book one room for overlapping times at once: one booking, 29 clear refusals.

The contenders are threads with their own connections. On PostgreSQL the
room's row lock (SELECT … FOR UPDATE) queues them, and the exclusion
constraint would refuse anything that slipped past; on SQLite the write lock
of each ``BEGIN IMMEDIATE`` transaction queues them, on a file copy of the
in-memory test database (circulation's ``contenders_database``).
"""

import contextlib
import datetime
import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from serambi.circulation.tests.test_concurrency import contenders_database
from serambi.core.errors import DomainError
from serambi.members.tests.factories import MemberFactory
from serambi.spaces import services
from serambi.spaces.models import Booking, Equipment, EquipmentBooking, Space

from .conftest import WEDNESDAY, at
from .factories import EquipmentFactory, SpaceFactory, open_branch

CONTENDERS = 30
# Every attempt covers 9:30–10:00, so any two overlap.
TIMES = [
    (at(WEDNESDAY, 9), at(WEDNESDAY, 10)),
    (at(WEDNESDAY, 9, 30), at(WEDNESDAY, 10, 30)),
    (at(WEDNESDAY, 9), at(WEDNESDAY, 10, 30)),
    (at(WEDNESDAY, 9, 30), at(WEDNESDAY, 10)),
]
NOW = at(WEDNESDAY, 7)


def holding_count(path, table: str, column: str, pk: int) -> int:
    """Holding rows of one room (or one piece of equipment), read where the threads wrote."""
    if table == "spaces_booking":
        where = "status IN ('requested', 'confirmed', 'checked_in')"
    else:
        where = "is_holding"
    if path is None:
        if table == "spaces_booking":
            return Booking.objects.filter(space_id=pk, status__in=Booking.HOLDING).count()
        return EquipmentBooking.objects.filter(equipment_id=pk, is_holding=True).count()
    with contextlib.closing(sqlite3.connect(path)) as db:
        (count,) = db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = ? AND {where}",  # noqa: S608
            (pk,),
        ).fetchone()
    return count


def contest(tmp_path, attempt) -> tuple[list[Booking], list[DomainError], list, object]:
    """Run ``attempt(index)`` in CONTENDERS threads released at once; sort the outcomes."""
    start = threading.Barrier(CONTENDERS)
    outcomes: list[object] = [None] * CONTENDERS

    def contend(index: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[index] = attempt(index)
        except Exception as error:  # DomainError is expected; anything else is reported
            outcomes[index] = error
        finally:
            connections.close_all()

    with contenders_database(tmp_path) as path:
        threads = [threading.Thread(target=contend, args=(i,)) for i in range(CONTENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    bookings = [outcome for outcome in outcomes if isinstance(outcome, Booking)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    others = [o for o in outcomes if o not in bookings and o not in refusals]
    # The SQLite file copy stays in tmp_path, so its rows can still be counted.
    return bookings, refusals, others, path


@pytest.fixture
def quiet_tasks(settings):
    # Notices are queued in the outbox; their delivery is not what is tested here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _room_and_members():
    space = SpaceFactory(name="Ruang Rebutan", slug="ruang-rebutan")
    open_branch(space.branch)
    members = [
        MemberFactory(home_branch=space.branch, expires_on=WEDNESDAY + datetime.timedelta(days=365))
        for _ in range(CONTENDERS)
    ]
    return space, members


@pytest.mark.django_db(transaction=True)
def test_thirty_members_booking_one_room_at_once_make_exactly_one_booking(tmp_path, quiet_tasks):
    space, members = _room_and_members()

    def attempt(index: int) -> Booking:
        starts_at, ends_at = TIMES[index % len(TIMES)]
        return services.book_space(
            space=Space(pk=space.pk),
            member=members[index],
            starts_at=starts_at,
            ends_at=ends_at,
            by=None,
            now=NOW,
        )

    bookings, refusals, others, path = contest(tmp_path, attempt)
    assert others == [], others
    assert len(bookings) == 1
    assert Counter(error.code for error in refusals) == {"spaces.slot_taken": CONTENDERS - 1}
    assert holding_count(path, "spaces_booking", "space_id", space.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_thirty_members_booking_one_camera_alone_at_once_make_exactly_one_booking(
    tmp_path, quiet_tasks
):
    space, members = _room_and_members()
    camera = EquipmentFactory(branch=space.branch, name="Kamera", bookable_alone=True)

    def attempt(index: int) -> Booking:
        starts_at, ends_at = TIMES[index % len(TIMES)]
        return services.book_space(
            space=None,
            equipment=[Equipment(pk=camera.pk)],
            member=members[index],
            starts_at=starts_at,
            ends_at=ends_at,
            by=None,
            now=NOW,
        )

    bookings, refusals, others, path = contest(tmp_path, attempt)
    assert others == [], others
    assert len(bookings) == 1
    assert Counter(error.code for error in refusals) == {"spaces.equipment_taken": CONTENDERS - 1}
    assert holding_count(path, "spaces_equipmentbooking", "equipment_id", camera.pk) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints: PostgreSQL")
@pytest.mark.django_db
def test_the_constraints_refuse_what_the_checks_missed(monkeypatch):
    """With the service's checks switched off, the database still refuses, with the same codes."""
    space, members = _room_and_members()
    camera = EquipmentFactory(branch=space.branch, name="Kamera", bookable_alone=True)
    monkeypatch.setattr(services, "_check_space_free", lambda *args, **kwargs: None)
    monkeypatch.setattr(services, "_check_equipment_free", lambda *args, **kwargs: None)

    def book(member, equipment=(), room=space):
        return services.book_space(
            space=room,
            member=member,
            equipment=equipment,
            starts_at=TIMES[0][0],
            ends_at=TIMES[0][1],
            by=None,
            now=NOW,
        )

    book(members[0], [camera])
    with pytest.raises(DomainError) as caught:
        book(members[1])
    assert caught.value.code == "spaces.slot_taken"
    other_room = SpaceFactory(branch=space.branch)
    with pytest.raises(DomainError) as caught:
        book(members[2], [camera], room=other_room)
    assert caught.value.code == "spaces.equipment_taken"
    assert Booking.objects.filter(space=other_room).count() == 0
