"""Programs' background work: reminders before events and closing past events.

``send_event_reminders_task`` is meant to run often (every 15–60 minutes), so
a reminder goes out about ``ProgramSettings.reminder_hours`` before each
event; ``daily_sweep`` closes past events (no-shows, pauses, certificates)
and sends any reminders due. Each part is safe to run twice: an event is
reminded once (``reminded_at`` and the notices' dedupe keys) and closing an
event leaves nothing to close again.
"""

from django_tasks import task

from . import services


@task()
def send_event_reminders_task() -> int:
    """Remind confirmed registrants of events starting within the reminder window."""
    return services.send_event_reminders()


@task()
def close_past_events_task() -> int:
    """Record no-shows of events that have ended (and pause repeat no-shows)."""
    return services.close_past_events()


@task()
def daily_sweep() -> dict[str, int]:
    """All of programs' periodic work, in one task for the worker's daily list."""
    return {
        "no_shows": services.close_past_events(),
        "reminders": services.send_event_reminders(),
    }
