"""Catalogue records -> MARC 21 (ISO 2709) or MARCXML, streamed from the database.

An imported record is exported from the MARC record it came with, so fields
the catalogue does not model (notes on provenance, 880 vernacular script,
authority links) go out as they came in. Staff may have edited the record
since; each part of the description the catalogue manages is compared with
what the mapping reads from the original, and only a part that differs is
rebuilt from the catalogue's values (``overlay.apply_edits``). A record
catalogued by staff has no original and is built from its values alone
(``_new_marc``).

Real data carries control characters (a ``\\x1f`` inside 001) that would
corrupt ISO 2709 and make XML ill-formed; ``sanitize`` removes them, and
repairs tags, indicators and subfield codes that MARCXML cannot hold, before
anything is written.
"""

import datetime
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import BinaryIO, Literal

import pymarc
from django.conf import settings
from django.db.models import (
    CharField,
    Prefetch,
    QuerySet,
    prefetch_related_objects,
)
from django.utils import timezone

from ..models import Identifier, Item, Record, RecordContributor, RecordSubject
from . import compose
from .overlay import apply_edits
from .types import ContributorData, IdentifierData, RecordData, SubjectData
from .writers import marcxml_collection, sanitize, to_iso2709

logger = logging.getLogger(__name__)

FORMATS = ("marc", "marcxml")
# Records fetched (and their relations prefetched) per round trip to the database.
CHUNK_SIZE = 500
DEFAULT_ORGANIZATION_CODE = "Serambi"
ITEM_TAG = "952"


def organization_code() -> str:
    """MARC organization code written in 003 and 040 of records catalogued here."""
    return getattr(settings, "SERAMBI_MARC_ORGANIZATION_CODE", "") or DEFAULT_ORGANIZATION_CODE


# ----------------------------------------------------------------------- one record


def current_data(record: Record) -> RecordData:
    """The record as the catalogue holds it now, in the mapping's terms.

    Reads ``contributions``, ``subject_links`` and ``identifiers``: prefetch them
    (``write_records`` does) when exporting many records.
    """
    return RecordData(
        title=record.title,
        subtitle=record.subtitle,
        responsibility=record.responsibility,
        edition=record.edition,
        publisher=record.publisher,
        publication_place=record.publication_place,
        year=record.year,
        physical_description=record.physical_description,
        series=record.series,
        notes=record.notes,
        summary=record.summary,
        language=record.language,
        material_type=record.material_type,
        audience=record.audience,
        ddc=record.ddc,
        call_number=record.call_number,
        is_local_content=record.is_local_content,
        control_number=record.control_number,
        control_number_source=record.control_number_source,
        contributors=[
            ContributorData(
                name=link.contributor.name,
                dates=link.contributor.dates,
                kind=link.contributor.kind,
                role=link.role,
                is_main=link.is_main,
            )
            for link in record.contributions.all()
        ],
        subjects=[
            SubjectData(heading=link.subject.heading, kind=link.subject.kind)
            for link in record.subject_links.all()
        ],
        identifiers=[
            IdentifierData(
                scheme=identifier.scheme,
                value=identifier.value,
                normalized=identifier.normalized,
                qualifier=identifier.qualifier,
                is_valid=identifier.is_valid,
                is_cancelled=identifier.is_cancelled,
            )
            for identifier in record.identifiers.all()
        ],
    )


def record_to_marc(record: Record, *, with_items: bool = False) -> pymarc.Record:
    """The MARC record to export for ``record``: its stored original with the staff's
    edits laid over it, or one built from its values when it has no original.

    Copies (952) are those the catalogue holds now, and only ``with_items``; 952
    fields of the original describe another library's copies and never go out.
    The result may still hold control characters from the original: pass it
    through ``sanitize`` before writing it anywhere.
    """
    data = current_data(record)
    _single_main_entry(data)
    marc = _stored_marc(record)
    if marc is None:
        marc = _new_marc(record, data)
    else:
        apply_edits(
            marc,
            data,
            default_control_number=f"serambi-{record.pk}",
            organization=organization_code(),
            timestamp=_timestamp(record.updated_at),
            today=timezone.localdate(),
            stored_lengths=_stored_lengths(),
        )
    for field in marc.get_fields(ITEM_TAG):
        marc.remove_field(field)
    if with_items:
        for item in record.items.all():
            marc.add_ordered_field(_item_field(item, record))
    return marc


@cache
def _stored_lengths() -> dict[str, int]:
    """Longest value each text field of Record holds (the importer shortens longer ones)."""
    return {
        field.name: field.max_length
        for field in Record._meta.concrete_fields
        if isinstance(field, CharField) and field.max_length
    }


def _single_main_entry(data: RecordData) -> None:
    """MARC has one 1XX; a second contributor marked main becomes an added entry."""
    main_seen = False
    for contributor in data.contributors:
        if contributor.is_main and main_seen:
            contributor.is_main = False
        main_seen = main_seen or contributor.is_main


def _stored_marc(record: Record) -> pymarc.Record | None:
    if not record.marc:
        return None
    try:
        parsed = pymarc.parse_json_to_array(json.dumps(record.marc))
    except (pymarc.exceptions.PymarcException, ValueError, TypeError, KeyError, IndexError):
        parsed = []
    if not parsed or parsed[0] is None:
        logger.warning(
            "Stored MARC of record %s cannot be read; exporting it from its fields", record.pk
        )
        return None
    return parsed[0]


def _timestamp(moment: datetime.datetime | None) -> str:
    """005 "date and time of latest transaction": yyyymmddhhmmss.f in the library's zone."""
    moment = timezone.localtime(moment) if moment else timezone.localtime()
    return moment.strftime("%Y%m%d%H%M%S") + ".0"


def _new_marc(record: Record, data: RecordData) -> pymarc.Record:
    """A MARC 21 record for a title catalogued by staff (no original to start from)."""
    marc = pymarc.Record(leader=str(compose.leader(data)))
    entered = timezone.localdate(record.created_at) if record.created_at else timezone.localdate()
    organization = organization_code()
    main = [c for c in data.contributors if c.is_main]
    added = [c for c in data.contributors if not c.is_main]
    marc.add_field(
        pymarc.Field(tag="001", data=data.control_number or f"serambi-{record.pk}"),
        pymarc.Field(tag="003", data=data.control_number_source or organization),
        pymarc.Field(tag="005", data=_timestamp(record.updated_at)),
        pymarc.Field(tag="008", data=compose.fixed_field(data, entered=entered)),
        *compose.identifier_fields(data.identifiers),
        compose.data_field("040", "  ", ("a", organization), ("c", organization)),
        *compose.classification_field(data.ddc),
        *compose.call_number_field(data.call_number),
        *[compose.name_field(contributor) for contributor in main],
        compose.title_field(data, has_main_entry=bool(main)),
        *compose.edition_field(data.edition),
        *compose.publication_field(data),
        *compose.physical_field(data.physical_description),
        *compose.series_field(data.series),
        *compose.note_fields(data.notes),
        *compose.note_fields(data.summary, tag="520"),
        *[compose.subject_field(subject) for subject in data.subjects],
        *[compose.name_field(contributor) for contributor in added],
    )
    return marc


def _item_field(item: Item, record: Record) -> pymarc.Field:
    return compose.item_field(
        barcode=item.barcode,
        branch_code=item.branch.code,
        call_number=item.call_number or record.call_number,
        shelf_location=item.shelf_location,
        price=item.price,
        acquired_on=item.acquired_on,
        not_for_loan=not item.is_loanable,
        lost=item.status == Item.Status.LOST,
        damaged=item.status == Item.Status.DAMAGED,
        withdrawn=item.status == Item.Status.WITHDRAWN,
    )


def _prepared(records: Iterable[Record], *, with_items: bool) -> Iterator[Record]:
    """``records`` in chunks, each chunk's contributors, subjects, identifiers (and items)
    fetched in one query per relation: a constant number of queries per chunk."""
    lookups: list = [
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
    ]
    if with_items:
        lookups.append(
            Prefetch("items", queryset=Item.objects.select_related("branch").order_by("barcode"))
        )
    source = (
        records.iterator(chunk_size=CHUNK_SIZE) if isinstance(records, QuerySet) else iter(records)
    )
    while chunk := list(islice(source, CHUNK_SIZE)):
        prefetch_related_objects(chunk, *lookups)
        yield from chunk


def write_records(
    records: Iterable[Record],
    out: BinaryIO,
    *,
    fmt: Literal["marc", "marcxml"],
    with_items: bool = False,
) -> int:
    """Write ``records`` to ``out`` as ISO 2709 ("marc") or a MARCXML collection; return how
    many were written.

    Records are read in chunks (pass a QuerySet; it is iterated, never loaded
    whole), so memory stays flat however large the catalogue is.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown MARC format {fmt!r}; expected one of {', '.join(FORMATS)}")
    written = 0
    prepared = _prepared(records, with_items=with_items)
    if fmt == "marc":
        for record in prepared:
            data = to_iso2709(sanitize(record_to_marc(record, with_items=with_items)))
            if data is not None:
                out.write(data)
                written += 1
        return written
    with marcxml_collection(out) as write:
        for record in prepared:
            write(sanitize(record_to_marc(record, with_items=with_items)))
            written += 1
    return written


# ------------------------------------------------------------------------ selection


def records_for_export(*, ids: Sequence[int] | None = None, query: str = "") -> QuerySet[Record]:
    """Records to export, in catalogue order of creation: all of them, those with the
    given ids, and/or those a catalogue search for ``query`` finds (the same query
    language as the OPAC, so an export holds what a search shows).
    """
    # Imported here: the search app builds on the catalogue, not the other way round.
    from serambi.search.services import matching_record_ids

    records = Record.objects.order_by("pk")
    if ids is not None:
        records = records.filter(pk__in=list(ids))
    query = query.strip()
    if query:
        records = records.filter(pk__in=matching_record_ids(query))
    return records
