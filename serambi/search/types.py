"""What a search asks and what it answers: the contract between the search
service and its doors (the OPAC pages, the REST API, later SRU).

Every door builds a :class:`SearchRequest` (from a URL's query string with
:func:`SearchRequest.from_params`, so a shared link reproduces the search)
and renders the :class:`SearchResult` that ``services.search`` returns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from serambi.catalog.selectors import BranchAvailability

# Facet names are also the query-string parameters that filter by them.
FACETS: dict[str, Any] = {
    "type": _("Material type"),
    "language": _("Language"),
    "decade": _("Year"),
    "subject": _("Subject"),
    "branch": _("Branch"),
    "available": _("Available now at"),
    "audience": _("Audience"),
}

SORTS: dict[str, Any] = {
    "relevance": _("Relevance"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "title": _("Title (A–Z)"),
}

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500  # deep pages are for crawlers, not people; the API says so with a 422
MAX_QUERY_LENGTH = 500


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str) -> str:
    """Text from a URL without control characters (PostgreSQL refuses NUL in a string)."""
    return _CONTROL_CHARACTERS.sub(" ", text)


def _positive_int(value: Any, default: int, highest: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), highest)


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query as typed, facet filters, sort and page.

    ``filters`` maps a facet name from :data:`FACETS` to the values chosen; a
    record must match one of the values of each facet (OR inside a facet, AND
    between facets), which is how every library catalogue with facets works.
    """

    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def __post_init__(self) -> None:
        object.__setattr__(self, "q", _clean(self.q or "")[:MAX_QUERY_LENGTH])
        cleaned = {
            name: tuple(dict.fromkeys(_clean(v).strip() for v in values if _clean(v).strip()))
            for name, values in self.filters.items()
            if name in FACETS
        }
        object.__setattr__(self, "filters", {k: v for k, v in cleaned.items() if v})
        if self.sort not in SORTS:
            object.__setattr__(self, "sort", "relevance")
        object.__setattr__(self, "page", _positive_int(self.page, 1, MAX_PAGE))
        object.__setattr__(
            self, "per_page", _positive_int(self.per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchRequest:
        """From a QueryDict (``request.GET``) or a plain dict; bad values fall back to defaults."""
        getlist = getattr(params, "getlist", None)

        def values(name: str) -> tuple[str, ...]:
            raw = getlist(name) if getlist else params.get(name, ())
            if isinstance(raw, str):
                raw = [raw]
            return tuple(str(v).strip()[:200] for v in raw or ())

        return cls(
            q=str(params.get("q") or "").strip(),
            filters={name: values(name) for name in FACETS},
            sort=str(params.get("sort") or "relevance"),
            page=params.get("page") or 1,
            per_page=params.get("per_page") or DEFAULT_PER_PAGE,
        )

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query-string pairs for this request, with ``changes`` applied.

        ``page`` is dropped when it is 1, ``sort`` when it is relevance, so
        links stay short; pass ``toggle=(facet, value)`` to add or remove one
        filter value (and go back to page 1).
        """
        q = changes.get("q", self.q)
        filters = {name: list(values) for name, values in self.filters.items()}
        page = changes.get("page", self.page)
        if toggle := changes.get("toggle"):
            name, value = toggle
            chosen = filters.setdefault(name, [])
            if value in chosen:
                chosen.remove(value)
            else:
                chosen.append(value)
            page = 1
        sort = changes.get("sort", self.sort)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        pairs += [(name, v) for name in FACETS for v in filters.get(name, ())]
        if sort != "relevance":
            pairs.append(("sort", sort))
        if self.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        if page != 1:
            pairs.append(("page", str(page)))
        return pairs

    @property
    def is_empty(self) -> bool:
        return not self.q.strip() and not self.filters


@dataclass(frozen=True)
class Hit:
    """One record in a result list.

    ``record`` comes with its contributions (and their contributors)
    prefetched (its identifiers too once ``services.with_identifiers`` has
    run); ``availability`` lists the branches holding it.
    """

    record: Any  # serambi.catalog.models.Record
    score: float | None
    availability: list[BranchAvailability]

    @property
    def available(self) -> int:
        return sum(branch.available for branch in self.availability)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: list[Facet]
    # A corrected query built from the index's own words when the query found
    # little or nothing because of a typo, e.g. "sejara" -> "sejarah".
    suggestion: str | None = None
    # An ISBN or item barcode typed alone: the record to go straight to.
    direct_record_id: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    @property
    def has_next(self) -> bool:
        return self.request.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.request.page - 1) * self.request.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.request.page * self.request.per_page, self.total)


@dataclass(frozen=True)
class Completion:
    """One autocomplete suggestion: a title (with its record), an author or a subject."""

    kind: str  # "title" | "author" | "subject"
    text: str
    record_id: int | None = None

    @property
    def query(self) -> str:
        """The search the suggestion leads to, in the query language."""
        field_name = {"author": "pengarang", "subject": "subjek", "title": "judul"}[self.kind]
        return f'{field_name}:"{self.text}"'
