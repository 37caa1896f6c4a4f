import datetime
import io
import signal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from serambi.core.management.commands.worker import Schedule, _Worker
from serambi.core.models import Notification
from serambi.core.notifications import notify

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings, db, monkeypatch):
    """The real queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = DATABASE_TASKS
    # The worker closes connections between tasks, as a request does; inside
    # the test's transaction that would close it for good (PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.SERAMBI_DAILY_TASKS = []
    settings.SERAMBI_FREQUENT_TASKS = []
    cache.clear()


def _run_worker(*arguments: str) -> str:
    out = io.StringIO()
    call_command("worker", "--once", *arguments, stdout=out, stderr=out, verbosity=0)
    return out.getvalue()


def _email_notice(key: str = ""):
    return notify(
        kind="test",
        email="sari@example.id",
        subject="Halo",
        body="Isi pesan",
        dedupe_key=key,
    )


def test_worker_once_runs_the_queued_deliveries(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = _email_notice()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert mail.outbox == []

    _run_worker("--no-schedule")

    assert [message.subject for message in mail.outbox] == ["Halo"]
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_failed_delivery_is_queued_again_for_later(
    database_tasks, settings, django_capture_on_commit_callbacks
):
    settings.SERAMBI_MESSAGE_GATEWAY = "serambi.core.tests.test_notifications.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        [row] = notify(kind="test", phone="081234567890", subject="Halo", body="Isi")

    with django_capture_on_commit_callbacks(execute=True):
        _run_worker("--no-schedule")

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.PENDING, 1)
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == row.next_attempt_at
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=50)


def test_worker_queues_the_periodic_tasks_once_between_workers(
    database_tasks, settings, django_capture_on_commit_callbacks
):
    settings.SERAMBI_DAILY_TASKS = ["serambi.core.tasks.retry_stuck_notifications"]
    with django_capture_on_commit_callbacks(execute=True):
        [row] = _email_notice()
    Notification.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    DBTaskResult.objects.all().delete()  # as if the worker died before delivering

    output = _run_worker()

    assert "serambi.core.tasks.retry_stuck_notifications" in output
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths.count("serambi.core.tasks.retry_stuck_notifications") == 2  # 10-min + daily

    _run_worker()  # another worker, the same day: nothing periodic again

    assert DBTaskResult.objects.count() == len(paths)


def test_a_missing_daily_task_is_reported_not_fatal(database_tasks, settings):
    settings.SERAMBI_DAILY_TASKS = ["serambi.nowhere.tasks.sweep", "serambi.core.models.Branch"]
    out, err = io.StringIO(), io.StringIO()

    with translation.override("en"):
        call_command("worker", "--once", stdout=out, stderr=err, verbosity=0)

    assert "serambi.nowhere.tasks.sweep could not be loaded" in err.getvalue()
    assert "serambi.core.models.Branch is not a task" in err.getvalue()


def test_daily_tasks_are_queued_again_when_the_date_changes(database_tasks, settings, monkeypatch):
    settings.SERAMBI_DAILY_TASKS = ["serambi.core.tasks.retry_stuck_notifications"]
    settings.SERAMBI_FREQUENT_TASKS = []
    schedule = Schedule(stdout=io.StringIO(), stderr=io.StringIO())
    today = timezone.localdate()

    schedule.tick()
    schedule.tick()
    monkeypatch.setattr(timezone, "localdate", lambda: today + datetime.timedelta(days=1))
    schedule.tick()

    # one 10-minute retry check, then the daily task on each of two days
    assert DBTaskResult.objects.count() == 3


def test_worker_needs_the_database_backend(db):
    with translation.override("en"), pytest.raises(CommandError, match="does not keep a queue"):
        call_command("worker", "--once")


def test_a_stop_signal_lets_the_running_task_finish(database_tasks):
    worker = _Worker(
        stdout=io.StringIO(),
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    previous = signal.getsignal(signal.SIGINT)
    worker.configure_signals()
    try:
        worker.running_task = True
        worker.shutdown(signal.SIGINT, None)
        assert worker.running is False
        worker.shutdown(signal.SIGTERM, None)  # the same Ctrl+C relayed by a supervisor
        worker._stop_requested_at -= 2
        with pytest.raises(SystemExit):
            worker.shutdown(signal.SIGINT, None)  # asked again: stop at once
    finally:
        worker.reset_signals()
    assert signal.getsignal(signal.SIGINT) is previous


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_what_a_committed_transaction_queued(settings):
    """End to end with real commits: no test transaction around the worker."""
    settings.TASKS = DATABASE_TASKS

    [row] = _email_notice("end-to-end")  # autocommit: enqueued at once
    assert DBTaskResult.objects.count() == 1

    _run_worker("--no-schedule")

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
