"""Twenty desks scan the same copy at once: one loan, nineteen clear refusals.

On PostgreSQL the contenders are threads with their own connections, and the
item's row lock (SELECT … FOR UPDATE) queues them. SQLite has no row locks:
there the write lock of each ``BEGIN IMMEDIATE`` transaction queues them. The
test database is in memory with a shared cache, whose table locks fail at
once instead of waiting, so for SQLite the committed test data is copied to
a temporary file database (WAL, as in production) and the threads' fresh
connections open that file instead, with the project's own settings.
"""

import contextlib
import sqlite3
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from serambi.catalog.models import Item
from serambi.catalog.tests.factories import BranchFactory, ItemFactory
from serambi.circulation import services
from serambi.circulation.models import Loan
from serambi.core.errors import DomainError
from serambi.members.tests.factories import MemberFactory

CONTENDERS = 20


@contextlib.contextmanager
def contenders_database(tmp_path):
    """Where the contending threads connect: the test database, or a file copy of it."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "contest.sqlite3"
    target = sqlite3.connect(path)
    with target:
        connection.ensure_connection()
        connection.connection.backup(target)
    # WAL before the threads connect, as a production database already is: switching
    # the journal mode needs the file to itself, and contenders doing it at once
    # fail with "database is locked" instead of waiting.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield path
    finally:
        settings_dict["NAME"] = original


def open_loans_in(path, item_pk: int) -> int:
    if path is None:
        return Loan.objects.filter(item_id=item_pk, status=Loan.Status.ON_LOAN).count()
    with contextlib.closing(sqlite3.connect(path)) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM circulation_loan WHERE item_id = ? AND status = 'on_loan'",
            (item_pk,),
        ).fetchone()
    return count


@pytest.mark.django_db(transaction=True)
def test_twenty_desks_lending_one_copy_at_once_make_exactly_one_loan(tmp_path, settings):
    # Notices are queued in the outbox; their delivery is not what is tested here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    branch = BranchFactory(code="pusat-uji", name="Pusat")
    item = ItemFactory(branch=branch)
    members = [MemberFactory(home_branch=branch) for _ in range(CONTENDERS)]
    start = threading.Barrier(CONTENDERS)
    outcomes: list[object] = [None] * CONTENDERS

    def contend(index: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[index] = services.checkout(
                item=Item(pk=item.pk), member=members[index], by=None
            )
        except DomainError as error:
            outcomes[index] = error
        except Exception as error:  # any other failure is what the test reports
            outcomes[index] = error
        finally:
            connections.close_all()

    with contenders_database(tmp_path) as path:
        threads = [threading.Thread(target=contend, args=(i,)) for i in range(CONTENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        open_count = open_loans_in(path, item.pk)

    loans = [outcome for outcome in outcomes if isinstance(outcome, Loan)]
    refusals = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    others = [outcome for outcome in outcomes if outcome not in loans and outcome not in refusals]
    assert others == [], others
    assert len(loans) == 1
    assert len(refusals) == CONTENDERS - 1
    assert Counter(error.code for error in refusals) == {"circulation.item_on_loan": CONTENDERS - 1}
    assert open_count == 1
