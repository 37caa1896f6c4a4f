"""The notifications outbox: queue a notice for a person, sent after commit.

Services call :func:`notify` inside their own transaction. It writes one
:class:`~serambi.core.models.Notification` per channel the person can be
reached on and, once the transaction commits, enqueues
:func:`serambi.core.tasks.deliver_notification` for each row. Sending, retries
and failures belong to that task; ``notify`` never raises because a message
could not be delivered.
"""

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from .models import Notification
from .services import record_audit
from .tasks import deliver_notification

logger = logging.getLogger("serambi.notices")

INDONESIA_CALLING_CODE = "62"


def normalise_phone(phone: str) -> str:
    """An Indonesian phone number in international form (``+628…``), or ``""``.

    Accepts what people write on forms: ``0812-3456-7890``, ``62812…``,
    ``+62 812…``, ``(021) 555 1234`` or ``812…`` without the trunk ``0``.
    A number that starts with ``+`` and another country code is kept as
    written (digits only). Anything too short or too long to be a phone
    number gives ``""``, so no message is queued to a number that cannot exist.
    """
    text = (phone or "").strip()
    if not text:
        return ""
    has_plus = text.startswith("+") or text.startswith("00")
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]
    if has_plus:
        if not digits.startswith(INDONESIA_CALLING_CODE):
            # Another country: E.164 allows 8 to 15 digits with the country code.
            return f"+{digits}" if 8 <= len(digits) <= 15 else ""
        national = digits[len(INDONESIA_CALLING_CODE) :]
    elif digits.startswith(INDONESIA_CALLING_CODE):
        national = digits[len(INDONESIA_CALLING_CODE) :]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    national = national.lstrip("0")
    # Indonesian national significant numbers: 7–12 digits (landlines with
    # area code and mobiles 8xx…).
    if not 7 <= len(national) <= 12:
        return ""
    return f"+{INDONESIA_CALLING_CODE}{national}"


def _valid_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def _target_fields(target: Any) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": ""}
    if isinstance(target, models.Model):
        return {"target_type": target._meta.label_lower, "target_id": str(target.pk)}
    return {"target_type": type(target).__name__.lower()[:80], "target_id": str(target)[:64]}


def _channels(*, email: str, phone: str, whatsapp: bool) -> list[tuple[Notification.Channel, str]]:
    channels: list[tuple[Notification.Channel, str]] = []
    if email:
        channels.append((Notification.Channel.EMAIL, email))
    if phone:
        channel = Notification.Channel.WHATSAPP if whatsapp else Notification.Channel.SMS
        channels.append((channel, phone))
    return channels


def notify(
    *,
    kind: str,
    user: Any = None,
    email: str = "",
    phone: str = "",
    whatsapp: bool = True,
    subject: str,
    body: str,
    dedupe_key: str = "",
    target: Any = None,
    language: str = "id",
) -> list[Notification]:
    """Queue one notice to one person on every channel they can be reached on.

    E-mail when there is an address; WhatsApp when there is a phone number
    and ``whatsapp`` is true, otherwise SMS. ``dedupe_key`` makes a notice go
    out once per channel however often the code that queues it runs (a daily
    sweep, a retried request): a key already used on a channel creates
    nothing. Returns the rows created now (possibly none). Deliveries are
    enqueued when the surrounding transaction commits.
    """
    email = _valid_email(email)
    phone = normalise_phone(phone)
    if phone == "" and email == "":
        logger.info("Notice %s not queued: no e-mail address or phone number.", kind)
        return []
    common = {
        "kind": kind[:60],
        "user": user if getattr(user, "pk", None) else None,
        "language": language,
        "subject": subject.strip()[:300],
        "body": body,
        **_target_fields(target),
    }
    created: list[Notification] = []
    for channel, recipient in _channels(email=email, phone=phone, whatsapp=whatsapp):
        key = f"{dedupe_key}:{channel}"[:200] if dedupe_key else ""
        if key and Notification.objects.filter(dedupe_key=key).exists():
            continue
        try:
            # A savepoint, so a concurrent writer of the same key only costs
            # this row, not the caller's transaction.
            with transaction.atomic():
                notification = Notification.objects.create(
                    channel=channel, recipient=recipient[:254], dedupe_key=key, **common
                )
        except IntegrityError:
            if key and Notification.objects.filter(dedupe_key=key).exists():
                continue
            raise
        created.append(notification)
        transaction.on_commit(_enqueue_delivery(notification.pk))
    return created


def _enqueue_delivery(notification_id: int) -> Callable[[], None]:
    def enqueue() -> None:
        try:
            deliver_notification.enqueue(notification_id)
        except Exception:
            # The row stays PENDING; retry_stuck_notifications picks it up.
            logger.exception("Could not enqueue delivery of notification %s.", notification_id)

    return enqueue


def resend_notifications(*, notifications: Iterable[Notification], by: Any) -> list[Notification]:
    """Queue notices again (staff, from the admin): failed, cancelled or sent ones.

    Each row goes back to PENDING with a fresh set of attempts and is
    delivered after commit. A pending row waiting for its next retry is tried
    now; a pending row never tried yet is already on its way and is left alone.
    """
    queued = []
    with transaction.atomic():
        ids = [notification.pk for notification in notifications]
        for notification in Notification.objects.select_for_update().filter(pk__in=ids):
            if notification.status == Notification.Status.PENDING and notification.attempts == 0:
                continue
            # No target: its string holds the recipient, and the audit log
            # keeps no contact details.
            record_audit(
                by=by,
                action="core.resend_notification",
                data={
                    "notification": notification.pk,
                    "kind": notification.kind,
                    "channel": notification.channel,
                    "status": notification.status,
                    "attempts": notification.attempts,
                },
            )
            notification.status = Notification.Status.PENDING
            notification.attempts = 0
            notification.last_error = ""
            notification.next_attempt_at = None
            notification.sent_at = None
            notification.save(
                update_fields=[
                    "status",
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "sent_at",
                    "updated_at",
                ]
            )
            transaction.on_commit(_enqueue_delivery(notification.pk))
            queued.append(notification)
    return queued


_BLANK_LINES = re.compile(r"\n{3,}")


def render_notice(template_name: str, context: dict[str, Any], *, language: str) -> tuple[str, str]:
    """Render a notice template in ``language``: (subject, body).

    The first non-empty line is the subject; the rest is the body, with
    trailing spaces removed and runs of blank lines folded to one (template
    tags leave them behind). Nothing is HTML-escaped: notices are plain text.
    """
    template = get_template(template_name)
    with translation.override(language):
        # Notices are plain text: render without HTML escaping, so "Tom & Jerry"
        # does not arrive as "Tom &amp; Jerry".
        django_template = getattr(template, "template", None)
        if django_template is not None:
            text = django_template.render(Context(context, autoescape=False))
        else:  # another template engine
            text = template.render(context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject = lines[0].strip() if lines else ""
    body = _BLANK_LINES.sub("\n\n", "\n".join(lines[1:])).strip()
    return subject, body
