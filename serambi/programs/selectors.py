"""Reads for programs: the public calendar, seats and waitlists, a person's registrations.

Public reads show only events of published programs. ``access_*`` helpers
fetch one object and answer "not found" when it is not the asker's.
"""

import calendar
import datetime
import re
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.members.models import Member

from . import policies
from .models import (
    Certificate,
    Event,
    Program,
    ProgramSettings,
    Registration,
    RegistrationPause,
)
from .types import CalendarDay, EventFilters, MonthCalendar

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Registrations that hold a seat: the seat stays taken by someone who came.
SEAT_HOLDING = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


def program_settings() -> ProgramSettings:
    settings, _created = ProgramSettings.objects.get_or_create(pk=1)
    return settings


def seats_taken(event: Event) -> int:
    """Seats held now (confirmed or attended); an annotated list row answers without a query."""
    annotated = getattr(event, "seats_taken", None)
    if annotated is not None:
        return annotated
    return Registration.objects.filter(event=event, status__in=SEAT_HOLDING).count()


def seats_left(event: Event) -> int | None:
    """Free seats, or None for an event without a limit."""
    if event.capacity is None:
        return None
    return policies.seats_left(taken=seats_taken(event), capacity=event.capacity)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not on the waitlist."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=Registration.Status.WAITLISTED,
    ).count()
    return ahead + 1


def _with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("program", "branch", "space").annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_HOLDING))
    )


def _filtered(events: QuerySet[Event], filters: EventFilters | dict | None) -> QuerySet[Event]:
    if filters is None:
        return events
    if isinstance(filters, dict):
        filters = EventFilters(**{k: v for k, v in filters.items() if v not in (None, "")})
    if filters.category:
        events = events.filter(program__category=filters.category)
    if filters.audience:
        events = events.filter(program__audience=filters.audience)
    if filters.branch:
        events = events.filter(branch_id=getattr(filters.branch, "pk", filters.branch))
    if filters.program:
        events = events.filter(program_id=getattr(filters.program, "pk", filters.program))
    return events


def public_events(*, include_cancelled: bool = True) -> QuerySet[Event]:
    """Every event of a published program (cancelled ones too: people should learn of it)."""
    events = Event.objects.filter(program__is_published=True)
    if not include_cancelled:
        events = events.filter(status=Event.Status.SCHEDULED)
    return _with_seats(events)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def upcoming_events(
    *,
    category: str = "",
    audience: str = "",
    branch: Any = None,
    program: Any = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_cancelled: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Event]:
    """Events not over yet, or those starting from ``start`` through ``end`` (local dates),
    soonest first, with ``seats_taken`` annotated for :func:`seats_left`."""
    filters = EventFilters(
        category=category or "",
        audience=audience or "",
        branch=getattr(branch, "pk", branch),
        program=getattr(program, "pk", program),
    )
    events = _filtered(public_events(include_cancelled=include_cancelled), filters)
    if start is None:
        events = events.filter(ends_at__gt=now or timezone.now())
    else:
        events = events.filter(starts_at__gte=_day_start(start))
    if end is not None:
        events = events.filter(starts_at__lt=_day_start(end + datetime.timedelta(days=1)))
    return events.order_by("starts_at", "id")


def events_in_month(
    year: int, month: int, filters: EventFilters | dict | None = None
) -> MonthCalendar:
    """The month view: whole weeks (Monday first) with each day's public events, cancelled too."""
    weeks_of_days = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    first, last = weeks_of_days[0][0], weeks_of_days[-1][-1]
    events = _filtered(public_events(), filters).filter(
        starts_at__gte=_day_start(first),
        starts_at__lt=_day_start(last + datetime.timedelta(days=1)),
    )
    by_day: dict[datetime.date, list[Event]] = {}
    for event in events.order_by("starts_at", "id"):
        by_day.setdefault(timezone.localdate(event.starts_at), []).append(event)
    weeks = [
        [
            CalendarDay(day=day, in_month=day.month == month, events=by_day.get(day, []))
            for day in week
        ]
        for week in weeks_of_days
    ]
    first_of_month = datetime.date(year, month, 1)
    previous = (first_of_month - datetime.timedelta(days=1)).replace(day=1)
    following = (first_of_month + datetime.timedelta(days=31)).replace(day=1)
    return MonthCalendar(year=year, month=month, weeks=weeks, previous=previous, next=following)


def event_for_public(pk: Any) -> Event:
    """One event of a published program, for its public page."""
    try:
        return public_events().get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise DomainError(
            "programs.event_not_found", _("There is no such event."), event=str(pk)[:20]
        ) from None


def event_for_staff(pk: Any) -> Event:
    """Any event (drafts and cancelled ones too), for the staff pages."""
    try:
        return _with_seats(Event.objects.all()).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise DomainError(
            "programs.event_not_found", _("There is no such event."), event=str(pk)[:20]
        ) from None


def _registrations() -> QuerySet[Registration]:
    return Registration.objects.select_related(
        "event", "event__program", "event__branch", "event__space", "member"
    )


def my_registrations(member: Member, *, upcoming: bool | None = None) -> QuerySet[Registration]:
    """A member's registrations by event date (``upcoming``: only events not over / only past)."""
    registrations = _registrations().filter(member=member)
    now = timezone.now()
    if upcoming is True:
        registrations = registrations.filter(event__ends_at__gt=now)
    elif upcoming is False:
        registrations = registrations.filter(event__ends_at__lte=now)
    return registrations.order_by("event__starts_at", "id")


def my_certificates(member: Member) -> QuerySet[Certificate]:
    return Certificate.objects.select_related(
        "registration", "registration__event", "registration__event__program"
    ).filter(registration__member=member)


def access_registration_by_token(token: str) -> Registration:
    """The registration whose secret token this is (from a cancel link or a QR code)."""
    # Tokens are URL-safe base 64; anything else (a NUL byte PostgreSQL refuses) is no token.
    valid = isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None
    registration = _registrations().filter(token=token).first() if valid else None
    if registration is None:
        raise DomainError("programs.registration_not_found", _("There is no such registration."))
    return registration


def access_registration(pk: Any, *, member: Member | None) -> Registration:
    """A registration of ``member``'s own (API: delete my registration)."""
    registration = None
    if member is not None:
        try:
            registration = _registrations().filter(pk=pk, member=member).first()
        except (ValueError, TypeError):
            registration = None
    if registration is None:
        raise DomainError(
            "programs.registration_not_found",
            _("There is no such registration."),
            registration=str(pk)[:20],
        )
    return registration


def registrations_for(event: Event) -> QuerySet[Registration]:
    """The staff list: seated people (confirmed, attended, no-show) first, then the waitlist in
    order, then cancellations; each group by the moment of registering."""
    group = Case(
        When(status=Registration.Status.WAITLISTED, then=Value(1)),
        When(status=Registration.Status.CANCELLED, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Registration.objects.select_related("member", "registered_by")
        .filter(event=event)
        .annotate(group=group)
        .order_by("group", "registered_at", "id")
    )


def active_pause(member: Member, *, today: datetime.date | None = None) -> RegistrationPause | None:
    """The pause keeping ``member`` from registering today, if any."""
    today = today or timezone.localdate()
    return (
        RegistrationPause.objects.filter(member=member, until__gte=today).order_by("-until").first()
    )


def verify_certificate(code: str) -> Certificate | None:
    """The certificate with this code (any case, spaces and dashes ignored), or None."""
    cleaned = policies.clean_certificate_code(code)
    if not cleaned:
        return None
    return (
        Certificate.objects.select_related("registration__event__program")
        .filter(code=cleaned)
        .first()
    )


def program_for_public(slug: str) -> Program:
    """A published program by its address name; DomainError when there is none."""
    program = Program.objects.filter(slug=slug, is_published=True).first()
    if program is None:
        raise DomainError("programs.program_not_found", _("There is no such program."))
    return program


def staff_programs() -> QuerySet[Program]:
    return Program.objects.order_by("title")


def with_seat_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """``seats_taken`` and ``waitlisted`` on each event, counted in the same query."""
    return _with_seats(events).annotate(
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
        ),
    )


def staff_events(*, since: datetime.datetime, limit: int = 100) -> QuerySet[Event]:
    """Events ending after ``since``, soonest first, with their seat counts."""
    events = Event.objects.filter(ends_at__gte=since)
    return with_seat_counts(events).order_by("starts_at", "id")[:limit]
