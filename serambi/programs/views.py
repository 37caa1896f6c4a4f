"""The public events pages: calendar, program and event pages, registration, certificates.

Registration is one click for a signed-in member and a short form for a
guest; the confirmation page is reached by its secret token (the link in the
notice and the QR code at the door), so a guest needs no account. A patron's
own registrations and certificates live under /akun/kegiatan/.
"""

import datetime
from itertools import groupby

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.catalog.jsonld import json_ld_script
from serambi.circulation.patron_views import member_page
from serambi.core.errors import DomainError
from serambi.members import selectors as member_selectors

from . import selectors, services
from .forms import CalendarFilterForm, GuestRegistrationForm
from .models import Event, Program, Registration

# The list view shows this many upcoming events; the month view has the rest.
CALENDAR_LIMIT = 60
HOME_EVENTS = 4


def home_entries() -> list[dict]:
    """The next few events for the home page's "News and events" region (see web/home.html)."""
    return [
        {
            "title": event.display_title,
            "url": event.get_absolute_url(),
            "kind": _("Event"),
            "when": event.starts_at,
            "summary": event.program.summary,
        }
        for event in selectors.upcoming_events()[:HOME_EVENTS]
    ]


def _localday(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _filters(request) -> tuple[CalendarFilterForm, dict, str]:
    form = CalendarFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    query = request.GET.copy()
    query.pop("page", None)
    return form, filters, query.urlencode()


@require_safe
def calendar(request):
    """Upcoming events grouped by day, filtered by category, audience and branch."""
    form, filters, query = _filters(request)
    events = list(selectors.upcoming_events(**filters, include_cancelled=True)[:CALENDAR_LIMIT])
    days = [
        (day, list(group)) for day, group in groupby(events, key=lambda e: _localday(e.starts_at))
    ]
    today = timezone.localdate()
    return render(
        request,
        "programs/calendar.html",
        {
            "form": form,
            "days": days,
            "query": query,
            "month_url": reverse("programs:month", args=[today.year, today.month]),
            "view": "list",
        },
    )


@require_safe
def month(request, year: int, month: int):
    """A month as a table of weeks (a list of the days with events on a phone)."""
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404
    form, filters, query = _filters(request)
    month_calendar = selectors.events_in_month(year, month, filters)
    today = timezone.localdate()
    return render(
        request,
        "programs/month.html",
        {
            "form": form,
            "query": query,
            "calendar": month_calendar,
            "month_start": month_calendar.first_day,
            "today": today,
            "has_events": any(day.events for week in month_calendar.weeks for day in week),
            "previous_url": reverse(
                "programs:month", args=[month_calendar.previous.year, month_calendar.previous.month]
            ),
            "next_url": reverse(
                "programs:month", args=[month_calendar.next.year, month_calendar.next.month]
            ),
            "month_url": reverse("programs:month", args=[year, month]),
            "view": "month",
        },
    )


def _public_program(slug: str) -> Program:
    try:
        return selectors.program_for_public(slug)
    except DomainError as missing:
        raise Http404 from missing


@require_safe
def program(request, slug: str):
    program = _public_program(slug)
    events = list(selectors.upcoming_events(program=program))
    member = member_selectors.member_for_user(request.user)
    return render(
        request,
        "programs/program.html",
        {
            "program": program,
            "events": events,
            "member": member,
            "can_register_series": program.is_series
            and any(event.registration_required for event in events),
            "partners": [p.strip() for p in program.partners.split(",") if p.strip()],
        },
    )


@require_POST
def register_series(request, slug: str):
    program = _public_program(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(program.get_absolute_url())
    member = member_selectors.member_for_user(request.user)
    if member is None:
        return render(request, "circulation/account/no_member.html")
    try:
        registrations = services.register_for_series(
            program=program, member=member, by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(program)
    if registrations:
        messages.success(
            request,
            _("You are registered for %(count)s sessions of “%(title)s”.")
            % {"count": len(registrations), "title": program.title},
        )
    else:
        messages.warning(request, _("There is no session left to register for."))
    return redirect("programs:my_events")


def _event_json_ld(event: Event, *, url: str, image: str, seats: int | None) -> dict:
    """schema.org Event, as search engines and chat apps read it."""
    in_person = bool(event.branch_id or event.location)
    if event.online_url:
        mode = "MixedEventAttendanceMode" if in_person else "OnlineEventAttendanceMode"
    else:
        mode = "OfflineEventAttendanceMode"
    location: list[dict] = []
    if event.branch_id:
        place = {"@type": "Place", "name": event.branch.name}
        if event.space_id:
            place["name"] = f"{event.space.name}, {event.branch.name}"
        if event.branch.address:
            place["address"] = event.branch.address
        location.append(place)
    elif event.location:
        location.append({"@type": "Place", "name": event.location, "address": event.location})
    if event.online_url:
        location.append({"@type": "VirtualLocation", "url": event.online_url})
    status = (
        "https://schema.org/EventCancelled"
        if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled"
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.display_title,
        "description": event.program.summary,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": f"https://schema.org/{mode}",
        "url": url,
        "isAccessibleForFree": True,
        "organizer": {"@type": "Organization", "name": settings.LIBRARY_NAME},
    }
    if location:
        data["location"] = location[0] if len(location) == 1 else location
    if image:
        data["image"] = [image]
    if event.program.facilitator:
        data["performer"] = {"@type": "Person", "name": event.program.facilitator}
    if event.registration_required and seats is not None:
        data["remainingAttendeeCapacity"] = seats
    return data


def _own_registration(event: Event, member) -> Registration | None:
    if member is None:
        return None
    for registration in selectors.my_registrations(member):
        if registration.event_id == event.pk and registration.status in Registration.ACTIVE:
            return registration
    return None


def _event_page(request, event: Event, *, guest_form=None, status: int = 200):
    url = request.build_absolute_uri(event.get_absolute_url())
    image = request.build_absolute_uri(event.program.poster.url) if event.program.poster else ""
    seats = selectors.seats_left(event)
    member = member_selectors.member_for_user(request.user)
    description = Truncator(strip_tags(event.program.summary)).chars(200)
    return render(
        request,
        "programs/event.html",
        {
            "event": event,
            "program": event.program,
            "seats_left": seats,
            "is_cancelled": event.status == Event.Status.CANCELLED,
            "is_past": event.ends_at <= timezone.now(),
            "member": member,
            "registration": _own_registration(event, member),
            "guest_form": guest_form or GuestRegistrationForm(),
            "canonical_url": url,
            "og_image": image,
            "og_description": description,
            "json_ld": json_ld_script(_event_json_ld(event, url=url, image=image, seats=seats)),
        },
        status=status,
    )


def _public_event(pk: int) -> Event:
    try:
        event = selectors.event_for_public(pk)
    except DomainError as missing:
        raise Http404 from missing
    if event is None:
        raise Http404
    return event


@require_safe
def event(request, pk: int):
    return _event_page(request, _public_event(pk))


@require_POST
def register(request, pk: int):
    """One click for a signed-in member; the guest form for everyone else."""
    event = _public_event(pk)
    member = member_selectors.member_for_user(request.user)
    by = request.user if request.user.is_authenticated else None
    guest_form = None
    try:
        if member is not None:
            registration = services.register(event=event, by=by, member=member)
        else:
            guest_form = GuestRegistrationForm(request.POST)
            if not guest_form.is_valid():
                return _event_page(request, event, guest_form=guest_form, status=422)
            registration = services.register(event=event, by=by, **guest_form.cleaned_data)
    except DomainError as error:
        if guest_form is not None:
            guest_form.add_error(None, error.message)
            return _event_page(request, event, guest_form=guest_form, status=422)
        messages.error(request, error.message)
        return redirect(event)
    if registration.status == Registration.Status.WAITLISTED:
        messages.warning(request, _("The event is full: you are on the waitlist."))
    else:
        messages.success(request, _("You are registered. See you there!"))
    return redirect("programs:registration", token=registration.token)


def _registration(token: str) -> Registration:
    try:
        registration = selectors.access_registration_by_token(token)
    except DomainError as missing:
        raise Http404 from missing
    if registration is None:
        raise Http404
    return registration


def _qr_svg(token: str) -> str:
    """The token as an inline SVG QR code, for the door's scanner."""
    return segno.make(token, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


@require_safe
def registration(request, token: str):
    """The confirmation: status, waitlist place, the QR code for the door, a cancel button."""
    registration = _registration(token)
    is_waitlisted = registration.status == Registration.Status.WAITLISTED
    return render(
        request,
        "programs/registration.html",
        {
            "registration": registration,
            "event": registration.event,
            "position": selectors.waitlist_position(registration) if is_waitlisted else None,
            "qr_svg": mark_safe(_qr_svg(registration.token))  # noqa: S308 - segno's own SVG
            if registration.status == Registration.Status.CONFIRMED
            else "",
            "can_cancel": registration.status in Registration.ACTIVE
            and registration.event.starts_at > timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def cancel_registration(request, token: str):
    """The link in the notice asks first (GET); the button cancels (POST)."""
    registration = _registration(token)
    if request.method == "GET":
        return render(
            request,
            "programs/cancel_registration.html",
            {"registration": registration, "event": registration.event},
        )
    try:
        services.cancel_registration(
            registration=registration,
            by=request.user if request.user.is_authenticated else None,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your registration is cancelled. Your seat goes to the next person.")
        )
    return redirect("programs:registration", token=registration.token)


@require_safe
def verify(request, code: str):
    """Anyone can check a certificate's code: the name, event and date, or "not found"."""
    certificate = selectors.verify_certificate(code.strip())
    return render(
        request,
        "programs/verify.html",
        {"certificate": certificate, "code": code},
        status=200 if certificate else 404,
    )


@require_safe
@member_page
def my_events(request, member):
    now = timezone.now()
    registrations = list(selectors.my_registrations(member))
    return render(
        request,
        "programs/account/events.html",
        {
            "member": member,
            "upcoming": [r for r in registrations if r.event.ends_at > now],
            "past": [r for r in registrations if r.event.ends_at <= now],
            "certificates": list(selectors.my_certificates(member)),
            "active": Registration.ACTIVE,
            "section": "events",
        },
    )


@require_safe
@member_page
def certificate_pdf(request, member, code: str):
    """One's own certificate as a PDF; someone else's code is "not found"."""
    from . import certificates

    certificate = next((c for c in selectors.my_certificates(member) if c.code == code), None)
    if certificate is None:
        raise Http404
    response = HttpResponse(
        certificates.certificate_pdf(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{certificate.code}.pdf"'
    return response
