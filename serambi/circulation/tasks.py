"""Circulation's background work: reminders, overdue notices and hold expiry.

``serambi worker`` enqueues ``daily_sweep`` once a day; each part may run
alone too. Every notice carries a dedupe key, so a sweep that runs twice
(a restarted worker, two workers) sends nothing new.
"""

from django_tasks import task

from . import services


@task()
def send_due_soon_notices() -> int:
    """Remind borrowers of loans falling due in the next few days."""
    return services.queue_due_soon_notices()


@task()
def send_overdue_notices() -> int:
    """Tell borrowers of overdue loans, at the steps the settings name."""
    return services.queue_overdue_notices()


@task()
def expire_holds_task() -> int:
    """Expire holds not collected in time; their copies go to the next in line."""
    return services.expire_holds()


@task()
def daily_sweep() -> dict[str, int]:
    """All of circulation's daily work, hold expiry first (its copies may go to someone else)."""
    return {
        "holds_expired": services.expire_holds(),
        "due_soon_notices": services.queue_due_soon_notices(),
        "overdue_notices": services.queue_overdue_notices(),
    }
