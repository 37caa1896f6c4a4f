"""Reads of the catalogue: filtered lists, one record, its items, imports, availability."""

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pymarc
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from serambi.core.models import Branch
from serambi.core.selectors import service_points

from .identifiers import compact_isbn
from .models import Identifier, ImportRun, Item, Record, RecordContributor, RecordSubject

logger = logging.getLogger(__name__)

RECORDS_PER_PAGE = 25


@dataclass(frozen=True)
class RecordFilters:
    """What the staff record list can be narrowed by; empty values do not filter."""

    text: str = ""
    material_type: str = ""
    language: str = ""
    branch: Branch | None = None
    holdings: str = ""  # "with" items, "without" items, or "" for both
    year_from: int | None = None
    year_to: int | None = None
    newest_first: bool = False


def _text_condition(text: str) -> Q:
    """Title, subtitle, control number, or an ISBN/ISSN written with or without hyphens."""
    identifiers = Identifier.objects.filter(record=OuterRef("pk"))
    identifier_match = Q(value__icontains=text)
    digits = re.sub(r"[\s-]", "", text)
    if len(digits) >= 4 and digits[:-1].isdigit():
        identifier_match |= Q(normalized__contains=digits.upper())
    if isbn13 := compact_isbn(text):
        identifier_match |= Q(normalized=isbn13)
    return (
        Q(title__icontains=text)
        | Q(subtitle__icontains=text)
        | Q(control_number__icontains=text)
        | Q(Exists(identifiers.filter(identifier_match)))
    )


def record_list(filters: RecordFilters | None = None) -> QuerySet[Record]:
    """Records for the staff list, each with its item count, contributors and identifiers.

    Three queries for any page size: the records, their contributors, their
    identifiers. Filters on items and identifiers use EXISTS, so a record
    never appears twice and the item count stays right.
    """
    filters = filters or RecordFilters()
    records = Record.objects.all()
    if filters.text:
        records = records.filter(_text_condition(filters.text))
    if filters.material_type:
        records = records.filter(material_type=filters.material_type)
    if filters.language:
        records = records.filter(language=filters.language)
    items = Item.objects.filter(record=OuterRef("pk"))
    if filters.branch is not None:
        records = records.filter(Exists(items.filter(branch=filters.branch)))
    if filters.holdings == "with":
        records = records.filter(Exists(items))
    elif filters.holdings == "without":
        records = records.filter(~Exists(items))
    if filters.year_from is not None:
        records = records.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        records = records.filter(year__lte=filters.year_to)
    ordering = ["-created_at", "-id"] if filters.newest_first else ["title", "id"]
    item_counts = (
        Item.objects.filter(record=OuterRef("pk"))
        .order_by()
        .values("record")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        # A correlated subquery rather than a JOIN + GROUP BY, so the paginator's
        # COUNT(*) leaves it out and stays a plain count of the filtered records.
        records.annotate(item_count=Coalesce(Subquery(item_counts), 0))
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=RecordContributor.objects.select_related("contributor"),
            ),
            Prefetch("identifiers", queryset=Identifier.objects.filter(is_cancelled=False)),
        )
        .order_by(*ordering)
    )


def languages_in_use() -> list[str]:
    """The language codes the catalogue holds, for the list filter."""
    return list(
        Record.objects.exclude(language="")
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()
    )


def active_branches() -> QuerySet[Branch]:
    """Open service points, the central library first (the default wherever one is chosen)."""
    return service_points().prefetch_related(None)


def access_record(pk: int, actor) -> Record:
    """One record with everything its detail page shows, for someone who may see it."""
    if not actor.has_perm("catalog.view_record"):
        raise PermissionDenied
    records = Record.objects.prefetch_related(
        Prefetch("contributions", queryset=RecordContributor.objects.select_related("contributor")),
        Prefetch("subject_links", queryset=RecordSubject.objects.select_related("subject")),
        "identifiers",
    )
    return get_object_or_404(records, pk=pk)


def record_items(record: Record) -> QuerySet[Item]:
    """The copies of ``record``, grouped by branch."""
    return record.items.select_related("branch").order_by("branch__name", "barcode")


def access_item(pk: int, actor, *, perm: str = "catalog.change_item") -> Item:
    """One item (with its record and branch) for someone holding ``perm``."""
    if not actor.has_perm(perm):
        raise PermissionDenied
    return get_object_or_404(Item.objects.select_related("record", "branch"), pk=pk)


def items_by_barcodes(barcodes: list[str]) -> tuple[list[Item], list[str]]:
    """Items for typed or scanned barcodes in the order given, and the barcodes not found.

    An exact match uses the barcode index; what is left is matched without
    regard to case, as people type barcodes either way.
    """
    items = Item.objects.select_related("record", "branch")
    found = {item.barcode: item for item in items.filter(barcode__in=barcodes)}
    unmatched = [barcode for barcode in barcodes if barcode not in found]
    if unmatched:
        by_lower = {
            item.barcode_lower: item
            for item in items.annotate(barcode_lower=Lower("barcode")).filter(
                barcode_lower__in=[barcode.lower() for barcode in unmatched]
            )
        }
        for barcode in unmatched:
            if barcode.lower() in by_lower:
                found[barcode] = by_lower[barcode.lower()]
    return (
        [found[barcode] for barcode in barcodes if barcode in found],
        [barcode for barcode in barcodes if barcode not in found],
    )


def items_by_ids(ids: list[int]) -> list[Item]:
    """Items chosen by id (the record page's checkboxes), in the order given."""
    found = Item.objects.select_related("record", "branch").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def marc_mnemonic(record: Record) -> str:
    """The stored MARC record in mnemonic form (=LDR, =245 10$a…), or "" when there is none.

    The stored JSON came from an import and may be odd; the detail page must
    still open, so a record pymarc cannot rebuild shows nothing here.
    """
    if not record.marc:
        return ""
    try:
        parsed = pymarc.parse_json_to_array(json.dumps(record.marc))
        return str(parsed[0]) if parsed else ""
    except (
        pymarc.exceptions.PymarcException,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
    ):
        logger.warning("Stored MARC of record %s cannot be read by pymarc", record.pk)
        return ""


def recent_import_runs(limit: int = 20) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("started_by").order_by("-created_at")[:limit]


def access_import_run(pk: int, actor) -> ImportRun:
    if not actor.has_perm("catalog.import_marc"):
        raise PermissionDenied
    return get_object_or_404(ImportRun.objects.select_related("started_by"), pk=pk)


def _import_report(run: ImportRun) -> dict:
    return run.report if isinstance(run.report, dict) else {}


def import_problems(run: ImportRun) -> list[dict[str, str]]:
    """The problems an import reported: record_number, control_number, message, file, severity.

    The report is JSON written by the importer; a missing or odd entry gives
    empty strings rather than an error page. Severity is "error" (the record
    was not imported) or "warning" (imported, but something needs a look).
    """
    errors = _import_report(run).get("errors")
    if not isinstance(errors, list):
        return []
    keys = ("record_number", "control_number", "message", "file", "severity")
    problems = []
    for problem in errors:
        if not isinstance(problem, dict):
            problem = {"message": problem}
        problems.append(
            {key: "" if problem.get(key) is None else str(problem.get(key)) for key in keys}
        )
    return problems


def import_note(run: ImportRun) -> str:
    """Why an import stopped early, when it did: the importer writes it into the report,
    unless its process was killed (``ImportRun.stopped_silently``)."""
    if run.stopped_silently:
        moved = formats.date_format(timezone.localtime(run.updated_at), "SHORT_DATETIME_FORMAT")
        return gettext(
            "Nothing has moved since %(time)s: the import stopped before it finished. The "
            "records of the finished batches are kept; import the file again to finish it."
        ) % {"time": moved}
    note = _import_report(run).get("note")
    return note if isinstance(note, str) else ""


# ------------------------------------------------------------------------------ OPAC

# Where patrons look first: the central library, then the other service points by name.
_CENTRAL_FIRST = Case(
    When(branch__kind=Branch.Kind.CENTRAL, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class BranchAvailability:
    """How many copies of one record a branch holds, and how many are on its shelves now."""

    branch_id: int
    branch_name: str
    available: int
    total: int


@dataclass(frozen=True)
class BranchHoldings:
    """One branch's copies of a record, as the public record page lists them."""

    availability: BranchAvailability
    items: list[Item]


def public_record(pk: int) -> Record:
    """One record with everything its public page shows, or 404.

    Records are public (there is no hidden flag yet). The copies the public
    sees, withdrawn ones left out, are in ``public_items``, central library
    first; ``items`` itself is not prefetched. Five queries, however many
    contributors, subjects and copies the record has.
    """
    records = Record.objects.prefetch_related(
        Prefetch(
            "contributions",
            queryset=RecordContributor.objects.select_related("contributor").order_by(
                "position", "pk"
            ),
        ),
        Prefetch(
            "subject_links",
            queryset=RecordSubject.objects.select_related("subject").order_by("position", "pk"),
        ),
        Prefetch("identifiers", queryset=Identifier.objects.order_by("position", "pk")),
        Prefetch(
            "items",
            queryset=Item.objects.exclude(status=Item.Status.WITHDRAWN)
            .select_related("branch")
            .order_by(_CENTRAL_FIRST, "branch__name", "branch_id", "call_number", "barcode"),
            to_attr="public_items",
        ),
    )
    return get_object_or_404(records, pk=pk)


def availability_by_branch(record_ids: Iterable[int]) -> dict[int, list[BranchAvailability]]:
    """For each record id, its copies per branch (withdrawn ones left out), central first.

    One query for any number of records; a record without copies maps to an
    empty list. "Available" means on the shelf now, reference-only copies
    included: they can be read in the library.
    """
    ids = list(dict.fromkeys(record_ids))
    availability: dict[int, list[BranchAvailability]] = {pk: [] for pk in ids}
    if not ids:
        return availability
    rows = (
        Item.objects.filter(record_id__in=ids)
        .exclude(status=Item.Status.WITHDRAWN)
        .values("record_id", "branch_id", "branch__name", "branch__kind")
        .annotate(
            total=Count("pk"),
            available=Count("pk", filter=Q(status=Item.Status.AVAILABLE)),
        )
        .order_by("record_id", _CENTRAL_FIRST, "branch__name", "branch_id")
    )
    for row in rows:
        availability[row["record_id"]].append(
            BranchAvailability(
                branch_id=row["branch_id"],
                branch_name=row["branch__name"],
                available=row["available"],
                total=row["total"],
            )
        )
    return availability


def record_holdings(record: Record) -> list[BranchHoldings]:
    """The copies of a record from ``public_record``, grouped by branch with their counts."""
    by_branch: dict[int, list[Item]] = {}
    for item in record.public_items:
        by_branch.setdefault(item.branch_id, []).append(item)
    return [
        BranchHoldings(availability=branch, items=by_branch.get(branch.branch_id, []))
        for branch in availability_by_branch([record.pk])[record.pk]
    ]


def availability_summary(branches: list[BranchAvailability]) -> str:
    """One line for patrons: "3 available at Perpustakaan Pusat, 1 at Cabang Utara".

    Branches with nothing on the shelf are left out of the line; when no
    branch has a copy available, the line says how many copies there are.
    """
    on_shelves = [branch for branch in branches if branch.available]
    if on_shelves:
        first, *others = on_shelves
        parts = [
            gettext("%(count)d available at %(branch)s")
            % {"count": first.available, "branch": first.branch_name},
            *(
                gettext("%(count)d at %(branch)s")
                % {"count": branch.available, "branch": branch.branch_name}
                for branch in others
            ),
        ]
        return ", ".join(parts)
    total = sum(branch.total for branch in branches)
    if total:
        return ngettext(
            "None available now (%(total)d copy, on loan or away from the shelf)",
            "None available now (%(total)d copies, on loan or away from the shelves)",
            total,
        ) % {"total": total}
    return gettext("The library has no copies of this title.")
