"""Forgetting borrowers, and the notices the daily sweep queues."""

import datetime

from django.db import transaction
from django.utils import timezone

from serambi.members.models import Member

from .. import notices, policies, selectors
from ..calendar import Calendars
from ..models import Loan
from ._common import (
    _now,
    _today,
)

# --- privacy -------------------------------------------------------------------------------------


@transaction.atomic
def anonymise_returned_loans(*, member: Member) -> int:
    """Forget who borrowed the member's returned loans (reading history turned off, erasure)."""
    return Loan.objects.filter(member=member, status=Loan.Status.RETURNED).update(
        member=None, updated_at=timezone.now()
    )


# --- notice sweeps -------------------------------------------------------------------------------


def queue_due_soon_notices(*, now: datetime.datetime | None = None) -> int:
    """Remind borrowers of loans due in the next ``due_soon_days`` days (once per due date)."""
    today = _today(_now(now))
    settings = selectors.circulation_settings()
    if settings.due_soon_days < 1:
        return 0
    queued = 0
    loans = selectors.loans_due_between(
        today + datetime.timedelta(days=1), today + datetime.timedelta(days=settings.due_soon_days)
    )
    for loan in loans:
        with transaction.atomic():
            queued += bool(notices.due_soon(loan, today=today))
    return queued


def queue_overdue_notices(*, now: datetime.datetime | None = None) -> int:
    """Tell borrowers of overdue loans, at the steps the settings name (1, 7, 14 days late …).

    A loan gets the notice of the latest step it has reached, once: a missed
    sweep does not send the earlier steps in a burst.
    """
    today = _today(_now(now))
    settings = selectors.circulation_settings()
    steps = policies.parse_notice_days(settings.overdue_notice_days)
    if not steps:
        return 0
    calendars = Calendars()
    queued = 0
    for loan in selectors.overdue_loans(today):
        days_overdue = (today - loan.due_on).days
        step = policies.overdue_level(days_overdue=days_overdue, notice_days=steps)
        if step is None:
            continue
        _days, fine = selectors.accruing_fine(
            loan, today=today, calendars=calendars, settings=settings
        )
        with transaction.atomic():
            queued += bool(
                notices.overdue(loan, today=today, step=step, days_overdue=days_overdue, fine=fine)
            )
    return queued
