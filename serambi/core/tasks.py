"""Background tasks of the notifications outbox.

``deliver_notification`` sends one queued :class:`Notification`;
``retry_stuck_notifications`` (enqueued every few minutes by ``serambi
worker``) catches rows whose delivery was never enqueued or got lost.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .gateways import get_gateway
from .models import Notification

logger = logging.getLogger("serambi.notices")

MAX_ATTEMPTS = 5
# Minutes to wait after the 1st, 2nd, 3rd… failed attempt.
BACKOFF_MINUTES = (1, 5, 30, 120)
# While one worker is sending, the row's next attempt is pushed this far ahead
# so no other worker (or a duplicate task) sends it at the same time; if the
# worker dies mid-send, the row becomes due again after this lease.
SENDING_LEASE = datetime.timedelta(minutes=5)
# A pending row nobody has touched for this long is enqueued again.
STUCK_AFTER = datetime.timedelta(minutes=10)


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait before the next attempt after ``attempts`` failures."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return datetime.timedelta(minutes=BACKOFF_MINUTES[index])


def _claim(notification_id: int) -> Notification | None:
    """Lock the row and take a short lease on it, or None when it is not due."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != Notification.Status.PENDING:
            return None
        now = timezone.now()
        if notification.next_attempt_at and notification.next_attempt_at > now:
            # A duplicate task (retry sweep, second worker) or one run early.
            return None
        notification.next_attempt_at = now + SENDING_LEASE
        notification.save(update_fields=["next_attempt_at", "updated_at"])
        return notification


def _send(notification: Notification) -> None:
    if notification.channel == Notification.Channel.EMAIL:
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Content-Language": notification.language},
        )
        message.send(fail_silently=False)
        return
    text = "\n\n".join(part for part in (notification.subject, notification.body) if part)
    get_gateway().send(to=notification.recipient, text=text, channel=notification.channel)


def _enqueue_retry(notification: Notification) -> None:
    retry = deliver_notification
    if not retry.get_backend().supports_defer:
        # The immediate backend cannot wait; retry_stuck_notifications will.
        return
    try:
        retry.using(run_after=notification.next_attempt_at).enqueue(notification.pk)
    except Exception:
        logger.exception("Could not enqueue a retry of notification %s.", notification.pk)


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one notification; on failure retry with a back-off, then give up.

    The network call happens outside any transaction, so a slow mail server
    or gateway never holds a database lock (SQLite has only one writer).
    Returns the resulting status, which the task result keeps.
    """
    notification = _claim(notification_id)
    if notification is None:
        return "skipped"
    try:
        _send(notification)
    except Exception as error:  # noqa: BLE001 - any failure of a provider is retried
        error_text = f"{type(error).__name__}: {error}"[:2000]
        with transaction.atomic():
            notification = Notification.objects.select_for_update().get(pk=notification.pk)
            notification.attempts += 1
            notification.last_error = error_text
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                notification.next_attempt_at = None
                logger.error(
                    "Notification %s to %s failed for good after %s attempts: %s",
                    notification.pk,
                    notification.recipient,
                    notification.attempts,
                    error_text,
                )
            else:
                notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
                logger.warning(
                    "Notification %s to %s failed (attempt %s), retrying at %s: %s",
                    notification.pk,
                    notification.recipient,
                    notification.attempts,
                    notification.next_attempt_at.isoformat(),
                    error_text,
                )
            notification.save(
                update_fields=["attempts", "last_error", "status", "next_attempt_at", "updated_at"]
            )
            if notification.status == Notification.Status.PENDING:
                transaction.on_commit(lambda: _enqueue_retry(notification))
        return notification.status
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    return Notification.Status.SENT


@task()
def retry_stuck_notifications() -> int:
    """Enqueue pending notifications whose delivery never ran or got lost.

    Covers a crash between commit and enqueue, a retry enqueued while the
    backend could not defer, and a worker that died while sending. Each row
    enqueued is marked (``next_attempt_at`` = now) so the next sweep leaves
    it alone for a while. Returns how many were enqueued.
    """
    now = timezone.now()
    stale = now - STUCK_AFTER
    due = Q(next_attempt_at__lte=stale) | Q(
        next_attempt_at__isnull=True, attempts=0, created_at__lte=stale
    )
    ids = list(
        Notification.objects.filter(due, status=Notification.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(next_attempt_at=now, updated_at=now)
    for notification_id in ids:
        deliver_notification.enqueue(notification_id)
    logger.info("Enqueued %s stuck notification(s) again.", len(ids))
    return len(ids)
