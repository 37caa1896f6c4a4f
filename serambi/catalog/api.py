"""One catalogue record with everything a patron may see of it."""

import datetime
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.api.links import cover_url, record_url
from serambi.api.schemas import BranchAvailabilityOut
from serambi.catalog import selectors
from serambi.catalog.languages import language_label
from serambi.catalog.services import RECORD_FIELDS

router = Router(tags=["catalogue"])

# The record's own fields as the API gives them: what staff may set, but the
# cover (given as a URL) and the MARC identity (the API names records by id).
DESCRIPTION_FIELDS = (
    *(
        name
        for name in RECORD_FIELDS
        if name not in ("cover", "control_number", "control_number_source")
    ),
    "updated_at",
)


class BranchOut(Schema):
    id: int
    code: str
    name: str


class ContributorOut(Schema):
    id: int
    name: str
    dates: str
    kind: str
    role: str
    role_label: str
    is_main: bool


class SubjectOut(Schema):
    id: int
    heading: str
    kind: str


class IdentifierOut(Schema):
    scheme: str = Field(description="isbn or issn")
    value: str = Field(description="As printed.")
    normalized: str = Field(description="ISBN-13 or ISSN digits; empty when not valid.")
    qualifier: str
    is_valid: bool


class ItemOut(Schema):
    barcode: str
    branch: BranchOut
    call_number: str
    shelf_location: str
    status: str
    status_label: str
    is_loanable: bool


class RecordOut(Schema):
    id: int
    title: str
    subtitle: str
    responsibility: str
    edition: str
    publisher: str
    publication_place: str
    year: int | None
    physical_description: str
    series: str
    summary: str
    notes: str
    language: str
    language_label: str
    material_type: str
    material_type_label: str
    audience: str
    audience_label: str
    ddc: str
    call_number: str
    is_local_content: bool
    cover_url: str | None
    url: str = Field(description="The record's page in the public catalogue.")
    contributors: list[ContributorOut]
    subjects: list[SubjectOut]
    identifiers: list[IdentifierOut]
    items: list[ItemOut] = Field(description="Copies by branch; withdrawn copies are left out.")
    available: int
    availability: list[BranchAvailabilityOut]
    updated_at: datetime.datetime


def _record_out(request: HttpRequest, record: Any) -> dict[str, Any]:
    availability = selectors.availability_by_branch([record.pk])[record.pk]
    return {
        "id": record.pk,
        **{field: getattr(record, field) for field in DESCRIPTION_FIELDS},
        "language_label": language_label(record.language) if record.language else "",
        "material_type_label": record.get_material_type_display(),
        "audience_label": record.get_audience_display() if record.audience else "",
        "cover_url": cover_url(request, record),
        "url": record_url(request, record.pk),
        "contributors": [
            {
                "id": link.contributor.pk,
                "name": link.contributor.name,
                "dates": link.contributor.dates,
                "kind": link.contributor.kind,
                "role": link.role,
                "role_label": link.get_role_display(),
                "is_main": link.is_main,
            }
            for link in record.contributions.all()
        ],
        "subjects": [
            {"id": link.subject.pk, "heading": link.subject.heading, "kind": link.subject.kind}
            for link in record.subject_links.all()
        ],
        "identifiers": [
            identifier for identifier in record.identifiers.all() if not identifier.is_cancelled
        ],
        "items": [
            {
                "barcode": item.barcode,
                "branch": item.branch,
                "call_number": item.call_number,
                "shelf_location": item.shelf_location,
                "status": item.status,
                "status_label": item.get_status_display(),
                "is_loanable": item.is_loanable,
            }
            for item in record.public_items
        ],
        "available": sum(branch.available for branch in availability),
        "availability": [asdict(branch) for branch in availability],
    }


@router.get(
    "/records/{record_id}",
    auth=None,
    response={200: RecordOut, **error_responses(404, 422)},
    summary="One record: description, names, subjects, copies and where they are",
)
def record_detail(request: HttpRequest, record_id: int = Path(..., ge=1, le=2**63 - 1)):
    """Withdrawn copies are left out; the central library's copies come first."""
    return _record_out(request, selectors.public_record(record_id))
