"""Every programs act: programs and their events, registrations and the waitlist,
attendance, no-show pauses, certificates, reminders and messages.

The staff pages, the patron pages and the API call these functions. Acts on
the registrations of one event lock the event's row first (SELECT … FOR
UPDATE; on SQLite the IMMEDIATE transaction serializes writers), so seats are
counted and given out one registrant at a time and the capacity is never
exceeded. Rooms are held through ``serambi.spaces.services`` in the same
transaction as the event. Staff acts are written to the audit log; notices are
queued in the transaction and sent after it commits.
"""

import dataclasses
import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.services import record_audit
from serambi.members.models import Member

from . import notices, policies, selectors
from .models import Certificate, Event, Program, ProgramSettings, Registration, RegistrationPause

PROGRAM_FIELDS = (
    "title",
    "category",
    "audience",
    "min_age",
    "max_age",
    "summary",
    "description",
    "poster",
    "partners",
    "facilitator",
    "is_series",
    "is_published",
    "gives_certificate",
)
EVENT_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "branch",
    "space",
    "setup_minutes",
    "location",
    "online_url",
    "capacity",
    "registration_required",
    "registration_opens_at",
    "registration_closes_at",
    "accessibility",
)
SETTINGS_FIELDS = ("no_show_limit", "pause_days", "reminder_hours")
# Changing these moves the room booking.
ROOM_FIELDS = ("starts_at", "ends_at", "space_id", "setup_minutes")
# Changing these is news for the registrants.
PLACE_FIELDS = ("starts_at", "ends_at", "branch_id", "space_id", "location", "online_url")
NO_SHOW_WINDOW = datetime.timedelta(days=180)
# close_past_events waits this long after an event ends, so staff can tick
# attendance from the list first.
CLOSE_AFTER = datetime.timedelta(hours=12)
MAX_SLUG_TRIES = 1000


# --- helpers ---------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _person(by: Any) -> Any:
    """The actor to store on a row: a signed-in user, or None for the system or a guest."""
    return by if getattr(by, "is_authenticated", False) else None


def _audit_staff(by: Any, action: str, target: Any, data: dict | None = None) -> None:
    if _person(by) is not None and getattr(by, "is_staff", False):
        record_audit(by=by, action=action, target=target, data=data or {})


def _values(data: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The known fields of a dict (a form's cleaned_data) or a dataclass; others are ignored."""
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        data = {field.name: getattr(data, field.name) for field in dataclasses.fields(data)}
    if not isinstance(data, Mapping):
        raise TypeError("data must be a mapping or a dataclass")
    return {name: data[name] for name in fields if name in data}


def _full_clean(obj: Program | Event, *, code: str, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        first = next(iter(messages.values()))[0]
        raise DomainError(
            code,
            first,
            errors={field: [str(m) for m in found] for field, found in messages.items()},
        ) from None


def _set_status(registration: Registration, new: str) -> None:
    policies.check_transition(
        Registration.TRANSITIONS,
        registration.status,
        new,
        what=str(Registration._meta.verbose_name),
    )
    registration.status = new


def _lock_event(event: Event) -> Event:
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("program", "branch", "space")
        .get(pk=event.pk)
    )


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("member", "member__user")
        .get(pk=registration.pk)
    )


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y H:i")


# --- programs ---------------------------------------------------------------------------------


def _unique_slug(title: str, *, exclude: Program | None = None) -> str:
    base = (slugify(title) or "kegiatan")[:70].strip("-") or "kegiatan"
    taken = Program.objects.filter(slug__startswith=base)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    for number in range(2, MAX_SLUG_TRIES):
        candidate = f"{base}-{number}"
        if candidate not in used:
            return candidate
    raise DomainError("programs.slug_taken", _("Choose a more distinctive title."))


def _check_program(program: Program) -> None:
    if program.min_age is not None and program.max_age is not None:
        if program.min_age > program.max_age:
            raise DomainError(
                "programs.invalid_age_range",
                _("The youngest age may not be above the oldest."),
                min_age=program.min_age,
                max_age=program.max_age,
            )
    _full_clean(program, code="programs.invalid_program")


@transaction.atomic
def create_program(*, data: Any, by: Any) -> Program:
    """A new program; its address name (slug) is made from the title and stays when it changes."""
    program = Program(**_values(data, PROGRAM_FIELDS))
    program.slug = _unique_slug(program.title)
    _check_program(program)
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        # Another program took the slug in the meantime.
        program.slug = _unique_slug(f"{program.title} {timezone.now():%H%M%S}")
        program.save()
    record_audit(by=by, action="programs.create_program", target=program, data={})
    return program


@transaction.atomic
def update_program(*, program: Program, data: Any, by: Any) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    values = _values(data, PROGRAM_FIELDS)
    changed = [name for name, value in values.items() if getattr(program, name) != value]
    for name, value in values.items():
        setattr(program, name, value)
    _check_program(program)
    program.save()
    record_audit(by=by, action="programs.update_program", target=program, data={"changed": changed})
    return program


# --- events and their rooms -------------------------------------------------------------------


def _check_event(event: Event) -> None:
    if event.starts_at is None or event.ends_at is None or event.starts_at >= event.ends_at:
        raise DomainError("programs.invalid_times", _("An event must end after it starts."))
    if event.space_id is not None:
        if event.branch_id is None:
            event.branch_id = event.space.branch_id
        elif event.space.branch_id != event.branch_id:
            raise DomainError(
                "programs.space_not_at_branch",
                _("The room %(room)s is not at this branch.") % {"room": event.space.name},
                space=event.space_id,
            )
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens is not None and closes is not None and opens >= closes:
        raise DomainError(
            "programs.invalid_registration_window",
            _("Registration must open before it closes."),
        )
    _full_clean(event, code="programs.invalid_event", exclude=["program"])


def _hold_room(event: Event, *, by: Any) -> None:
    from serambi.spaces import services as spaces_services

    try:
        spaces_services.hold_room_for_event(event=event, by=by)
    except DomainError as error:
        if error.code != "spaces.slot_taken":
            raise
        raise DomainError(
            "programs.room_taken",
            _("%(room)s is already taken on %(when)s: %(reason)s")
            % {"room": event.space.name, "when": _when(event.starts_at), "reason": error.message},
            date=timezone.localdate(event.starts_at).isoformat(),
            starts_at=event.starts_at.isoformat(),
            space=event.space_id,
            clash=error.data,
        ) from error


def _release_room(event: Event, *, by: Any) -> None:
    from serambi.spaces import services as spaces_services

    spaces_services.release_room_for_event(event=event, by=by)


@transaction.atomic
def schedule_event(
    *,
    program: Program,
    data: Any,
    by: Any,
    repeat: str = "",
    until: datetime.date | None = None,
) -> list[Event]:
    """One event, or a weekly or monthly series through ``until`` (see policies.occurrences).

    Every session keeps the first one's times of day, length and registration
    window (relative to its start). Each session with a room holds the room;
    a clash refuses the whole series ("programs.room_taken", naming the date).
    """
    values = _values(data, EVENT_FIELDS)
    first = Event(program=program, **values)
    _check_event(first)
    values["branch"] = first.branch
    local_start = timezone.localtime(first.starts_at).replace(tzinfo=None)
    starts = policies.occurrences(local_start, repeat=repeat, until=until)
    length = first.ends_at - first.starts_at
    opens_before = (
        first.starts_at - first.registration_opens_at if first.registration_opens_at else None
    )
    closes_before = (
        first.starts_at - first.registration_closes_at if first.registration_closes_at else None
    )
    events = []
    for start in starts:
        event = Event(program=program, **values)
        event.starts_at = timezone.make_aware(start)
        event.ends_at = event.starts_at + length
        if opens_before is not None:
            event.registration_opens_at = event.starts_at - opens_before
        if closes_before is not None:
            event.registration_closes_at = event.starts_at - closes_before
        event.save()
        if event.space_id:
            _hold_room(event, by=by)
        events.append(event)
    record_audit(
        by=by,
        action="programs.schedule_event",
        target=events[0],
        data={
            "program": program.pk,
            "events": [event.pk for event in events],
            "repeat": repeat,
            "until": until.isoformat() if until else None,
        },
    )
    return events


def _active_registrations(event: Event) -> list[Registration]:
    return list(
        Registration.objects.select_related("member", "member__user")
        .filter(event=event, status__in=Registration.ACTIVE)
        .order_by("registered_at", "id")
    )


@transaction.atomic
def update_event(*, event: Event, data: Any, by: Any) -> Event:
    """Edit an event. Moving its time or room moves the room booking; registrants hear of a
    new time or place; a larger capacity moves people up from the waitlist."""
    event = _lock_event(event)
    if event.status == Event.Status.CANCELLED:
        raise _cancelled(event)
    values = _values(data, EVENT_FIELDS)
    tracked = (*ROOM_FIELDS, *PLACE_FIELDS, "capacity")
    before = {name: getattr(event, name) for name in tracked}
    old_space = event.space_id
    for name, value in values.items():
        setattr(event, name, value)
    if "space" in values and values["space"] is not None and "branch" not in values:
        event.branch_id = values["space"].branch_id
    _check_event(event)
    changed = sorted({name for name in tracked if getattr(event, name) != before[name]})
    if "starts_at" in changed:
        event.reminded_at = None
    event.save()
    if any(name in changed for name in ROOM_FIELDS):
        if event.space_id:
            _hold_room(event, by=by)  # creates or moves the event's one booking
        elif old_space:
            _release_room(event, by=by)
    if any(name in changed for name in PLACE_FIELDS):
        version = f"{event.starts_at.isoformat()}|{event.space_id}|{event.updated_at.isoformat()}"
        for registration in _active_registrations(event):
            registration.event = event
            notices.event_changed(registration, version=version)
    if "capacity" in changed:
        promote_waitlisted(event=event)
    record_audit(by=by, action="programs.update_event", target=event, data={"changed": changed})
    return event


@transaction.atomic
def cancel_event(*, event: Event, reason: str, by: Any) -> Event:
    """Cancel an event: every active registrant is told why, and the room is free again.

    Registrations keep their status (they did not cancel); the event's status says it all.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "programs.reason_required", _("Say why the event is cancelled; registrants are told.")
        )
    event = _lock_event(event)
    if event.status == Event.Status.CANCELLED:
        raise _cancelled(event)
    event.status = Event.Status.CANCELLED
    event.cancel_reason = reason[:300]
    event.save(update_fields=["status", "cancel_reason", "updated_at"])
    if event.space_id:
        _release_room(event, by=by)
    registrations = _active_registrations(event)
    for registration in registrations:
        registration.event = event
        notices.event_cancelled(registration)
    record_audit(
        by=by,
        action="programs.cancel_event",
        target=event,
        data={"reason": event.cancel_reason, "registrants": len(registrations)},
    )
    return event


# --- registering ------------------------------------------------------------------------------


def _cancelled(event: Event) -> DomainError:
    return DomainError(
        "programs.event_cancelled",
        _("“%(title)s” is cancelled.") % {"title": event.display_title},
        event=event.pk,
    )


def _check_registration_open(event: Event, *, now: datetime.datetime) -> None:
    if event.status == Event.Status.CANCELLED:
        raise _cancelled(event)
    if not event.registration_required:
        raise DomainError(
            "programs.no_registration_needed",
            _("“%(title)s” is open to all: just come, no registration needed.")
            % {"title": event.display_title},
            event=event.pk,
        )
    if now >= event.ends_at:
        raise DomainError(
            "programs.event_past",
            _("“%(title)s” is over.") % {"title": event.display_title},
            event=event.pk,
        )
    if event.registration_opens_at and now < event.registration_opens_at:
        raise DomainError(
            "programs.registration_not_open",
            _("Registration opens on %(when)s.") % {"when": _when(event.registration_opens_at)},
            event=event.pk,
            opens_at=event.registration_opens_at.isoformat(),
        )
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        raise DomainError(
            "programs.registration_closed",
            _("Registration closed on %(when)s.") % {"when": _when(closes)},
            event=event.pk,
            closed_at=closes.isoformat(),
        )


def _already_registered(event: Event) -> DomainError:
    return DomainError(
        "programs.already_registered",
        _("You are already registered for “%(title)s”.") % {"title": event.display_title},
        event=event.pk,
    )


def _check_not_paused(member: Member, *, today: datetime.date) -> None:
    pause = selectors.active_pause(member, today=today)
    if pause is not None:
        raise DomainError(
            "programs.registrations_paused",
            _("Registrations are paused until %(date)s after repeated no-shows.")
            % {"date": date_format(pause.until, "j F Y")},
            until=pause.until.isoformat(),
        )


@transaction.atomic
def register(
    *,
    event: Event,
    by: Any,
    member: Member | None = None,
    guest_name: str = "",
    guest_phone: str = "",
    guest_email: str = "",
    now: datetime.datetime | None = None,
) -> Registration:
    """Register a member (or a guest with a name and a WhatsApp number or e-mail).

    Confirmed while a seat is free (capacity counts confirmed and attended
    registrations; no capacity means no limit), otherwise on the waitlist.
    The event's row is locked first, so registrations are decided one at a
    time and in the order of their ``registered_at``.
    """
    event = _lock_event(event)
    # Read the clock only once the lock is ours: the order of registered_at is
    # then the order in which seats were given out.
    now = _now(now)
    today = timezone.localdate(now)
    _check_registration_open(event, now=now)
    registration = Registration(event=event, registered_at=now, registered_by=_person(by))
    if member is not None:
        _check_not_paused(member, today=today)
        active = Registration.objects.filter(event=event, member=member).exclude(
            status=Registration.Status.CANCELLED
        )
        if active.exists():
            raise _already_registered(event)
        registration.member = member
    else:
        name = " ".join((guest_name or "").split())
        key = policies.guest_key(phone=guest_phone, email=guest_email)
        if not name or not key:
            raise DomainError(
                "programs.guest_contact_required",
                _("Give your name and a WhatsApp number or an e-mail address."),
            )
        if (
            Registration.objects.filter(event=event, guest_key=key)
            .exclude(status=Registration.Status.CANCELLED)
            .exists()
        ):
            raise _already_registered(event)
        registration.guest_name = name[:200]
        registration.guest_phone = (guest_phone or "").strip()[:30]
        registration.guest_email = (guest_email or "").strip()[:254]
        registration.guest_key = key
    registration.status = policies.seat_status(
        taken=selectors.seats_taken(event), capacity=event.capacity
    )
    registration.token = _new_token()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # The partial unique constraints: a registration made between our check and our insert.
        raise _already_registered(event) from None
    notices.registration_received(registration)
    if member is not None and _person(by) is not None and member.user_id != by.pk:
        _audit_staff(by, "programs.register", registration, {"status": registration.status})
    return registration


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def register_for_series(
    *, program: Program, member: Member, by: Any, now: datetime.datetime | None = None
) -> list[Registration]:
    """Register a member for every future session of a program that takes registrations now.

    Sessions the member is registered for already, and sessions whose
    registration is not open (yet) are skipped; full ones put them on the
    waitlist. A pause refuses the whole series. Returns the new registrations.
    """
    now = _now(now)
    _check_not_paused(member, today=timezone.localdate(now))
    already = set(
        Registration.objects.filter(event__program=program, member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("event_id", flat=True)
    )
    events = Event.objects.filter(
        program=program,
        status=Event.Status.SCHEDULED,
        registration_required=True,
        starts_at__gt=now,
    ).order_by("starts_at", "id")
    registered = []
    for event in events:
        if event.pk in already:
            continue
        try:
            registered.append(register(event=event, member=member, by=by, now=now))
        except DomainError as error:
            if error.code not in {
                "programs.registration_not_open",
                "programs.registration_closed",
                "programs.already_registered",
            }:
                raise
    return registered


@transaction.atomic
def cancel_registration(
    *, registration: Registration, by: Any, now: datetime.datetime | None = None
) -> Registration:
    """Cancel a confirmed or waitlisted registration; a freed seat goes to the first in line.

    Cancelling a cancelled registration again changes nothing (a double click).
    """
    event = _lock_event(registration.event)
    registration = _lock_registration(registration)
    registration.event = event
    if registration.status == Registration.Status.CANCELLED:
        return registration
    now = _now(now)
    if registration.status in Registration.ACTIVE and now >= event.starts_at:
        raise DomainError(
            "programs.event_past",
            _("“%(title)s” has begun; the registration can no longer be cancelled.")
            % {"title": event.display_title},
            event=event.pk,
        )
    freed_seat = registration.status == Registration.Status.CONFIRMED
    _set_status(registration, Registration.Status.CANCELLED)
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    notices.registration_cancelled(registration)
    _audit_staff(by, "programs.cancel_registration", registration)
    if freed_seat:
        promote_waitlisted(event=event, now=now)
    return registration


@transaction.atomic
def promote_waitlisted(*, event: Event, now: datetime.datetime | None = None) -> list[Registration]:
    """Give every free seat to the waitlist in order (registered_at, id); each promoted person
    is told. Nothing for a cancelled event or one that has ended."""
    event = _lock_event(event)
    now = _now(now)
    if event.status == Event.Status.CANCELLED or now >= event.ends_at:
        return []
    free = policies.seats_left(taken=selectors.seats_taken(event), capacity=event.capacity)
    waiting = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("member", "member__user")
        .filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("registered_at", "id")
    )
    if free is not None:
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = []
    for registration in waiting:
        _set_status(registration, Registration.Status.CONFIRMED)
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        registration.event = event
        notices.promoted(registration)
        promoted.append(registration)
    return promoted


# --- attendance -------------------------------------------------------------------------------


def _attend(registration: Registration, *, now: datetime.datetime) -> None:
    _set_status(registration, Registration.Status.ATTENDED)
    registration.attended_at = now
    registration.save(update_fields=["status", "attended_at", "updated_at"])


@transaction.atomic
def check_in(
    *, token: str, event: Event, by: Any, now: datetime.datetime | None = None
) -> Registration:
    """The QR code (the registration's token) scanned at the door of ``event``.

    Scanning someone who is in already answers with their registration again.
    """
    now = _now(now)
    found = selectors.access_registration_by_token((token or "").strip())
    registration = _lock_registration(found)
    registration.event = found.event
    if registration.event_id != event.pk:
        raise DomainError(
            "programs.wrong_event",
            _("This registration is for another event: %(title)s, %(when)s.")
            % {"title": found.event.display_title, "when": _when(found.event.starts_at)},
            event=registration.event_id,
        )
    if found.event.status == Event.Status.CANCELLED:
        raise _cancelled(found.event)
    if registration.status == Registration.Status.ATTENDED:
        return registration
    if registration.status not in (Registration.Status.CONFIRMED, Registration.Status.NO_SHOW):
        message = (
            _("This person is on the waitlist and has no seat.")
            if registration.status == Registration.Status.WAITLISTED
            else _("This registration was cancelled.")
        )
        raise DomainError(
            "programs.not_confirmed", message, status=registration.status, registration=found.pk
        )
    _attend(registration, now=now)
    _audit_staff(by, "programs.check_in", registration)
    return registration


@transaction.atomic
def mark_attendance(
    *, registration: Registration, attended: bool, by: Any, now: datetime.datetime | None = None
) -> Registration:
    """Tick someone present (or absent) from the staff list."""
    now = _now(now)
    registration = _lock_registration(registration)
    wanted = Registration.Status.ATTENDED if attended else Registration.Status.NO_SHOW
    if registration.status == wanted:
        return registration
    if attended:
        _attend(registration, now=now)
    else:
        _set_status(registration, Registration.Status.NO_SHOW)
        registration.save(update_fields=["status", "updated_at"])
    record_audit(
        by=by, action="programs.mark_attendance", target=registration, data={"attended": attended}
    )
    return registration


@transaction.atomic
def close_event(*, event: Event, by: Any, now: datetime.datetime | None = None) -> int:
    """After an event: confirmed people who did not come become no-shows; members who reach
    the library's no-show limit have their registrations paused (and are told). Attendees of a
    program with certificates get theirs. Returns the number of new no-shows."""
    now = _now(now)
    event = _lock_event(event)
    if event.status == Event.Status.CANCELLED:
        raise _cancelled(event)
    if now < event.ends_at:
        raise DomainError(
            "programs.event_not_over",
            _("“%(title)s” has not ended yet.") % {"title": event.display_title},
            event=event.pk,
        )
    absent = list(
        Registration.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(event=event, status=Registration.Status.CONFIRMED)
    )
    for registration in absent:
        _set_status(registration, Registration.Status.NO_SHOW)
        registration.save(update_fields=["status", "updated_at"])
    members = {registration.member for registration in absent if registration.member_id}
    for member in sorted(members, key=lambda m: m.pk):
        _pause_if_over_limit(member, now=now)
    if event.program.gives_certificate:
        issue_certificates(event=event, by=by)
    _audit_staff(by, "programs.close_event", event, {"no_shows": len(absent)})
    return len(absent)


def _pause_if_over_limit(member: Member, *, now: datetime.datetime) -> RegistrationPause | None:
    settings = selectors.program_settings()
    if settings.no_show_limit <= 0:
        return None
    today = timezone.localdate(now)
    if selectors.active_pause(member, today=today) is not None:
        return None
    since = now - NO_SHOW_WINDOW
    # A pause wipes the slate: only no-shows after the last one count towards the next.
    last_pause = RegistrationPause.objects.filter(member=member).order_by("-created_at").first()
    if last_pause is not None and last_pause.created_at > since:
        since = last_pause.created_at
    no_shows = Registration.objects.filter(
        member=member,
        status=Registration.Status.NO_SHOW,
        event__starts_at__gte=since,
        event__starts_at__lte=now,
    ).count()
    if no_shows < settings.no_show_limit:
        return None
    pause = RegistrationPause.objects.create(
        member=member,
        until=today + datetime.timedelta(days=settings.pause_days),
        reason=_("%(count)s no-shows in %(days)s days")
        % {"count": no_shows, "days": NO_SHOW_WINDOW.days},
    )
    notices.registrations_paused(pause, no_shows=no_shows)
    return pause


@transaction.atomic
def lift_pause(*, pause: RegistrationPause, by: Any) -> RegistrationPause:
    """Staff lift a pause early; the member may register again today."""
    pause = RegistrationPause.objects.select_for_update().get(pk=pause.pk)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    pause.until = min(pause.until, yesterday)
    pause.lifted_by = _person(by)
    pause.save(update_fields=["until", "lifted_by"])
    record_audit(
        by=by, action="programs.lift_pause", target=pause, data={"member": pause.member_id}
    )
    return pause


def close_past_events(*, now: datetime.datetime | None = None) -> int:
    """Close events that ended a while ago (CLOSE_AFTER) and still have confirmed registrants."""
    now = _now(now)
    events = Event.objects.filter(
        status=Event.Status.SCHEDULED,
        ends_at__lte=now - CLOSE_AFTER,
        registrations__status=Registration.Status.CONFIRMED,
    ).distinct()
    return sum(close_event(event=event, by=None, now=now) for event in events)


# --- certificates -----------------------------------------------------------------------------


@transaction.atomic
def issue_certificates(*, event: Event, by: Any = None) -> list[Certificate]:
    """Certificates for every attendee of ``event`` who has none yet; the new ones come back."""
    if not event.program.gives_certificate:
        raise DomainError(
            "programs.no_certificates",
            _("“%(title)s” does not give certificates.") % {"title": event.program.title},
            program=event.program_id,
        )
    attended = Registration.objects.filter(
        event=event, status=Registration.Status.ATTENDED, certificate__isnull=True
    ).order_by("registered_at", "id")
    return [issue_certificate(registration=registration, by=by) for registration in attended]


@transaction.atomic
def issue_certificate(*, registration: Registration, by: Any = None) -> Certificate:
    """The certificate of attendance of one attendee (the same one when asked again)."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "event__program", "member")
        .get(pk=registration.pk)
    )
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    event = registration.event
    if registration.status != Registration.Status.ATTENDED:
        raise DomainError(
            "programs.not_attended",
            _("Certificates are for those who attended."),
            registration=registration.pk,
            status=registration.status,
        )
    if not event.program.gives_certificate:
        raise DomainError(
            "programs.no_certificates",
            _("“%(title)s” does not give certificates.") % {"title": event.program.title},
            program=event.program_id,
        )
    name = registration.member.full_name if registration.member else registration.guest_name
    for _attempt in range(10):
        code = policies.new_certificate_code()
        if not Certificate.objects.filter(code=code).exists():
            break
    certificate = Certificate.objects.create(
        registration=registration,
        code=code,
        name=name[:200],
        event_title=event.display_title[:300],
        event_date=timezone.localdate(event.starts_at),
    )
    _audit_staff(by, "programs.issue_certificate", certificate)
    return certificate


# --- reminders and messages -------------------------------------------------------------------


def send_event_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind confirmed registrants of events starting within ProgramSettings.reminder_hours,
    once per event (event.reminded_at; a moved event is reminded again). Returns the number
    of registrants reminded."""
    now = _now(now)
    horizon = now + datetime.timedelta(hours=selectors.program_settings().reminder_hours)
    due = Event.objects.filter(
        status=Event.Status.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=horizon,
    ).values_list("pk", flat=True)
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            event = (
                Event.objects.select_for_update(of=("self",))
                .select_related("program", "branch", "space")
                .get(pk=pk)
            )
            if event.reminded_at is not None:
                continue  # another worker got there first
            registrations = Registration.objects.select_related("member", "member__user").filter(
                event=event, status=Registration.Status.CONFIRMED
            )
            for registration in registrations:
                registration.event = event
                notices.reminder(registration)
                reminded += 1
            event.reminded_at = now
            event.save(update_fields=["reminded_at", "updated_at"])
    return reminded


@transaction.atomic
def message_registrants(*, event: Event, subject: str, body: str, by: Any) -> int:
    """Staff write to everyone registered (confirmed, waitlisted, attended); returns how many
    people a notice was queued for."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise DomainError("programs.message_required", _("Write a subject and a message."))
    event = _lock_event(event)
    registrations = Registration.objects.select_related("member", "member__user").filter(
        event=event,
        status__in=(*Registration.ACTIVE, Registration.Status.ATTENDED),
    )
    reached = 0
    for registration in registrations:
        registration.event = event
        if notices.staff_message(registration, subject=subject[:200], body=body):
            reached += 1
    record_audit(
        by=by,
        action="programs.message_registrants",
        target=event,
        data={"subject": subject[:200], "recipients": reached},
    )
    return reached


@transaction.atomic
def update_program_settings(*, data: Any, by: Any) -> ProgramSettings:
    settings = selectors.program_settings()
    values = _values(data, SETTINGS_FIELDS)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    record_audit(by=by, action="programs.update_settings", target=settings, data=values)
    return settings
