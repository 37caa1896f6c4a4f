"""The demo library's creative space and its season of programs and events.

Rooms and equipment are made when missing (by their short names). The season
is written once, when the demo has no programs yet, through the programs and
spaces services with the clock of each act set back (``now=``): past events
with their registrations, check-ins at the door, no-shows and certificates;
coming events open for registration, some full with a waitlist; a series
under way; and members' room bookings over the past and the coming week
(used, not turned up for, confirmed, waiting for approval).

Days are counted from the day of loading and moved to the next (or, for the
past, the previous) day the branch is open on the wanted weekday, so the
calendar looks alive whatever day the demo is started.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from serambi.accounts.models import User
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.members.models import Member, MemberCategory
from serambi.programs import services as programs
from serambi.programs.models import Event, Program, Registration
from serambi.spaces import services as spaces
from serambi.spaces.models import Booking, Equipment, Space

from .library import (
    BOOKINGS,
    EQUIPMENT,
    EVENT_GUESTS,
    EVENTS,
    PROGRAMS,
    SPACES,
    DemoBooking,
    DemoEvent,
)

ONE_DAY = datetime.timedelta(days=1)
# A day that cannot be used is tried again on the next one, this many times.
DAY_TRIES = 7


@dataclass
class ProgramsReport:
    spaces: int = 0
    spaces_created: int = 0
    equipment: int = 0
    equipment_created: int = 0
    programs: int = 0
    past_events: int = 0
    coming_events: int = 0
    registrations: int = 0
    waitlisted: int = 0
    certificates: int = 0
    coming_bookings: int = 0
    requested_bookings: int = 0
    skipped: list[str] = field(default_factory=list)


def load_demo_programs(
    *,
    branches: dict[str, Branch],
    demo_members: dict[str, Member],
    today: datetime.date,
    by: User,
    desk: User,
    now: datetime.datetime | None = None,
) -> ProgramsReport:
    """The rooms and equipment, then (once) the season of events and the rooms' bookings.

    ``by`` is the programmes coordinator who schedules events, checks people in
    at the door and decides on bookings; ``desk`` registers members who have no
    account of their own.
    """
    report = ProgramsReport()
    now = now or timezone.now()
    with transaction.atomic():
        rooms = _ensure_spaces(report, branches=branches)
    if not Program.objects.exists():
        _write_season(report, branches, demo_members, rooms, today=today, now=now, by=by, desk=desk)
    if not Booking.objects.filter(member__isnull=False).exists():
        _write_bookings(report, demo_members, rooms, today=today, now=now, by=by, desk=desk)
        # What the background tasks would have done since: released the no-show,
        # closed the used bookings and the past events' room holds.
        spaces.release_no_shows(now=now)
        spaces.complete_past_bookings(now=now)
    _count(report, now=now)
    return report


def _count(report: ProgramsReport, *, now: datetime.datetime) -> None:
    report.spaces = Space.objects.count()
    report.equipment = Equipment.objects.count()
    events = Event.objects.filter(status=Event.Status.SCHEDULED)
    report.programs = Program.objects.count()
    report.past_events = events.filter(ends_at__lte=now).count()
    report.coming_events = events.filter(ends_at__gt=now).count()
    report.registrations = Registration.objects.exclude(
        status=Registration.Status.CANCELLED
    ).count()
    report.waitlisted = Registration.objects.filter(
        status=Registration.Status.WAITLISTED, event__ends_at__gt=now
    ).count()
    report.certificates = Registration.objects.filter(certificate__isnull=False).count()
    coming = Booking.objects.filter(member__isnull=False, ends_at__gt=now)
    report.coming_bookings = coming.filter(status__in=Booking.HOLDING).count()
    report.requested_bookings = coming.filter(status=Booking.Status.REQUESTED).count()


# --- rooms and equipment ---------------------------------------------------------------


def _ensure_spaces(report: ProgramsReport, *, branches: dict[str, Branch]) -> dict[str, Space]:
    """Rooms by slug and equipment by name, made when missing.

    The spaces app has no service that creates a room (its staff edit rooms
    in the admin), so the demo writes these rows itself, as it does copies.
    """
    rooms = {space.slug: space for space in Space.objects.filter(slug__in=[s.slug for s in SPACES])}
    categories = {category.code: category for category in MemberCategory.objects.all()}
    for spec in SPACES:
        if spec.slug in rooms:
            continue
        space = Space.objects.create(
            branch=branches[spec.branch],
            name=spec.name,
            slug=spec.slug,
            kind=spec.kind,
            capacity=spec.capacity,
            description=spec.description,
            features="\n".join(spec.features),
            accessibility=spec.accessibility,
            slot_minutes=spec.slot_minutes,
            min_minutes=spec.min_minutes,
            max_minutes=spec.max_minutes,
            book_ahead_days=spec.book_ahead_days,
            buffer_minutes=spec.buffer_minutes,
            max_hours_per_week=spec.max_hours_per_week,
            max_bookings_per_week=spec.max_bookings_per_week,
            requires_approval=spec.requires_approval,
        )
        space.categories.set([categories[code] for code in spec.categories])
        rooms[spec.slug] = space
        report.spaces_created += 1
    existing = set(
        Equipment.objects.filter(name__in=[e.name for e in EQUIPMENT]).values_list(
            "branch__code", "name"
        )
    )
    for piece in EQUIPMENT:
        if (piece.branch, piece.name) in existing:
            continue
        Equipment.objects.create(
            branch=branches[piece.branch],
            name=piece.name,
            description=piece.description,
            space=rooms[piece.space] if piece.space else None,
            bookable_alone=piece.bookable_alone,
        )
        report.equipment_created += 1
    return rooms


# --- days and times --------------------------------------------------------------------


def _time(text: str) -> datetime.time:
    hours, minutes = text.split(".")
    return datetime.time(int(hours), int(minutes))


def _at(day: datetime.date, text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, _time(text)))


def _days_from(today: datetime.date, days: int) -> Iterator[datetime.date]:
    """``today + days``, then onwards (or backwards for the past), never reaching today."""
    step = ONE_DAY if days > 0 else -ONE_DAY
    day = today + datetime.timedelta(days=days)
    while True:
        yield day
        day += step


def _event_day(spec: DemoEvent, branch: Branch, today: datetime.date) -> datetime.date:
    """The first day from ``spec.days`` on its weekday when the branch is open
    (any such day for an event outside the library)."""
    for day in _days_from(today, spec.days):
        if day.weekday() == spec.weekday and (spec.location or branch.is_open_on(day)):
            return day
    raise AssertionError("unreachable")  # pragma: no cover


# --- the season of events -----------------------------------------------------------------


def _write_season(
    report: ProgramsReport,
    branches: dict[str, Branch],
    demo_members: dict[str, Member],
    rooms: dict[str, Space],
    *,
    today: datetime.date,
    now: datetime.datetime,
    by: User,
    desk: User,
) -> None:
    made = {}
    for spec in PROGRAMS:
        made[spec.slug] = programs.create_program(
            data={
                "title": spec.title,
                "category": spec.category,
                "audience": spec.audience,
                "min_age": spec.min_age,
                "max_age": spec.max_age,
                "summary": spec.summary,
                "description": spec.description,
                "partners": spec.partners,
                "facilitator": spec.facilitator,
                "is_series": spec.is_series,
                "is_published": True,
                "gives_certificate": spec.gives_certificate,
            },
            by=by,
        )
    guests = _guests()
    for spec in EVENTS:
        try:
            events = _schedule(spec, made[spec.program], branches, rooms, today=today, by=by)
        except DomainError as error:
            report.skipped.append(f"event {spec.program} ({spec.days}): {error.code}")
            continue
        if spec.series:
            _register_for_series(report, spec, made[spec.program], demo_members, now=now, desk=desk)
        for number, event in enumerate(events):
            _play_event(
                report,
                spec,
                event,
                demo_members,
                guests,
                first=number == 0,
                now=now,
                by=by,
                desk=desk,
            )


def _schedule(
    spec: DemoEvent,
    program: Program,
    branches: dict[str, Branch],
    rooms: dict[str, Space],
    *,
    today: datetime.date,
    by: User,
) -> list[Event]:
    branch = branches[spec.branch]
    day = _event_day(spec, branch, today)
    data: dict[str, Any] = {
        "title": spec.title,
        "starts_at": _at(day, spec.starts),
        "ends_at": _at(day, spec.ends),
        "branch": branch,
        "space": rooms[spec.space] if spec.space else None,
        "location": spec.location,
        "online_url": spec.online_url,
        "capacity": spec.capacity,
        "registration_required": spec.registration_required,
        "accessibility": spec.accessibility,
    }
    if spec.sessions == 1:
        return programs.schedule_event(program=program, data=data, by=by)
    until = day + datetime.timedelta(weeks=spec.sessions - 1)
    try:
        return programs.schedule_event(
            program=program, data=data, by=by, repeat="weekly", until=until
        )
    except DomainError:
        # A session falls on a closed day or a taken room: the others are held one by one.
        events = []
        for week in range(spec.sessions):
            moved = datetime.timedelta(weeks=week)
            session = {
                **data,
                "starts_at": data["starts_at"] + moved,
                "ends_at": data["ends_at"] + moved,
            }
            if spec.space and not branch.is_open_on(day + moved):
                continue
            try:
                events += programs.schedule_event(program=program, data=session, by=by)
            except DomainError:
                continue
        return events


def _guests() -> Iterator[tuple[str, str]]:
    """Guests in turn, round and round: each event gets the next few."""
    while True:
        yield from EVENT_GUESTS


def _actor(member: Member, desk: User) -> User:
    """Who registered: the member online when they have an account, else the desk for them."""
    return member.user if member.user_id else desk


def _register_for_series(
    report: ProgramsReport,
    spec: DemoEvent,
    program: Program,
    demo_members: dict[str, Member],
    *,
    now: datetime.datetime,
    desk: User,
) -> None:
    for offset, card in enumerate(spec.members):
        member = demo_members[card]
        try:
            programs.register_for_series(
                program=program,
                member=member,
                by=_actor(member, desk),
                now=now - datetime.timedelta(days=2) + datetime.timedelta(minutes=offset),
            )
        except DomainError as error:
            report.skipped.append(f"series {program.slug} for {card}: {error.code}")


def _play_event(
    report: ProgramsReport,
    spec: DemoEvent,
    event: Event,
    demo_members: dict[str, Member],
    guests: Iterator[tuple[str, str]],
    *,
    first: bool,
    now: datetime.datetime,
    by: User,
    desk: User,
) -> None:
    """Registrations in order (members, guests, the latecomers), cancellations, and for a
    past event the check-ins at the door and the closing (no-shows, certificates)."""
    if not event.registration_required or event.starts_at <= now - datetime.timedelta(days=60):
        return
    # Registrations open some days before; a coming event's come in up to now.
    start = min(event.starts_at - datetime.timedelta(days=5), now - datetime.timedelta(days=2))
    moments = (start + datetime.timedelta(minutes=37 * n) for n in range(1000))
    registrations: dict[Registration, bool] = {}  # each with whether they come

    def register(*, absent: bool, **who: Any) -> None:
        try:
            registration = programs.register(event=event, now=next(moments), **who)
        except DomainError as error:
            report.skipped.append(f"register for event {event.pk}: {error.code}")
            return
        registrations[registration] = not absent

    def register_members(cards: tuple[str, ...]) -> None:
        for card in cards:
            member = demo_members[card]
            absent = card in spec.absent and first
            register(member=member, by=_actor(member, desk), absent=absent)

    register_members(() if spec.series else spec.members)
    for number in range(spec.guests):
        name, phone = next(guests)
        absent = "guest" in spec.absent and number % 3 == 2
        register(guest_name=name, guest_phone=phone, by=None, absent=absent)
    register_members(spec.late)
    for card in spec.cancels:
        registration = next(
            (r for r in registrations if r.member_id == demo_members[card].pk), None
        )
        if registration is not None:
            programs.cancel_registration(
                registration=registration, by=_actor(demo_members[card], desk), now=next(moments)
            )
    if event.ends_at > now:
        return
    # Past: those who came are scanned in at the door; closing marks the rest absent.
    arrivals = (event.starts_at - datetime.timedelta(minutes=20 - n) for n in range(1000))
    for registration, comes in registrations.items():
        registration.refresh_from_db(fields=["status"])
        if comes and registration.status == Registration.Status.CONFIRMED:
            programs.check_in(token=registration.token, event=event, by=by, now=next(arrivals))
    programs.close_event(event=event, by=by, now=event.ends_at + datetime.timedelta(hours=1))


# --- members' bookings ---------------------------------------------------------------------


def _write_bookings(
    report: ProgramsReport,
    demo_members: dict[str, Member],
    rooms: dict[str, Space],
    *,
    today: datetime.date,
    now: datetime.datetime,
    by: User,
    desk: User,
) -> None:
    equipment = {piece.name: piece for piece in Equipment.objects.all()}
    for spec in BOOKINGS:
        booking = _book(report, spec, demo_members[spec.card], rooms, equipment, today, now, desk)
        if booking is None:
            continue
        try:
            if spec.outcome == "used":
                spaces.check_in_booking(
                    booking=booking,
                    by=by,
                    now=booking.starts_at + datetime.timedelta(minutes=5),
                )
            elif spec.outcome == "approved":
                spaces.approve_booking(booking=booking, by=by, now=now)
        except DomainError as error:
            report.skipped.append(f"{spec.outcome} booking {booking.pk}: {error.code}")


def _book(
    report: ProgramsReport,
    spec: DemoBooking,
    member: Member,
    rooms: dict[str, Space],
    equipment: dict[str, Equipment],
    today: datetime.date,
    now: datetime.datetime,
    desk: User,
) -> Booking | None:
    """The booking on the first day from ``spec.days`` it can be made (an open day, the room
    free); a past one as booked the day before it."""
    error: DomainError | None = None
    for _try, day in zip(range(DAY_TRIES), _days_from(today, spec.days), strict=False):
        starts_at = _at(day, spec.starts)
        try:
            return spaces.book_space(
                space=rooms[spec.space],
                member=member,
                starts_at=starts_at,
                ends_at=_at(day, spec.ends),
                by=_actor(member, desk),
                equipment=[equipment[name] for name in spec.equipment],
                purpose=spec.purpose,
                people=spec.people,
                organisation=spec.organisation,
                accommodations=spec.accommodations,
                now=min(now, starts_at - ONE_DAY),
            )
        except DomainError as refused:
            error = refused
    report.skipped.append(f"booking {spec.space} for {spec.card}: {error and error.code}")
    return None
