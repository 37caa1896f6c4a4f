"""One raw MARC record made ready for the writer: decoded, mapped, cleaned and cut to size.

Everything about a record that needs no database happens here, because this
runs in the worker processes of a large import while the writer, the one
part that cannot run in parallel, waits for it: the mapping, the keys that
deduplicate contributors and subjects, the JSON text of the MARC and its
hash, the analyzed text of its search document, the staff pages' clean-up
of names, and values cut to the columns' sizes. The writer receives plain
strings, numbers and tuples, which also cross between processes several
times faster than dataclasses.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass
from json.encoder import encode_basestring as _json
from typing import Any

import pymarc
from django.utils.translation import gettext as _

from serambi.search.indexing import document_text

from ..keys import contributor_key, subject_key
from ..models import Contributor, Identifier, Item, Record, RecordContributor, Subject
from ..services import LIBRARY_OWN_FIELDS, RECORD_FIELDS
from .mapping import MappingError, map_record
from .problems import WARNING, ImportProblem
from .reader import RawRecord, decode_record
from .types import RecordData

logger = logging.getLogger(__name__)

# The record fields an import sets from MARC: all a caller may set but the
# library's own (cover, local-content flag), which survive updates.
MAPPED_FIELDS = tuple(name for name in RECORD_FIELDS if name not in LIBRARY_OWN_FIELDS)

# (key, name, dates, kind, role, is_main)
ContributorRow = tuple[str, str, str, str, str, bool]
# (key, heading, kind)
SubjectRow = tuple[str, str, str]
# (scheme, value, normalized, qualifier, is_valid, is_cancelled)
IdentifierRow = tuple[str, str, str, str, bool, bool]
# (barcode, call number, shelf location, branch code, price)
HoldingRow = tuple[str, str, str, str, int | None]


@dataclass(slots=True)
class PreparedRecord:
    """A record ready to be written: what the catalogue shows, and the MARC it came from."""

    number: int  # in its file
    control_number: str  # 001 as read, for the report
    fields: dict[str, Any]  # MAPPED_FIELDS and is_local_content, cut to the columns' sizes
    marc_json: str  # Record.marc, as JSON text
    marc_hash: str  # mapping.marc_hash of that MARC
    isbns: list[str]  # valid, current ISBNs (ISBN-13), for matching
    contributors: list[ContributorRow]
    subjects: list[SubjectRow]
    identifiers: list[IdentifierRow]
    holdings: list[HoldingRow]
    search_text: tuple[str, ...]  # the record's search document (search.indexing.FIELDS)
    search_terms: list[str]  # its words for "did you mean"


def _max_lengths(model) -> dict[str, int]:
    return {field.name: field.max_length for field in model._meta.fields if field.max_length}


_RECORD_TEXT_LENGTHS = [
    (name, length) for name, length in _max_lengths(Record).items() if name in MAPPED_FIELDS
]
_CONTRIBUTOR_LENGTHS = _max_lengths(Contributor)
_SUBJECT_LENGTHS = _max_lengths(Subject)
_IDENTIFIER_LENGTHS = _max_lengths(Identifier)
_ITEM_LENGTHS = _max_lengths(Item)
_CONTRIBUTOR_KINDS = frozenset(Contributor.Kind.values)
_ROLES = frozenset(RecordContributor.Role.values)
_SUBJECT_KINDS = frozenset(Subject.Kind.values)
_IDENTIFIER_SCHEMES = frozenset(Identifier.Scheme.values)

# The same names and headings come back record after record ("Indonesia --
# History"); folding them anew each time was a tenth of the work.
_contributor_key = functools.lru_cache(maxsize=200_000)(contributor_key)
_subject_key = functools.lru_cache(maxsize=200_000)(subject_key)


def prepare_record(
    raw: RawRecord, file: str, problems: list[ImportProblem]
) -> PreparedRecord | None:
    """The record ready to write, or None when it cannot be imported.

    What is wrong with it goes to ``problems``: why it was rejected, or the
    warnings about a record that is imported all the same.
    """
    result = decode_record(raw)
    if result.record is None:
        problems.append(ImportProblem(file, raw.number, result.control_number, result.error))
        return None
    try:
        data = map_record(result.record)
    except MappingError as error:
        problems.append(ImportProblem(file, raw.number, result.control_number, str(error)))
        return None
    except Exception as error:
        # A fault of the mapping on odd data must not cost the rest of the file.
        logger.exception("MARC mapping failed on record %s of %s", raw.number, file)
        message = _("the record could not be mapped (%(error)s); please report this") % {
            "error": f"{type(error).__name__}: {error}"
        }
        problems.append(ImportProblem(file, raw.number, result.control_number, message))
        return None
    warnings = result.warnings + data.warnings
    fields = _record_fields(data, warnings)
    problems.extend(
        ImportProblem(file, raw.number, result.control_number, warning, WARNING)
        for warning in warnings
    )
    marc_json, digest = marc_json_and_hash(result.record)
    contributors = _contributors(data)
    subjects = _subjects(data)
    search_text, search_terms = document_text(
        fields, names=[row[1] for row in contributors], headings=[row[1] for row in subjects]
    )
    return PreparedRecord(
        number=raw.number,
        control_number=result.control_number,
        fields=fields,
        marc_json=marc_json,
        marc_hash=digest,
        isbns=[
            identifier.normalized
            for identifier in data.identifiers
            if identifier.scheme == "isbn" and identifier.normalized and not identifier.is_cancelled
        ],
        contributors=contributors,
        subjects=subjects,
        identifiers=_identifiers(data),
        holdings=[
            (
                holding.barcode.strip(),
                (holding.call_number or data.call_number)[: _ITEM_LENGTHS["call_number"]],
                holding.shelf_location[: _ITEM_LENGTHS["shelf_location"]],
                holding.branch_code,
                holding.price,
            )
            for holding in data.holdings
        ],
        search_text=search_text,
        search_terms=search_terms,
    )


def marc_json_and_hash(record: pymarc.Record) -> tuple[str, str]:
    """The record as MARC-in-JSON text, and its ``mapping.marc_hash``.

    The text is ``json.dumps(marc_to_dict(record), sort_keys=True,
    ensure_ascii=False)``, which is what marc_hash hashes, written out
    directly: three times faster, and this runs for every record. The tests
    hold the two in step.
    """
    fields = []
    for field in record.fields:
        if field.is_control_field():
            fields.append(f"{{{_json(field.tag)}: {_json(field.data)}}}")
        else:
            subfields = ", ".join(
                [f"{{{_json(code)}: {_json(value)}}}" for code, value in field.subfields]
            )
            fields.append(
                f'{{{_json(field.tag)}: {{"ind1": {_json(field.indicator1)}, '
                f'"ind2": {_json(field.indicator2)}, "subfields": [{subfields}]}}}}'
            )
    text = f'{{"fields": [{", ".join(fields)}], "leader": {_json(str(record.leader))}}}'
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_fields(data: RecordData, warnings: list[str]) -> dict[str, Any]:
    fields = {name: getattr(data, name) for name in MAPPED_FIELDS}
    for name, limit in _RECORD_TEXT_LENGTHS:
        if len(fields[name]) > limit:
            fields[name] = fields[name][:limit]
            warnings.append(
                _("the %(field)s was longer than %(limit)d characters and was shortened")
                % {"field": Record._meta.get_field(name).verbose_name, "limit": limit}
            )
    fields["is_local_content"] = data.is_local_content
    return fields


def _contributors(data: RecordData) -> list[ContributorRow]:
    rows = []
    for contributor in data.contributors:
        key = _contributor_key(contributor.name, contributor.dates)
        if not key:
            continue
        # The same clean-up as the staff pages' (catalog.services).
        name = contributor.name.strip().rstrip(" ,;:/").strip()
        dates = contributor.dates.strip().rstrip(" .,;:").strip()
        rows.append(
            (
                key,
                name[: _CONTRIBUTOR_LENGTHS["name"]],
                dates[: _CONTRIBUTOR_LENGTHS["dates"]],
                contributor.kind if contributor.kind in _CONTRIBUTOR_KINDS else "person",
                contributor.role if contributor.role in _ROLES else "contributor",
                contributor.is_main,
            )
        )
    return rows


def _subjects(data: RecordData) -> list[SubjectRow]:
    rows = []
    for subject in data.subjects:
        key = _subject_key(subject.heading)
        if key:
            heading = subject.heading.strip().rstrip(".").strip()
            kind = subject.kind if subject.kind in _SUBJECT_KINDS else "topic"
            rows.append((key, heading[: _SUBJECT_LENGTHS["heading"]], kind))
    return rows


def _identifiers(data: RecordData) -> list[IdentifierRow]:
    return [
        (
            identifier.scheme,
            identifier.value.strip()[: _IDENTIFIER_LENGTHS["value"]],
            identifier.normalized if identifier.is_valid else "",
            identifier.qualifier[: _IDENTIFIER_LENGTHS["qualifier"]],
            identifier.is_valid,
            identifier.is_cancelled,
        )
        for identifier in data.identifiers
        if identifier.value.strip() and identifier.scheme in _IDENTIFIER_SCHEMES
    ]
