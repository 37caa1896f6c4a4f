"""The notices programs send: registration confirmed or waitlisted, moved up, reminders,
changes, cancellations, pauses and staff messages.

Each text is a template in ``templates/programs/notices/`` (the first line is
the subject), rendered in the person's language and queued through
``serambi.core.notifications.notify`` inside the caller's transaction, with a
dedupe key so that a retried request or a sweep run twice sends nothing new.
Guests are reached on the WhatsApp number or e-mail they gave.
"""

import hashlib
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from serambi.core.notifications import notify, render_notice
from serambi.members.models import Member

from .models import Event, Registration, RegistrationPause


def absolute_url(path: str) -> str:
    """``path`` on the library's public site (``SERAMBI_SITE_URL``), or the bare path."""
    base = getattr(settings, "SERAMBI_SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}" if base else path


def _token_url(name: str, registration: Registration) -> str:
    try:
        return absolute_url(reverse(name, args=[registration.token]))
    except NoReverseMatch:
        return ""


def cancel_url(registration: Registration) -> str:
    """The link that cancels a registration (after asking), or "" without the web door."""
    return _token_url("programs:cancel_registration", registration)


def registration_url(registration: Registration) -> str:
    """The registrant's own page with the QR code to show at the door, or ""."""
    return _token_url("programs:registration", registration)


def event_url(event: Event) -> str:
    try:
        return absolute_url(event.get_absolute_url())
    except NoReverseMatch:
        return ""


def place_of(event: Event) -> str:
    """Where it happens, as people read it: "Ruang Diskusi, Perpustakaan Pusat" or the place."""
    if event.space_id and event.branch_id:
        return f"{event.space.name}, {event.branch.name}"
    if event.location:
        return event.location
    if event.branch_id:
        return event.branch.name
    return ""


def _language(member: Member | None) -> str:
    return (member and getattr(member, "language", "")) or settings.LANGUAGE_CODE or "id"


def _library_name() -> str:
    return getattr(settings, "LIBRARY_NAME", "")


def _event_context(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "title": event.display_title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "same_day": timezone.localdate(event.starts_at) == timezone.localdate(event.ends_at),
        "place": place_of(event),
        "online_url": event.online_url,
        "event_url": event_url(event),
        "accessibility": event.accessibility,
    }


def send_to_registrant(
    registration: Registration,
    *,
    kind: str,
    template: str,
    dedupe_key: str,
    context: dict[str, Any] | None = None,
) -> list:
    member = registration.member
    language = _language(member)
    subject, body = render_notice(
        f"programs/notices/{template}.txt",
        {
            "name": member.full_name if member else registration.guest_name,
            "library_name": _library_name(),
            "registration": registration,
            "cancel_url": cancel_url(registration),
            "registration_url": registration_url(registration),
            **_event_context(registration.event),
            **(context or {}),
        },
        language=language,
    )
    if member is not None:
        contact = {
            "user": member.user,
            "email": member.email,
            "phone": member.phone,
            "whatsapp": member.phone_is_whatsapp,
        }
    else:
        contact = {"email": registration.guest_email, "phone": registration.guest_phone}
    return notify(
        kind=kind,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        target=registration,
        language=language,
        **contact,
    )


def registration_received(registration: Registration) -> list:
    """Confirmed (with check-in instructions) or on the waitlist (with the place in line)."""
    confirmed = registration.status == Registration.Status.CONFIRMED
    return send_to_registrant(
        registration,
        kind="programs.registration",
        template="registration_confirmed" if confirmed else "registration_waitlisted",
        dedupe_key=f"programs.registration:{registration.pk}",
    )


def promoted(registration: Registration) -> list:
    return send_to_registrant(
        registration,
        kind="programs.promoted",
        template="registration_promoted",
        dedupe_key=f"programs.promoted:{registration.pk}",
    )


def registration_cancelled(registration: Registration) -> list:
    return send_to_registrant(
        registration,
        kind="programs.registration_cancelled",
        template="registration_cancelled",
        dedupe_key=f"programs.registration_cancelled:{registration.pk}",
    )


def event_changed(registration: Registration, *, version: str) -> list:
    return send_to_registrant(
        registration,
        kind="programs.event_changed",
        template="event_changed",
        dedupe_key=f"programs.event_changed:{registration.pk}:{version}",
    )


def event_cancelled(registration: Registration) -> list:
    return send_to_registrant(
        registration,
        kind="programs.event_cancelled",
        template="event_cancelled",
        dedupe_key=f"programs.event_cancelled:{registration.event_id}:{registration.pk}",
        context={"reason": registration.event.cancel_reason},
    )


def reminder(registration: Registration) -> list:
    event = registration.event
    return send_to_registrant(
        registration,
        kind="programs.reminder",
        template="event_reminder",
        # Per start time: a moved event is reminded again before its new time.
        dedupe_key=f"programs.reminder:{registration.pk}:{event.starts_at.isoformat()}",
    )


def staff_message(registration: Registration, *, subject: str, body: str) -> list:
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:16]
    return send_to_registrant(
        registration,
        kind="programs.message",
        template="registrant_message",
        # The same message twice (a double click) goes out once.
        dedupe_key=f"programs.message:{registration.event_id}:{digest}:{registration.pk}",
        context={"subject": subject, "body": body},
    )


def registrations_paused(pause: RegistrationPause, *, no_shows: int) -> list:
    member = pause.member
    language = _language(member)
    subject, body = render_notice(
        "programs/notices/registrations_paused.txt",
        {
            "name": member.full_name,
            "library_name": _library_name(),
            "until": pause.until,
            "no_shows": no_shows,
        },
        language=language,
    )
    return notify(
        kind="programs.registrations_paused",
        user=member.user,
        email=member.email,
        phone=member.phone,
        whatsapp=member.phone_is_whatsapp,
        subject=subject,
        body=body,
        dedupe_key=f"programs.paused:{pause.pk}",
        target=pause,
        language=language,
    )
