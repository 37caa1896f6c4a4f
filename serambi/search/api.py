"""The catalogue search and the search box's suggestions, as the OPAC has them."""

import enum
from dataclasses import asdict
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from serambi.api.errors import error_responses
from serambi.api.links import cover_url, record_url
from serambi.api.schemas import BranchAvailabilityOut, NameOut
from serambi.search import services
from serambi.search.types import (
    DEFAULT_PER_PAGE,
    FACETS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
    Hit,
    SearchRequest,
    SearchResult,
)


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
    values: list[FacetValueOut] = Field(description="Counted over every record of the result.")


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


router = Router(tags=["catalogue"])

MAX_FILTER_VALUES = 50
MAX_COMPLETION_LENGTH = 100
# Control characters never mean anything in a search, and some databases refuse them.

Sort = enum.StrEnum("Sort", {key.upper(): key for key in SORTS})  # type: ignore[misc]
FilterValues = Annotated[
    list[Annotated[str, Field(max_length=200)]],
    Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Values of the facet of this name; repeat the parameter for several.",
    ),
]


class SearchParams(Schema):
    """A search as the OPAC's address bar has it; each facet name filters by its values."""

    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="Words, as typed.")
    type: FilterValues
    language: FilterValues
    decade: FilterValues
    subject: FilterValues
    branch: FilterValues
    available: FilterValues
    audience: FilterValues
    sort: Sort = Sort.RELEVANCE  # type: ignore[attr-defined]
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class AutocompleteParams(Schema):
    q: str = Field("", max_length=MAX_COMPLETION_LENGTH, description="What has been typed so far.")
    limit: int = Field(8, ge=1, le=20)


def search_request(params: SearchParams) -> SearchRequest:
    return SearchRequest(
        # SearchRequest takes control characters out (PostgreSQL refuses NUL).
        q=params.q,
        filters={name: tuple(getattr(params, name)) for name in FACETS},
        sort=str(params.sort),
        page=params.page,
        per_page=params.per_page,
    )


def _hit(request: HttpRequest, hit: Hit) -> dict[str, Any]:
    record = hit.record
    isbns = [
        identifier
        for identifier in record.identifiers.all()
        if identifier.scheme == "isbn" and not identifier.is_cancelled
    ]
    isbns.sort(key=lambda identifier: not identifier.is_valid)
    return {
        "id": record.pk,
        "title": record.title,
        "subtitle": record.subtitle,
        "authors": [
            {"name": contribution.contributor.name, "role": contribution.role}
            for contribution in record.contributions.all()
        ],
        "year": record.year,
        "material_type": record.material_type,
        "language": record.language,
        "isbn": (isbns[0].normalized or isbns[0].value) if isbns else None,
        "cover_url": cover_url(request, record),
        "available": hit.available,
        "availability": [asdict(branch) for branch in hit.availability],
        "url": record_url(request, record.pk),
    }


def _search_out(request: HttpRequest, result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "page": result.request.page,
        "pages": result.pages,
        "per_page": result.request.per_page,
        "hits": [_hit(request, hit) for hit in services.with_identifiers(result.hits)],
        "facets": [asdict(facet) for facet in result.facets],
        "suggestion": result.suggestion,
        "direct_record_id": result.direct_record_id,
    }


@router.get(
    "/search",
    auth=None,
    response={200: SearchOut, **error_responses(422)},
    summary="Search the catalogue",
)
def search(request: HttpRequest, params: Query[SearchParams]):
    """The query language is the OPAC's (``judul:``, ``pengarang:``, ``subjek:``,
    ``tahun:2000-2010``, ``isbn:``, ``-word``). Facet values combine with OR
    inside one facet and AND between facets. An ISBN or a barcode searched alone
    answers with ``direct_record_id``."""
    return _search_out(request, services.search(search_request(params)))


@router.get(
    "/autocomplete",
    auth=None,
    response={200: list[CompletionOut], **error_responses(422)},
    summary="Suggestions for the search box",
)
def autocomplete(request: HttpRequest, params: Query[AutocompleteParams]):
    completions = services.autocomplete(params.q, limit=params.limit)
    return [
        {
            "kind": completion.kind,
            "text": completion.text,
            "query": completion.query,
            "record_id": completion.record_id,
        }
        for completion in completions
    ]
