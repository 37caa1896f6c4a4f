"""Spaces' background work: releasing no-shows, closing ended bookings, reminders.

``frequent_sweep`` must run every few minutes (a booking nobody checked in
for is released CHECK_IN_WINDOW after its start, so others can take the
room); ``daily_sweep`` once a day sends the reminders for tomorrow. Each part
may run alone too. Every notice carries a dedupe key and every change is
guarded by the booking's status, so a sweep that runs twice (a restarted
worker, two workers) does nothing new.
"""

from django_tasks import task

from . import services


@task()
def release_no_shows_task() -> int:
    """Release confirmed bookings nobody checked in for in time."""
    return services.release_no_shows()


@task()
def complete_past_bookings_task() -> int:
    """Close bookings that have ended (and requests nobody decided in time)."""
    return services.complete_past_bookings()


@task()
def send_booking_reminders_task() -> int:
    """Remind members of tomorrow's bookings."""
    return services.send_booking_reminders()


@task()
def frequent_sweep() -> dict[str, int]:
    """Every ~10 minutes: no-shows released, ended bookings closed."""
    return {
        "no_shows_released": services.release_no_shows(),
        "bookings_completed": services.complete_past_bookings(),
    }


@task()
def daily_sweep() -> dict[str, int]:
    """Once a day: tomorrow's reminders, and the frequent work in case no worker ran it."""
    return {
        "no_shows_released": services.release_no_shows(),
        "bookings_completed": services.complete_past_bookings(),
        "reminders": services.send_booking_reminders(),
    }
