"""``serambi worker``: run queued background tasks and enqueue the periodic ones.

One process does both jobs: it runs django-tasks-db's worker loop over the
tasks queued in the database, and between batches enqueues
``retry_stuck_notifications`` and the frequent tasks
(``settings.SERAMBI_FREQUENT_TASKS``, e.g. releasing rooms nobody came for)
every ten minutes, and the daily tasks (``settings.SERAMBI_DAILY_TASKS``)
once per local date. The periodic work is
claimed in the shared database cache, so several workers, or a cron job
running ``serambi worker --once``, enqueue it once between them.
"""

import logging
import os
import signal
import socket
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("serambi.worker")

RETRY_STUCK_EVERY = 10 * 60  # seconds
HANDLED_SIGNALS = [signal.SIGINT, signal.SIGTERM]


def _positive_number(value: str) -> float:
    number = float(value)
    if not 0 < number <= 3600:
        raise ValueError(value)
    return number


class _Worker(Worker):
    """django-tasks-db's worker, stopping between tasks on SIGINT/SIGTERM.

    The first signal lets the running task finish and ends the loop (also
    during the sleep between batches); a second one, a second or more later
    while a task still runs, abandons the task.
    """

    def __init__(self, *, stdout: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stdout = stdout
        self._previous_handlers: dict[int, Any] = {}
        self._stop_requested_at = 0.0

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running:
            self.running = False
            self._stop_requested_at = time.monotonic()
            self.stdout.write(
                _("Stopping after the current task (%(signal)s; again to stop at once)…")
                % {"signal": signal.strsignal(signum)}
            )
        elif self.running_task and time.monotonic() - self._stop_requested_at > 1:
            # A second request, not the same Ctrl+C also relayed by a
            # supervisor (make, a shell trap): abandon the task.
            super().shutdown(signum, frame)
        # Otherwise the loop is already ending: nothing to do.

    def configure_signals(self) -> None:
        for signum in HANDLED_SIGNALS:
            self._previous_handlers[signum] = signal.getsignal(signum)
            signal.signal(signum, self.shutdown)

    def reset_signals(self) -> None:
        # Put back whatever was there (pytest's handler, say), not SIG_DFL.
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()


class Schedule:
    """Enqueues the periodic tasks when they are due."""

    def __init__(self, *, stdout: Any, stderr: Any) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.next_retry_check = 0.0
        self.last_day: str | None = None

    def tick(self) -> None:
        now = time.monotonic()
        if now >= self.next_retry_check:
            self.next_retry_check = now + RETRY_STUCK_EVERY
            if self._claim("retry-stuck", timeout=RETRY_STUCK_EVERY - 30):
                from serambi.core.tasks import retry_stuck_notifications

                retry_stuck_notifications.enqueue()
                self.enqueue_tasks(settings.SERAMBI_FREQUENT_TASKS)
        today = timezone.localdate().isoformat()
        if today != self.last_day:
            self.last_day = today
            if self._claim(f"daily:{today}", timeout=2 * 24 * 3600):
                self.enqueue_tasks(settings.SERAMBI_DAILY_TASKS)

    def enqueue_tasks(self, paths: list[str]) -> None:
        for path in paths:
            try:
                daily_task = import_string(path)
            except ImportError as error:
                self.stderr.write(
                    _("Task %(path)s could not be loaded (%(error)s); skipped.")
                    % {"path": path, "error": error}
                )
                continue
            if not isinstance(daily_task, Task):
                self.stderr.write(
                    _("%(path)s is not a task (missing @task()?); skipped.") % {"path": path}
                )
                continue
            daily_task.enqueue()
            self.stdout.write(_("Task %(path)s queued.") % {"path": path})

    def _claim(self, name: str, *, timeout: int) -> bool:
        """True for the one worker that claims ``name`` first in the shared cache."""
        try:
            return cache.add(f"serambi:worker:{name}", os.getpid(), timeout=timeout)
        except DatabaseError as error:
            # No cache table (createcachetable not run): better twice than never.
            logger.warning("Cannot claim %s in the cache (%s); running it anyway.", name, error)
            return True


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Run the background worker: send queued notices and run background tasks, "
            "and queue the periodic ones (notice retries, the daily sweeps)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help=_("Run what is queued now, then exit (for cron and tests)."),
        )
        parser.add_argument(
            "--interval",
            type=_positive_number,
            default=2.0,
            help=_("Seconds to wait for new tasks when the queue is empty (default: 2)."),
        )
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help=_("Queues to run, separated by commas; '*' for all (default: %(default)s)."),
        )
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help=_("The task backend in settings.TASKS (default: %(default)s)."),
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help=_("Only run queued tasks; do not queue the periodic ones."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend_name = options["backend"]
        if not isinstance(task_backends[backend_name], DatabaseBackend):
            raise CommandError(
                _(
                    "The task backend %(backend)s does not keep a queue in the database; "
                    "set SERAMBI_TASKS_BACKEND=django_tasks_db.DatabaseBackend."
                )
                % {"backend": backend_name}
            )
        self._configure_logging(options["verbosity"])
        worker = _Worker(
            stdout=self.stdout,
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=True,  # one batch per turn of the loop below
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        schedule = Schedule(stdout=self.stdout, stderr=self.stderr) if options["schedule"] else None
        if not options["once"]:
            self.stdout.write(
                _("Serambi worker %(id)s started; Ctrl+C stops it.") % {"id": worker.worker_id}
            )
        worker.configure_signals()
        try:
            while worker.running:
                if schedule is not None:
                    schedule.tick()
                worker.run()
                if options["once"]:
                    break
                self._sleep(worker, options["interval"])
        finally:
            worker.reset_signals()
        if not options["once"]:
            self.stdout.write(_("Serambi worker stopped."))

    @staticmethod
    def _sleep(worker: _Worker, seconds: float) -> None:
        # Short naps, so a stop signal ends the wait promptly.
        deadline = time.monotonic() + seconds
        while worker.running and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.25))

    @staticmethod
    def _configure_logging(verbosity: int) -> None:
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("serambi", "django_tasks"):
            logging.getLogger(name).setLevel(level)
        # django-tasks-db says "starting"/"no more tasks" on every batch.
        logging.getLogger("django_tasks_db").setLevel(
            logging.DEBUG if verbosity > 1 else logging.WARNING
        )
