"""The notices a member gets about a room booking: confirmed, requested, approved, declined,
reminded, released as a no-show.

Each text is a template in ``templates/spaces/notices/`` (the first line is
the subject) rendered in the member's language and queued through
``serambi.core.notifications.notify`` inside the caller's transaction, with
a dedupe key so that a retried request or a sweep run twice sends nothing new.
"""

from typing import Any

from django.utils import timezone

from serambi.circulation.notices import language_of
from serambi.core.notifications import notify, render_notice

from .models import Booking


def _library_name() -> str:
    from django.conf import settings

    return getattr(settings, "LIBRARY_NAME", "")


def _context(booking: Booking) -> dict[str, Any]:
    starts_at = timezone.localtime(booking.starts_at)
    ends_at = timezone.localtime(booking.ends_at)
    equipment = [hold.equipment.name for hold in booking.equipment_holds.all()]
    space = booking.space
    return {
        "booking": booking,
        "space": space.name if space else "",
        "branch": (space.branch.name if space else _equipment_branch(booking)),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "equipment": ", ".join(equipment),
        "purpose": booking.purpose,
        "people": booking.people,
    }


def _equipment_branch(booking: Booking) -> str:
    hold = booking.equipment_holds.select_related("equipment__branch").first()
    return hold.equipment.branch.name if hold else ""


def send(booking: Booking, *, kind: str, extra: dict[str, Any] | None = None) -> list:
    member = booking.member
    if member is None:  # an event's hold: nobody to tell
        return []
    language = language_of(member)
    subject, body = render_notice(
        f"spaces/notices/{kind}.txt",
        {"member": member, "library_name": _library_name(), **_context(booking), **(extra or {})},
        language=language,
    )
    return notify(
        kind=f"spaces.{kind}",
        user=member.user,
        email=member.email,
        phone=member.phone,
        whatsapp=member.phone_is_whatsapp,
        subject=subject,
        body=body,
        # Per booking and start: a booking moved to another time is told again.
        dedupe_key=f"spaces.{kind}:{booking.pk}:{booking.starts_at.isoformat()}",
        target=booking,
        language=language,
    )


def booking_confirmed(booking: Booking) -> list:
    return send(booking, kind="booking_confirmed")


def booking_requested(booking: Booking) -> list:
    return send(booking, kind="booking_requested")


def booking_approved(booking: Booking) -> list:
    return send(booking, kind="booking_approved")


def booking_declined(booking: Booking) -> list:
    return send(booking, kind="booking_declined", extra={"reason": booking.decision_reason})


def booking_reminder(booking: Booking) -> list:
    return send(booking, kind="booking_reminder")


def booking_released(booking: Booking) -> list:
    return send(booking, kind="booking_released")
