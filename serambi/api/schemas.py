"""What the API answers about the catalogue: search hits, facets, records, copies.

The search service's dataclasses (``serambi.search.types``) and the
catalogue's models are turned into these by the routers; the field names
are the API's contract with the mobile app, so they change only with a new
API version.
"""

import datetime

from ninja import Schema
from pydantic import Field


class BranchAvailabilityOut(Schema):
    branch_id: int
    branch_name: str
    available: int = Field(description="Copies on the shelf now.")
    total: int = Field(description="Copies the branch holds (withdrawn ones not counted).")


class NameOut(Schema):
    name: str
    role: str = Field(description="author, editor, translator …")


class HitOut(Schema):
    id: int
    title: str
    subtitle: str
    authors: list[NameOut]
    year: int | None
    material_type: str
    language: str = Field(description="MARC language code (ind, eng, jav …) or empty.")
    isbn: str | None
    cover_url: str | None
    available: int = Field(description="Copies on the shelf now, in every branch.")
    availability: list[BranchAvailabilityOut]
    url: str = Field(description="The record's page in the public catalogue.")


class FacetValueOut(Schema):
    value: str = Field(description="Pass it back as the facet's query parameter to filter.")
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str = Field(description="Also the query parameter that filters by it.")
    label: str
    values: list[FacetValueOut]


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int
    hits: list[HitOut]
    facets: list[FacetOut]
    suggestion: str | None = Field(description="A corrected query, when a typo is likely.")
    direct_record_id: int | None = Field(
        description="An ISBN or barcode searched alone: the one record it stands for."
    )


class CompletionOut(Schema):
    kind: str = Field(description="title, author or subject")
    text: str
    query: str = Field(description="The search (q) the suggestion leads to.")
    record_id: int | None = Field(description="For a title: the record to open directly.")


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
