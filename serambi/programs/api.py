"""Programs in the API: anyone reads the events calendar; a member registers for an event.

The list and the event page are public. Registering, cancelling and the list
of one's own registrations are the signed-in patron's own: someone else's
registration is "not found", and an account without a library card gets the
same 404 ``members.not_a_member`` as ``/me``.
"""

import datetime
import enum
import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.api.schemas import IsoDate
from serambi.core.errors import DomainError
from serambi.core.selectors import service_points
from serambi.members.api import PRINTABLE, CodeNameOut, not_a_member
from serambi.members.selectors import member_for_user
from serambi.programs import selectors, services
from serambi.programs.models import Event, Program, Registration
from serambi.programs.notices import absolute_url

router = Router(tags=["events"])

MAX_ID = 2**63 - 1
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500

Category = enum.StrEnum("Category", {value.upper(): value for value in Program.Category.values})  # type: ignore[misc]
Audience = enum.StrEnum("Audience", {value.upper(): value for value in Program.Audience.values})  # type: ignore[misc]


# --- input ---------------------------------------------------------------------


class EventFilters(Schema):
    category: Category | None = Field(None, description="Only programs of this category.")  # type: ignore[valid-type]
    audience: Audience | None = Field(None, description="Only programs for this audience.")  # type: ignore[valid-type]
    branch: str | None = Field(
        None, min_length=1, max_length=20, pattern=PRINTABLE, description="A branch's code."
    )
    date_from: IsoDate | None = Field(
        None, alias="from", description="Events on or after this day (default: from now on)."
    )
    date_to: IsoDate | None = Field(None, alias="to", description="Events on or before this day.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


# --- output --------------------------------------------------------------------


class ProgramOut(Schema):
    slug: str
    title: str
    category: str
    category_label: str
    audience: str
    audience_label: str
    min_age: int | None
    max_age: int | None
    summary: str
    facilitator: str
    partners: list[str]
    is_series: bool
    gives_certificate: bool


class SpaceRefOut(Schema):
    slug: str
    name: str


class EventOut(Schema):
    id: int
    title: str = Field(description="The session's own title, or the program's.")
    program: ProgramOut
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    branch: CodeNameOut | None
    room: SpaceRefOut | None
    location: str = Field(description="A place outside the library, when there is one.")
    online_url: str = Field(description="The link for joining online (hybrid), or empty.")
    status: str = Field(description="scheduled or cancelled")
    cancel_reason: str
    registration_required: bool
    registration_opens_at: datetime.datetime | None
    registration_closes_at: datetime.datetime | None
    capacity: int | None = Field(description="Seats; None: no limit.")
    seats_left: int | None = Field(description="Seats still free; None: no limit.")
    waitlist: bool = Field(description="Full: a registration now goes on the waitlist.")
    accessibility: str
    url: str = Field(description="The event's page on the library's site.")


class EventDetailOut(EventOut):
    description: str


class EventsOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int
    events: list[EventOut]


class EventRefOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str


class RegistrationOut(Schema):
    id: int
    event: EventRefOut
    status: str = Field(description="confirmed, waitlisted, cancelled, attended or no_show")
    status_label: str
    waitlist_position: int | None = Field(description="Place on the waitlist (1 is next).")
    registered_at: datetime.datetime
    attended_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    certificate_code: str | None = Field(description="The verification code of a certificate.")


# --- shaping -------------------------------------------------------------------


def _code_name(branch: Any) -> dict[str, str] | None:
    return {"code": branch.code, "name": branch.name} if branch is not None else None


def _program_out(program: Program) -> dict[str, Any]:
    return {
        "slug": program.slug,
        "title": program.title,
        "category": program.category,
        "category_label": program.get_category_display(),
        "audience": program.audience,
        "audience_label": program.get_audience_display(),
        "min_age": program.min_age,
        "max_age": program.max_age,
        "summary": program.summary,
        "facilitator": program.facilitator,
        "partners": [name.strip() for name in program.partners.split(",") if name.strip()],
        "is_series": program.is_series,
        "gives_certificate": program.gives_certificate,
    }


def _event_out(event: Event) -> dict[str, Any]:
    seats = selectors.seats_left(event)
    return {
        "id": event.pk,
        "title": event.display_title,
        "program": _program_out(event.program),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "branch": _code_name(event.branch),
        "room": {"slug": event.space.slug, "name": event.space.name} if event.space else None,
        "location": event.location,
        "online_url": event.online_url,
        "status": event.status,
        "cancel_reason": event.cancel_reason,
        "registration_required": event.registration_required,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "capacity": event.capacity,
        "seats_left": seats,
        "waitlist": event.registration_required and seats is not None and seats <= 0,
        "accessibility": event.accessibility,
        "url": absolute_url(event.get_absolute_url()),
    }


def _registration_out(registration: Registration) -> dict[str, Any]:
    event = registration.event
    certificate = getattr(registration, "certificate", None)
    return {
        "id": registration.pk,
        "event": {
            "id": event.pk,
            "title": event.display_title,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "status": event.status,
        },
        "status": registration.status,
        "status_label": registration.get_status_display(),
        "waitlist_position": (
            selectors.waitlist_position(registration)
            if registration.status == Registration.Status.WAITLISTED
            else None
        ),
        "registered_at": registration.registered_at,
        "attended_at": registration.attended_at,
        "cancelled_at": registration.cancelled_at,
        "certificate_code": certificate.code if certificate else None,
    }


# --- the public calendar ---------------------------------------------------------


@router.get(
    "/events",
    auth=None,
    response={200: EventsOut, **error_responses(422)},
    summary="Events, soonest first",
)
def list_events(request: HttpRequest, filters: Query[EventFilters]):
    """Published events from now on (or from ``from``), with the seats still free.
    An unknown branch code finds nothing."""
    branch = None
    if filters.branch is not None:
        branch = service_points().filter(code=filters.branch.strip()).first()
        if branch is None:
            return {
                "total": 0,
                "page": filters.page,
                "pages": 0,
                "per_page": filters.per_page,
                "events": [],
            }
    events = selectors.upcoming_events(
        category=filters.category and str(filters.category),
        audience=filters.audience and str(filters.audience),
        branch=branch,
        start=filters.date_from,
        end=filters.date_to,
    )
    total = events.count()
    first = (filters.page - 1) * filters.per_page
    page = list(events[first : first + filters.per_page])
    return {
        "total": total,
        "page": filters.page,
        "pages": math.ceil(total / filters.per_page),
        "per_page": filters.per_page,
        "events": [_event_out(event) for event in page],
    }


@router.get(
    "/events/{event_id}",
    auth=None,
    response={200: EventDetailOut, **error_responses(404, 422)},
    summary="One event",
)
def get_event(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    """An unknown or unpublished event is 404 ``programs.event_not_found``."""
    event = selectors.event_for_public(event_id)
    return {**_event_out(event), "description": event.program.description}


# --- the member's own ------------------------------------------------------------


@router.post(
    "/events/{event_id}/registrations",
    response={201: RegistrationOut, **error_responses(401, 404, 409, 422)},
    summary="Register the signed-in patron for an event",
    tags=["my account"],
)
def register(request: HttpRequest, event_id: int = Path(..., ge=1, le=MAX_ID)):
    """``confirmed`` while seats are free, else ``waitlisted`` with a place in the queue.
    A refusal is 409 (``programs.registration_closed``, ``programs.already_registered``,
    ``programs.registrations_paused`` …)."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    registration = services.register(
        event=selectors.event_for_public(event_id), member=member, by=request.auth
    )
    return Status(201, _registration_out(registration))


@router.delete(
    "/events/{event_id}/registrations/{registration_id}",
    response={204: None, **error_responses(401, 404, 409, 422)},
    summary="Cancel one of the signed-in patron's registrations",
    tags=["my account"],
)
def cancel_registration(
    request: HttpRequest,
    event_id: int = Path(..., ge=1, le=MAX_ID),
    registration_id: int = Path(..., ge=1, le=MAX_ID),
):
    """Someone else's registration (or one of another event) is 404
    ``programs.registration_not_found``. A freed seat goes to the first on the waitlist."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    registration = selectors.access_registration(registration_id, member=member)
    if registration.event_id != event_id:
        raise DomainError(
            "programs.registration_not_found",
            _("No such registration."),
            registration=registration_id,
        )
    services.cancel_registration(registration=registration, by=request.auth)
    return Status(204, None)


@router.get(
    "/me/registrations",
    response={200: list[RegistrationOut], **error_responses(401, 404)},
    summary="The signed-in patron's registrations",
    tags=["my account"],
)
def my_registrations(request: HttpRequest):
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    registrations = selectors.my_registrations(member).select_related("certificate")
    return [_registration_out(registration) for registration in registrations]
