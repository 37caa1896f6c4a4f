"""The daily sweeps: reminders, overdue notices, hold expiry; run twice, sent once."""

import datetime

import pytest

from serambi.circulation import services, tasks
from serambi.circulation.models import Hold, Loan
from serambi.core.models import Notification

from .conftest import WEDNESDAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def loan(item, member, librarian) -> Loan:
    return services.checkout(item=item, member=member, by=librarian, now=at(WEDNESDAY))


def kinds(kind):
    return Notification.objects.filter(kind=kind)


def test_due_soon_reminder_goes_out_once(loan):
    two_days_before = at(loan.due_on - 2 * DAY)
    assert services.queue_due_soon_notices(now=at(loan.due_on - 3 * DAY)) == 0
    assert services.queue_due_soon_notices(now=two_days_before) == 1
    assert services.queue_due_soon_notices(now=two_days_before) == 0
    assert services.queue_due_soon_notices(now=at(loan.due_on - DAY)) == 0
    assert kinds("circulation.due_soon").count() == 2  # e-mail and WhatsApp


def test_a_renewed_loan_is_reminded_again_before_its_new_date(loan, librarian):
    services.queue_due_soon_notices(now=at(loan.due_on - DAY))
    renewed = services.renew(loan=loan, by=librarian, now=at(loan.due_on - DAY))
    assert services.queue_due_soon_notices(now=at(renewed.due_on - DAY)) == 1


def test_overdue_notices_follow_the_steps_and_are_not_repeated(loan):
    assert services.queue_overdue_notices(now=at(loan.due_on)) == 0
    assert services.queue_overdue_notices(now=at(loan.due_on + DAY)) == 1
    assert services.queue_overdue_notices(now=at(loan.due_on + 2 * DAY)) == 0
    assert services.queue_overdue_notices(now=at(loan.due_on + 7 * DAY)) == 1
    assert services.queue_overdue_notices(now=at(loan.due_on + 7 * DAY)) == 0
    notice = kinds("circulation.overdue").first()
    assert "Rp" in notice.body


def test_notice_is_written_in_the_members_language(loan):
    services.queue_overdue_notices(now=at(loan.due_on + DAY))
    notice = kinds("circulation.overdue").first()
    assert notice.language == "id"
    assert "Laskar Pelangi" in notice.subject


def test_daily_sweep_task_runs_everything_and_twice_sends_nothing_new(
    loan, item, other_member, branch, librarian, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    hold = services.place_hold(
        record=item.record, member=other_member, pickup_branch=branch, by=None, now=at(WEDNESDAY)
    )
    services.checkin(item=item, by=librarian, now=at(WEDNESDAY + DAY))
    hold.refresh_from_db()
    assert hold.status == Hold.Status.READY
    before = Notification.objects.count()
    # Run the tasks' functions as the worker would, on the day after the pickup date.
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at(hold.pickup_by + DAY)):
        first = tasks.daily_sweep.call()
        second = tasks.daily_sweep.call()
        assert tasks.expire_holds_task.call() == 0
        assert tasks.send_due_soon_notices.call() == 0
        assert tasks.send_overdue_notices.call() == 0
    assert first["holds_expired"] == 1
    assert second == {"holds_expired": 0, "due_soon_notices": 0, "overdue_notices": 0}
    hold.refresh_from_db()
    assert hold.status == Hold.Status.EXPIRED
    assert Notification.objects.count() > before
