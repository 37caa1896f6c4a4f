"""Creative spaces in the API: anyone sees the rooms and their free slots; a member books.

The rooms and their slot grid are public. Booking, cancelling and the list
of one's own bookings are the signed-in patron's own: someone else's booking
is "not found", and an account without a library card gets the same 404
``members.not_a_member`` as ``/me``.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.api.schemas import IsoDate, IsoDateTime
from serambi.core.errors import DomainError
from serambi.core.selectors import service_points
from serambi.members.api import PRINTABLE, CodeNameOut, not_a_member
from serambi.members.selectors import member_for_user
from serambi.spaces import selectors, services
from serambi.spaces.models import Booking, Equipment, Space

router = Router(tags=["spaces"])

MAX_ID = 2**63 - 1
MAX_GRID_DAYS = 31
MAX_EQUIPMENT = 20
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SLUG_MAX_LENGTH = Space._meta.get_field("slug").max_length
TEXT_MAX_LENGTH = 300


# --- input ---------------------------------------------------------------------


class SpaceFilters(Schema):
    branch: str | None = Field(
        None, min_length=1, max_length=20, pattern=PRINTABLE, description="A branch's code."
    )


class SlotRange(Schema):
    start: IsoDate | None = Field(None, description="First day (default: today).")
    end: IsoDate | None = Field(
        None, description=f"Last day, at most {MAX_GRID_DAYS} days on (default: a week on)."
    )


class BookingIn(Schema):
    space: str | None = Field(
        None,
        min_length=1,
        max_length=SLUG_MAX_LENGTH,
        pattern=SLUG_PATTERN,
        description="The room's short name; leave out to book equipment alone.",
    )
    starts_at: IsoDateTime = Field(description="Without a zone: the library's local time.")
    ends_at: IsoDateTime
    purpose: str = Field("", max_length=TEXT_MAX_LENGTH, pattern=PRINTABLE)
    people: int = Field(1, ge=1, le=1000)
    equipment: list[int] = Field(
        default_factory=list,
        max_length=MAX_EQUIPMENT,
        description="Ids of equipment to book with the room (see GET /spaces).",
    )
    organisation: str = Field(
        "", max_length=200, pattern=PRINTABLE, description="A partner organisation booked for."
    )
    accommodations: str = Field(
        "", max_length=TEXT_MAX_LENGTH, pattern=PRINTABLE, description="Accessibility requests."
    )


# --- output --------------------------------------------------------------------


class EquipmentOut(Schema):
    id: int
    name: str
    description: str
    bookable_alone: bool


class SpaceOut(Schema):
    slug: str
    name: str
    kind: str = Field(description="discussion_room, art_studio, digital_studio, hall …")
    kind_label: str
    branch: CodeNameOut
    capacity: int
    description: str
    features: list[str]
    accessibility: str
    requires_approval: bool = Field(description="Bookings wait for the staff's approval.")
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    book_ahead_days: int
    max_hours_per_week: int | None
    max_bookings_per_week: int | None
    equipment: list[EquipmentOut] = Field(description="Kept in the room, bookable with it.")


class SlotOut(Schema):
    start: datetime.datetime
    end: datetime.datetime
    state: str = Field(description="free, taken, closed or past")


class DayOut(Schema):
    date: datetime.date
    is_open: bool
    slots: list[SlotOut]


class SlotsOut(Schema):
    space: str
    slot_minutes: int
    days: list[DayOut]


class SpaceRefOut(Schema):
    slug: str
    name: str
    branch: CodeNameOut


class EquipmentRefOut(Schema):
    id: int
    name: str


class BookingOut(Schema):
    id: int
    space: SpaceRefOut | None
    starts_at: datetime.datetime
    ends_at: IsoDateTime
    status: str = Field(
        description="requested, confirmed, checked_in, declined, cancelled, no_show or completed"
    )
    status_label: str
    purpose: str
    people: int
    organisation: str
    accommodations: str
    equipment: list[EquipmentRefOut]
    decision_reason: str = Field(description="Why staff declined it, when they did.")
    checked_in_at: datetime.datetime | None


# --- shaping -------------------------------------------------------------------


def _code_name(branch: Any) -> dict[str, str]:
    return {"code": branch.code, "name": branch.name}


def _equipment_out(equipment: Equipment) -> dict[str, Any]:
    return {
        "id": equipment.pk,
        "name": equipment.name,
        "description": equipment.description,
        "bookable_alone": equipment.bookable_alone,
    }


def _space_out(space: Space) -> dict[str, Any]:
    return {
        "slug": space.slug,
        "name": space.name,
        "kind": space.kind,
        "kind_label": space.get_kind_display(),
        "branch": _code_name(space.branch),
        "capacity": space.capacity,
        "description": space.description,
        "features": space.feature_list,
        "accessibility": space.accessibility,
        "requires_approval": space.requires_approval,
        "slot_minutes": space.slot_minutes,
        "min_minutes": space.min_minutes,
        "max_minutes": space.max_minutes,
        "book_ahead_days": space.book_ahead_days,
        "max_hours_per_week": space.max_hours_per_week,
        "max_bookings_per_week": space.max_bookings_per_week,
        "equipment": [
            _equipment_out(equipment) for equipment in space.equipment.all() if equipment.is_active
        ],
    }


def _booking_out(booking: Booking) -> dict[str, Any]:
    space = booking.space
    return {
        "id": booking.pk,
        "space": (
            {"slug": space.slug, "name": space.name, "branch": _code_name(space.branch)}
            if space
            else None
        ),
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
        "status_label": booking.get_status_display(),
        "purpose": booking.purpose,
        "people": booking.people,
        "organisation": booking.organisation,
        "accommodations": booking.accommodations,
        "equipment": [
            {"id": hold.equipment_id, "name": hold.equipment.name}
            for hold in booking.equipment_holds.all()
        ],
        "decision_reason": booking.decision_reason,
        "checked_in_at": booking.checked_in_at,
    }


# --- what the request names, found or refused -----------------------------------


def _space(slug: str) -> Space:
    return selectors.space_by_slug(slug)


def _equipment(ids: list[int]) -> list[Equipment]:
    found = list(selectors.bookable_equipment().filter(pk__in=ids)) if ids else []
    missing = sorted(set(ids) - {equipment.pk for equipment in found})
    if missing:
        raise DomainError(
            "spaces.unknown_equipment",
            _("There is no such equipment: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            equipment=missing,
        )
    return found


def _local(moment: datetime.datetime, field: str) -> datetime.datetime:
    """An aware moment: a time without a zone is the library's local time."""
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # Far ends of the calendar (year 1 at +14:00) do not fit in UTC.
        moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise DomainError(
            "spaces.invalid_time", _("This time cannot be booked."), field=field
        ) from None
    return moment


# --- the public rooms --------------------------------------------------------------


@router.get(
    "/spaces",
    auth=None,
    response={200: list[SpaceOut], **error_responses(422)},
    summary="Rooms that members may book",
)
def list_spaces(request: HttpRequest, filters: Query[SpaceFilters]):
    """Each with its rules and the equipment kept in it. An unknown branch code finds nothing."""
    branch = None
    if filters.branch is not None:
        branch = service_points().filter(code=filters.branch.strip()).first()
        if branch is None:
            return []
    spaces = selectors.bookable_spaces(branch).prefetch_related("equipment")
    return [_space_out(space) for space in spaces]


@router.get(
    "/spaces/{slug}/slots",
    auth=None,
    response={200: SlotsOut, **error_responses(404, 422)},
    summary="A room's slot grid: which slots are free, day by day",
)
def space_slots(
    request: HttpRequest,
    params: Query[SlotRange],
    slug: str = Path(..., min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN),
):
    """At most 31 days at once (else 422 ``spaces.invalid_range``). A slot is ``free``,
    ``taken`` (a booking or an event), ``closed`` or ``past``."""
    space = _space(slug)
    start = params.start or timezone.localdate()
    try:
        end = params.end or start + datetime.timedelta(days=6)
        too_long = end - start >= datetime.timedelta(days=MAX_GRID_DAYS)
        # The grid builds moments of the last day and the next: both must exist.
        end + datetime.timedelta(days=2)
    except OverflowError:
        too_long = True
        end = start
    if end < start or too_long:
        raise DomainError(
            "spaces.invalid_range",
            _("Ask for one to %(days)s days, the first not after the last.")
            % {"days": MAX_GRID_DAYS},
            start=start.isoformat(),
            end=end.isoformat(),
            max_days=MAX_GRID_DAYS,
        )
    days = selectors.free_slots(space, start=start, end=end)
    return {
        "space": space.slug,
        "slot_minutes": space.slot_minutes,
        "days": [
            {
                "date": day.day,
                "is_open": day.is_open,
                "slots": [
                    {"start": slot.start, "end": slot.end, "state": slot.state}
                    for slot in day.slots
                ],
            }
            for day in days
        ],
    }


# --- the member's own ------------------------------------------------------------


@router.post(
    "/bookings",
    response={201: BookingOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Book a room (and equipment) for the signed-in patron",
    tags=["my account"],
)
def book(request: HttpRequest, payload: BookingIn):
    """``confirmed`` at once, or ``requested`` when the room needs the staff's approval.
    A refusal is 409 with its code (``spaces.slot_taken``, ``spaces.outside_opening_hours``,
    ``spaces.weekly_limit`` …)."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    space = _space(payload.space) if payload.space is not None else None
    booking = services.book_space(
        space=space,
        member=member,
        starts_at=_local(payload.starts_at, "starts_at"),
        ends_at=_local(payload.ends_at, "ends_at"),
        equipment=_equipment(payload.equipment),
        purpose=payload.purpose,
        people=payload.people,
        organisation=payload.organisation,
        accommodations=payload.accommodations,
        channel="api",
        by=request.auth,
    )
    return Status(201, _booking_out(booking))


@router.delete(
    "/bookings/{booking_id}",
    response={204: None, **error_responses(401, 404, 409, 422)},
    summary="Cancel one of the signed-in patron's bookings",
    tags=["my account"],
)
def cancel_booking(request: HttpRequest, booking_id: int = Path(..., ge=1, le=MAX_ID)):
    """Someone else's booking is 404 ``spaces.booking_not_found``."""
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    booking = selectors.access_booking_for_member(booking_id, member)
    services.cancel_booking(booking=booking, by=request.auth)
    return Status(204, None)


@router.get(
    "/me/bookings",
    response={200: list[BookingOut], **error_responses(401, 404)},
    summary="The signed-in patron's room bookings",
    tags=["my account"],
)
def my_bookings(request: HttpRequest):
    member = member_for_user(request.auth)
    if member is None:
        return not_a_member(request)
    return [_booking_out(booking) for booking in selectors.my_bookings(member)]
