"""The staff pages for programs and events, under /staf/kegiatan/.

Each view parses a form, calls one service and renders or redirects; a
refusal of the library's rules (a room taken, an event already over) is
shown on the page as the service worded it.
"""

import datetime
from io import BytesIO

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from serambi.accounts.access import workspace_required
from serambi.core.errors import DomainError

from . import exports, selectors, services
from .forms import CancelEventForm, CheckInForm, EventForm, MessageForm, ProgramForm
from .models import Event, Program, Registration

# The staff list shows events from this many days back.
RECENT_DAYS = 14


def _posted(request):
    """The POST data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _event(pk: int) -> Event:
    try:
        return selectors.event_for_staff(pk)
    except DomainError as missing:
        raise Http404 from missing


@workspace_required("programs.view_event")
@require_safe
def index(request):
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    events = selectors.staff_events(since=since)
    return render(
        request,
        "programs/staff/index.html",
        {
            "programs": selectors.staff_programs(),
            "events": [(event, selectors.seats_left(event)) for event in events],
            "now": timezone.now(),
        },
    )


@workspace_required("programs.view_program")
@require_safe
def program_detail(request, pk: int):
    program = get_object_or_404(Program, pk=pk)
    events = selectors.with_seat_counts(
        program.events.select_related("branch", "space").order_by("starts_at")
    )
    return render(
        request,
        "programs/staff/program.html",
        {"program": program, "events": events, "now": timezone.now()},
    )


@workspace_required("programs.add_program")
@require_http_methods(["GET", "POST"])
def program_create(request):
    return _program_form(request, None)


@workspace_required("programs.change_program")
@require_http_methods(["GET", "POST"])
def program_update(request, pk: int):
    return _program_form(request, get_object_or_404(Program, pk=pk))


def _program_form(request, program: Program | None):
    form = ProgramForm(_posted(request), _files(request), instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            if program is None:
                program = services.create_program(data=form.cleaned_data, by=request.user)
            else:
                program = services.update_program(
                    program=program, data=form.cleaned_data, by=request.user
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The program “%(title)s” is saved.") % {"title": program})
            return redirect("programs_staff:program", pk=program.pk)
    return render(request, "programs/staff/program_form.html", {"form": form, "program": program})


@workspace_required("programs.add_event")
@require_http_methods(["GET", "POST"])
def event_create(request, program_pk: int):
    program = get_object_or_404(Program, pk=program_pk)
    form = EventForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            events = services.schedule_event(
                program=program,
                data=form.event_data(),
                by=request.user,
                repeat=form.cleaned_data.get("repeat") or "",
                until=form.cleaned_data.get("until"),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(count)s sessions scheduled.") % {"count": len(events)}
                if len(events) != 1
                else _("The session is scheduled."),
            )
            return redirect("programs_staff:program", pk=program.pk)
    return render(
        request, "programs/staff/event_form.html", {"form": form, "program": program, "event": None}
    )


@workspace_required("programs.change_event")
@require_http_methods(["GET", "POST"])
def event_update(request, pk: int):
    event = _event(pk)
    form = EventForm(_posted(request), instance=event, repeating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(event=event, data=form.event_data(), by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("programs_staff:event", pk=event.pk)
    return render(
        request,
        "programs/staff/event_form.html",
        {"form": form, "program": event.program, "event": event},
    )


@workspace_required("programs.change_event")
@require_http_methods(["GET", "POST"])
def event_cancel(request, pk: int):
    event = _event(pk)
    form = CancelEventForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event=event, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The event is cancelled; everyone registered is told."))
            return redirect("programs_staff:event", pk=event.pk)
    return render(request, "programs/staff/event_cancel.html", {"form": form, "event": event})


@workspace_required("programs.view_registration")
@require_safe
def event_detail(request, pk: int):
    event = _event(pk)
    registrations = list(selectors.registrations_for(event))
    by_status: dict[str, list[Registration]] = {}
    for registration in registrations:
        by_status.setdefault(registration.status, []).append(registration)
    seated = [r for r in registrations if r.status not in ("waitlisted", "cancelled")]
    return render(
        request,
        "programs/staff/event.html",
        {
            "event": event,
            "seated": seated,
            "waitlist": by_status.get(Registration.Status.WAITLISTED, []),
            "cancelled": by_status.get(Registration.Status.CANCELLED, []),
            "seats_left": selectors.seats_left(event),
            "has_ended": event.ends_at <= timezone.now(),
            "has_started": event.starts_at <= timezone.now(),
            "can_manage": request.user.has_perm("programs.manage_programs"),
            "attended_count": len(by_status.get(Registration.Status.ATTENDED, [])),
        },
    )


def _registration_of(event: Event, pk: int) -> Registration:
    registration = selectors.registrations_for(event).filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


@workspace_required("programs.manage_programs")
@require_POST
def mark_attendance(request, pk: int, registration_pk: int):
    event = _event(pk)
    registration = _registration_of(event, registration_pk)
    attended = request.POST.get("attended") == "1"
    try:
        services.mark_attendance(registration=registration, attended=attended, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{_event_url(event)}#registration-{registration.pk}")


def _event_url(event: Event) -> str:
    return reverse("programs_staff:event", args=[event.pk])


@workspace_required("programs.view_registration")
@require_safe
def export_attendees(request, pk: int):
    event = _event(pk)
    workbook = exports.attendees_workbook(event, selectors.registrations_for(event))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localtime(event.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="peserta-{event.pk}-{day}.xlsx"'
    return response


@workspace_required("programs.manage_programs")
@require_http_methods(["GET", "POST"])
def message_registrants(request, pk: int):
    event = _event(pk)
    form = MessageForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            count = services.message_registrants(
                event=event,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Message sent to %(count)s people.") % {"count": count})
            return redirect("programs_staff:event", pk=event.pk)
    return render(request, "programs/staff/message.html", {"form": form, "event": event})


def _who(registration: Registration) -> str:
    return registration.member.full_name if registration.member else registration.guest_name


@workspace_required("programs.manage_programs")
@require_http_methods(["GET", "POST"])
def check_in(request, pk: int):
    """The door: a camera reads the QR code where the browser can, a scanner or typing otherwise.

    The page posts the token with fetch (JSON answer) or as a plain form
    (the page again, with the answer on it).
    """
    event = _event(pk)
    form = CheckInForm(_posted(request))
    result = None
    if request.method == "POST":
        if form.is_valid():
            try:
                registration = services.check_in(
                    token=form.cleaned_data["token"], event=event, by=request.user
                )
            except DomainError as error:
                result = {"ok": False, "message": error.message, "code": error.code}
            else:
                result = {
                    "ok": True,
                    "name": _who(registration),
                    "status": registration.get_status_display(),
                    "message": _("%(name)s is checked in.") % {"name": _who(registration)},
                }
        else:
            result = {
                "ok": False,
                "message": _("Scan or type a registration code."),
                "code": "form",
            }
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(result, status=200 if result["ok"] else 422)
        form = CheckInForm()
    return render(
        request,
        "programs/staff/check_in.html",
        {
            "event": event,
            "form": form,
            "result": result,
            "attended": selectors.registrations_for(event)
            .filter(status=Registration.Status.ATTENDED)
            .count(),
        },
    )


@workspace_required("programs.manage_programs")
@require_POST
def close_event(request, pk: int):
    event = _event(pk)
    try:
        services.close_event(event=event, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The event is closed; those who did not come are recorded."))
    return redirect("programs_staff:event", pk=event.pk)


@workspace_required("programs.manage_programs")
@require_POST
def issue_certificates(request, pk: int):
    event = _event(pk)
    try:
        issued = services.issue_certificates(event=event, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(count)s certificates issued.") % {"count": len(issued)})
    return redirect("programs_staff:event", pk=event.pk)
