"""Write prepared batches of MARC records into the catalogue: match, then write in bulk.

Matching, in this order:

1. the control number and its source, 001 and 003 (``control_number``,
   ``control_number_source``);
2. otherwise any valid, non-cancelled ISBN, against records that carry no
   control number or one from another source. Two records of one catalogue
   with different 001s are two works even when they share an ISBN (volumes of
   a set often do), so they are never merged;
3. a record with neither (no 001, no valid ISBN) matches a record without
   control number that holds exactly the same MARC (``marc_hash``): it was
   imported before, and is skipped. Any difference makes it a new record,
   since nothing else says which record it would be.

A match whose stored MARC has the same hash is skipped. Otherwise the
record's fields are replaced, and its contributors, subjects and identifiers
with them; its items stay. A record without 001 that matched by ISBN keeps
the control number it had.

Each batch takes a few queries, whatever its size: one to find matches by
control number, one by ISBN, one by MARC (one per 900 values of each), then a few
statements per table, the search index's included. Matches are found and
rows written with plain SQL: the rows arrive in database form (strings,
numbers, JSON text, see ``prepare.py``), and running every value through the
ORM's field classes, as ``bulk_create`` and ``__in`` lookups do, took more
time than all the rest of the writing.

New copies (items):

* ``items_per_record=N`` with ``branch``: N items for each *new* record,
  barcoded ``<BRANCH CODE>-<8 digits>`` (``PUSAT-00000042``), numbered on
  from the highest barcode of that form, so they never collide with existing
  ones; call number from the record, status available.
* ``barcodes_from_holdings``: one item per 852/952 holding, for new and
  updated records, in the branch named by the holding's branch code (in any
  case) or else in ``branch``. A barcode another record's item has is
  reported and skipped; one the same record has is left alone. A new record
  without holdings still gets its ``items_per_record`` items.
"""

import enum
import itertools
import operator
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import JSONField, Max, Model
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.search.indexing import FIELDS as SEARCH_FIELDS
from serambi.search.indexing import one_state_change
from serambi.search.models import Document, Term

from ..models import (
    Contributor,
    Identifier,
    Item,
    Record,
    RecordContributor,
    RecordSubject,
    Subject,
)
from ..services import clean_barcode
from .batches import Batch
from .prepare import MAPPED_FIELDS, HoldingRow, PreparedRecord
from .problems import WARNING, ImportProblem

GENERATED_BARCODE_DIGITS = 8
_ITEM_CALL_NUMBER_LENGTH = Item._meta.get_field("call_number").max_length


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    # Every record the batch created or updated.
    record_ids: list[int] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Target:
    """A catalogue record as the batch leaves it: existing (with an id) or new."""

    record_id: int | None
    control_source: str
    control_number: str
    marc_hash: str
    incoming: PreparedRecord | None = None  # what to write into it; None: nothing
    is_new: bool = False


class BatchWriter:
    """Writes batches into the catalogue, each inside the caller's transaction."""

    def __init__(
        self,
        *,
        items_per_record: int = 0,
        branch: Branch | None = None,
        barcodes_from_holdings: bool = False,
    ) -> None:
        self.items_per_record = items_per_record
        self.branch = branch
        self.barcodes_from_holdings = barcodes_from_holdings
        self.branches_by_code = (
            {known.code.casefold(): known for known in Branch.objects.all()}
            if barcodes_from_holdings
            else {}
        )
        self.barcodes = _barcode_sequence(branch) if items_per_record and branch else iter(())
        fields = [field for field in Record._meta.concrete_fields if not field.primary_key]
        self.records = _Table(Record, [field.name for field in fields])
        # Every column a new record needs; MARC gives most, the fields' defaults the rest.
        self.record_defaults = {
            field.name: _plain(field.get_db_prep_save(field.get_default(), connection))
            for field in fields
        }
        self.record_updates = _Table(Record, [*MAPPED_FIELDS, "marc", "marc_hash", "updated_at"])
        self.contributors = _Table(
            Contributor, ["key", "name", "dates", "kind", "created_at", "updated_at"]
        )
        self.subjects = _Table(Subject, ["key", "heading", "kind", "created_at", "updated_at"])
        self.contributions = _Table(
            RecordContributor, ["record", "contributor", "role", "position", "is_main"]
        )
        self.subject_links = _Table(RecordSubject, ["record", "subject", "position"])
        self.identifiers = _Table(
            Identifier,
            [
                "record",
                "scheme",
                "value",
                "normalized",
                "qualifier",
                "is_valid",
                "is_cancelled",
                "position",
            ],
        )
        self.documents = _Table(Document, ["record", *SEARCH_FIELDS])
        self.terms = _Table(Term, ["term"])
        # Words this writer has put in the vocabulary (or found there): most of a
        # batch's words came in an earlier batch, and asking for them again cost
        # more than adding the new ones (6 of 100 s at 250,000 records). Right as
        # long as every batch commits: import_marc stops at the first that fails.
        self.known_terms: set[str] = set()

    def write(self, batch: Batch) -> BatchOutcome:
        with one_state_change():
            return self._write(batch)

    def _write(self, batch: Batch) -> BatchOutcome:
        outcome = BatchOutcome(problems=list(batch.problems))
        targets = self._plan(batch.records, outcome)
        new = [target for target in targets if target.is_new]
        replaced = [target for target in targets if not target.is_new]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self._insert_records(new, now)
        self._update_records(replaced, now)
        if replaced:
            ids = [target.record_id for target in replaced]
            for model in (RecordContributor, RecordSubject, Identifier):
                model.objects.filter(record_id__in=ids).delete()
        self._link_contributors(targets, now)
        self._link_subjects(targets, now)
        self._add_identifiers(targets)
        self._add_items(new, targets, batch.file, outcome)
        self._save_search_documents(targets)
        outcome.record_ids = [target.record_id for target in targets]
        outcome.problems.sort(key=lambda problem: problem.record_number or 0)
        return outcome

    # --- matching

    def _plan(self, records: list[PreparedRecord], outcome: BatchOutcome) -> list[_Target]:
        """Decide for each record: new, an update of a target, or skipped; count each.

        The records are taken in file order against the catalogue as this
        batch leaves it, so a record twice in one file is created once and
        then updated (or skipped), just as if the two were batches apart.
        """
        by_control, by_isbn, by_marc = _existing_targets(records)
        written: list[_Target] = []
        for prepared in records:
            fields = prepared.fields
            key = (fields["control_number_source"], fields["control_number"])
            target = by_control.get(key) if key[1] else None
            if target is None:
                target = _match_by_isbn(prepared, by_isbn)
            if target is None and not key[1] and not prepared.isbns:
                target = by_marc.get(prepared.marc_hash)
            if target is None:
                target = _Target(None, "", "", "", is_new=True)
                outcome.created += 1
            elif target.marc_hash == prepared.marc_hash:
                outcome.skipped += 1
                continue
            else:
                outcome.updated += 1
            if target.incoming is None:
                written.append(target)
            target.incoming = prepared
            if by_marc.get(target.marc_hash) is target:
                del by_marc[target.marc_hash]
            target.marc_hash = prepared.marc_hash
            if key[1]:
                by_control.pop((target.control_source, target.control_number), None)
                target.control_source, target.control_number = key
                by_control[key] = target
            else:  # it keeps the identity it had
                fields["control_number_source"] = target.control_source
                fields["control_number"] = target.control_number
            for isbn in prepared.isbns:
                candidates = by_isbn.setdefault(isbn, [])
                if target not in candidates:
                    candidates.append(target)
            if not target.control_number:
                by_marc[target.marc_hash] = target
        return written

    # --- records

    def _insert_records(self, targets: list[_Target], now: Any) -> None:
        defaults = self.record_defaults | {"created_at": now, "updated_at": now}
        rows = [
            self.records.row(
                defaults
                | target.incoming.fields
                | {"marc": target.incoming.marc_json, "marc_hash": target.incoming.marc_hash}
            )
            for target in targets
        ]
        ids = self.records.insert(rows, returning_ids=True)
        for target, record_id in zip(targets, ids, strict=True):
            target.record_id = record_id

    def _update_records(self, targets: list[_Target], now: Any) -> None:
        rows = [
            (
                target.record_id,
                self.record_updates.row(
                    target.incoming.fields
                    | {
                        "marc": target.incoming.marc_json,
                        "marc_hash": target.incoming.marc_hash,
                        "updated_at": now,
                    }
                ),
            )
            for target in targets
        ]
        self.record_updates.update(rows)

    # --- contributors, subjects, identifiers

    def _link_contributors(self, targets: list[_Target], now: Any) -> None:
        found: dict[str, tuple] = {}  # the first spelling of each contributor
        for target in targets:
            for row in target.incoming.contributors:
                found.setdefault(row[0], row)
        # A new contributor's row: key, name, dates, kind, created_at, updated_at.
        ids = _ids_by_key(self.contributors, found, lambda key: (*found[key][:4], now, now))
        rows = []
        for target in targets:
            links: set[tuple[int, str]] = set()
            for key, _name, _dates, _kind, role, is_main in target.incoming.contributors:
                link = (ids[key], role)
                # Two spellings of one person in one role make one link.
                if link not in links:
                    links.add(link)
                    rows.append((target.record_id, *link, len(links) - 1, is_main))
        self.contributions.insert(rows)

    def _link_subjects(self, targets: list[_Target], now: Any) -> None:
        found: dict[str, tuple] = {}
        for target in targets:
            for row in target.incoming.subjects:
                found.setdefault(row[0], row)
        ids = _ids_by_key(self.subjects, found, lambda key: (*found[key], now, now))
        rows = []
        for target in targets:
            links: set[int] = set()
            for key, _heading, _kind in target.incoming.subjects:
                if ids[key] not in links:
                    links.add(ids[key])
                    rows.append((target.record_id, ids[key], len(links) - 1))
        self.subject_links.insert(rows)

    def _add_identifiers(self, targets: list[_Target]) -> None:
        self.identifiers.insert(
            [
                (target.record_id, *identifier, position)
                for target in targets
                for position, identifier in enumerate(target.incoming.identifiers)
            ]
        )

    # --- the search index

    def _save_search_documents(self, targets: list[_Target]) -> None:
        """What ``search.indexing.save_documents`` writes, in plain SQL like the rest.

        The index changes in the same transaction as the records: an updated
        record's document is replaced (the database's triggers or generated
        column follow), and the batch's words join the vocabulary.
        """
        self.documents.insert(
            [(target.record_id, *target.incoming.search_text) for target in targets],
            replace_on="record",
            full_text=True,
        )
        words = {word for target in targets for word in target.incoming.search_terms}
        words -= self.known_terms
        self.terms.insert(
            [(word,) for word in sorted(words)], ignore_conflicts=True, full_text=True
        )
        self.known_terms |= words

    # --- items

    def _add_items(
        self, new: list[_Target], written: list[_Target], file: str, outcome: BatchOutcome
    ) -> None:
        items = []
        if self.barcodes_from_holdings:
            items = self._items_from_holdings(written, file, outcome)
        if self.items_per_record:
            with_holdings = {item.record_id for item in items}
            items.extend(
                Item(
                    record_id=target.record_id,
                    barcode=next(self.barcodes),
                    branch=self.branch,
                    call_number=target.incoming.fields["call_number"][:_ITEM_CALL_NUMBER_LENGTH],
                    status=Item.Status.AVAILABLE,
                )
                for target in new
                if target.record_id not in with_holdings
                for _copy in range(self.items_per_record)
            )
        Item.objects.bulk_create(items)

    def _items_from_holdings(
        self, targets: list[_Target], file: str, outcome: BatchOutcome
    ) -> list[Item]:
        holdings = [(target, holding) for target in targets for holding in target.incoming.holdings]
        # Upper- and lower-case forms too: the staff pages take "b01" and "B01" as one.
        forms = {
            form
            for _target, (barcode, *_rest) in holdings
            for form in (barcode, barcode.upper(), barcode.lower())
        }
        owners = {
            barcode.casefold(): record_id
            for barcode, record_id in Item.objects.filter(barcode__in=forms).values_list(
                "barcode", "record_id"
            )
        }
        items = []
        for target, holding in holdings:
            barcode, call_number, shelf_location, branch_code, price = holding
            problem = None
            try:
                barcode = clean_barcode(barcode)
            except DomainError as error:
                problem = error.message
            else:
                owner = owners.get(barcode.casefold())
                branch = self.branches_by_code.get(branch_code.casefold(), self.branch)
                if owner == target.record_id:
                    continue  # imported before: the copy is already there
                if owner is not None:
                    problem = _("another record's item already has this barcode")
                elif branch is None:
                    problem = _(
                        "no branch has the code %(code)r and no branch was chosen for new items"
                    ) % {"code": branch_code}
            if problem:
                outcome.problems.append(_holding_problem(file, target.incoming, holding, problem))
                continue
            owners[barcode.casefold()] = target.record_id
            items.append(
                Item(
                    record_id=target.record_id,
                    barcode=barcode,
                    branch=branch,
                    call_number=call_number,
                    shelf_location=shelf_location,
                    price=price,
                    status=Item.Status.AVAILABLE,
                )
            )
        return items


def _ids_by_key(
    table: "_Table", keys: Collection[str], new_row: Callable[[str], tuple]
) -> dict[str, int]:
    """Ids of the contributors or subjects with these keys; the missing ones are inserted.

    One look-up, one insert of the missing rows, one look-up of their ids.
    Rows that someone else adds meanwhile are ignored on insert and found by
    the second look-up, so no transaction fails on the unique key.
    """
    ids = table.ids_by_key(keys)
    missing = [key for key in keys if key not in ids]
    if missing:
        table.insert([new_row(key) for key in missing], ignore_conflicts=True)
        ids.update(table.ids_by_key(missing))
    return ids


def _holding_problem(
    file: str, prepared: PreparedRecord, holding: HoldingRow, reason: str
) -> ImportProblem:
    message = _("copy %(barcode)s was not created: %(reason)s") % {
        "barcode": holding[0],
        "reason": reason,
    }
    return ImportProblem(file, prepared.number, prepared.control_number, message, WARNING)


def _existing_targets(
    records: list[PreparedRecord],
) -> tuple[dict[tuple[str, str], _Target], dict[str, list[_Target]], dict[str, _Target]]:
    """The catalogue records this batch may match, by control number, by ISBN and (for
    records without either) by MARC: a query or three for the whole batch.

    Plain SQL, like the writes: the ORM's handling of two thousand values in
    ``__in`` lookups, one by one, cost more than the queries themselves.
    """
    targets: dict[int, _Target] = {}
    numbers_by_source: dict[str, set[str]] = {}
    for prepared in records:
        if number := prepared.fields["control_number"]:
            source = prepared.fields["control_number_source"]
            numbers_by_source.setdefault(source, set()).add(number)
    by_control: dict[tuple[str, str], _Target] = {}
    for source, number, record_id, digest in _records_by_control_number(numbers_by_source):
        targets[record_id] = by_control[(source, number)] = _Target(
            record_id, source, number, digest
        )
    isbns = {
        isbn
        for prepared in records
        if (prepared.fields["control_number_source"], prepared.fields["control_number"])
        not in by_control
        for isbn in prepared.isbns
    }
    by_isbn: dict[str, list[_Target]] = {}
    for isbn, record_id, source, number, digest in _records_by_isbn(isbns):
        target = targets.setdefault(record_id, _Target(record_id, source, number, digest))
        candidates = by_isbn.setdefault(isbn, [])
        if target not in candidates:
            candidates.append(target)
    digests = {
        prepared.marc_hash
        for prepared in records
        if not prepared.fields["control_number"] and not prepared.isbns
    }
    by_marc: dict[str, _Target] = {}
    for digest, record_id, source in _unnumbered_records_by_marc_hash(digests):
        target = targets.setdefault(record_id, _Target(record_id, source, "", digest))
        by_marc.setdefault(digest, target)  # the oldest, should there be several
    return by_control, by_isbn, by_marc


# Values in one IN (...) list: within the smallest number of parameters SQLite may be built with.
_IN_LIST_SIZE = 900


def _in_lists(values: Collection[str]) -> Iterator[tuple[list[str], str]]:
    """The values in slices of _IN_LIST_SIZE, each with its ``%s, %s …`` placeholders."""
    values = list(values)
    for first in range(0, len(values), _IN_LIST_SIZE):
        chunk = values[first : first + _IN_LIST_SIZE]
        yield chunk, ", ".join(["%s"] * len(chunk))


def _records_by_control_number(
    numbers_by_source: dict[str, set[str]],
) -> list[tuple[str, str, int, str]]:
    """(source, number, id, marc_hash) of the records with these control numbers."""
    quote = connection.ops.quote_name
    number = quote(Record._meta.get_field("control_number").column)
    source = quote(Record._meta.get_field("control_number_source").column)
    digest = quote(Record._meta.get_field("marc_hash").column)
    pk = quote(Record._meta.pk.column)
    table = quote(Record._meta.db_table)
    found = []
    with connection.cursor() as cursor:
        for source_value, numbers in numbers_by_source.items():
            for chunk, in_list in _in_lists(numbers):
                # Names from the model's metadata, values as parameters. NOT (number = ''):
                # the condition of the unique index, so that the index is used.
                sql = (
                    f"SELECT {number}, {pk}, {digest} FROM {table} "  # noqa: S608
                    f"WHERE {source} = %s AND {number} IN ({in_list}) AND NOT ({number} = '')"
                )
                cursor.execute(sql, [source_value, *chunk])
                found.extend(
                    (source_value, number_value, record_id, digest_value)
                    for number_value, record_id, digest_value in cursor.fetchall()
                )
    return found


def _records_by_isbn(isbns: Collection[str]) -> list[tuple[str, int, str, str, str]]:
    """(ISBN, id, control number source, control number, marc_hash) of the records that
    carry these ISBNs (valid, not cancelled), by id."""
    quote = connection.ops.quote_name
    identifier = {
        name: f"i.{quote(Identifier._meta.get_field(name).column)}"
        for name in ("normalized", "record", "scheme", "is_cancelled")
    }
    record = {
        name: f"r.{quote(Record._meta.get_field(name).column)}"
        for name in ("id", "control_number_source", "control_number", "marc_hash")
    }
    # Names from the models' metadata, values as parameters.
    select = (
        f"SELECT {identifier['normalized']}, {identifier['record']}, "  # noqa: S608
        f"{record['control_number_source']}, {record['control_number']}, {record['marc_hash']} "
        f"FROM {quote(Identifier._meta.db_table)} i "
        f"INNER JOIN {quote(Record._meta.db_table)} r ON {identifier['record']} = {record['id']} "
        f"WHERE {identifier['scheme']} = %s AND {identifier['is_cancelled']} = %s "
    )
    rows = []
    with connection.cursor() as cursor:
        for chunk, in_list in _in_lists(isbns):
            sql = f"{select} AND {identifier['normalized']} IN ({in_list})"
            cursor.execute(sql, [Identifier.Scheme.ISBN.value, False, *chunk])
            rows.extend(cursor.fetchall())
    rows.sort(key=operator.itemgetter(1))
    return rows


def _unnumbered_records_by_marc_hash(digests: Collection[str]) -> list[tuple[str, int, str]]:
    """(marc_hash, id, control number source) of the records without control number that
    hold MARC with these hashes, by id (``record_marc_hash_unnumbered`` is their index)."""
    quote = connection.ops.quote_name
    column = {
        name: quote(Record._meta.get_field(name).column)
        for name in ("marc_hash", "id", "control_number_source", "control_number")
    }
    found = []
    with connection.cursor() as cursor:
        for chunk, in_list in _in_lists(digests):
            # Names from the model's metadata, values as parameters. control_number = '':
            # the condition of the partial index, so that the index is used.
            sql = (
                f"SELECT {column['marc_hash']}, {column['id']}, "  # noqa: S608
                f"{column['control_number_source']} FROM {quote(Record._meta.db_table)} "
                f"WHERE {column['control_number']} = '' AND {column['marc_hash']} IN ({in_list})"
            )
            cursor.execute(sql, chunk)
            found.extend(cursor.fetchall())
    found.sort(key=operator.itemgetter(1))
    return found


def _match_by_isbn(prepared: PreparedRecord, by_isbn: dict[str, list[_Target]]) -> _Target | None:
    source = prepared.fields["control_number_source"]
    has_number = bool(prepared.fields["control_number"])
    for isbn in prepared.isbns:
        for target in by_isbn.get(isbn, ()):
            if not has_number or not target.control_number or target.control_source != source:
                return target
    return None


def _plain(value: Any) -> Any:
    """A choices member (``MaterialType.BOOK``) as the plain value the database driver takes."""
    return value.value if isinstance(value, enum.Enum) else value


def _barcode_sequence(branch: Branch) -> Iterator[str]:
    """Barcodes ``<BRANCH CODE>-<8 digits>``, numbered on from the highest of that form."""
    prefix = f"{branch.code.upper()}-"
    highest = Item.objects.filter(
        barcode__regex=rf"^{re.escape(prefix)}[0-9]{{{GENERATED_BARCODE_DIGITS}}}$"
    ).aggregate(highest=Max("barcode"))["highest"]
    start = int(highest[len(prefix) :]) + 1 if highest else 1
    return (f"{prefix}{number:0{GENERATED_BARCODE_DIGITS}d}" for number in itertools.count(start))


class _Table:
    """Plain-SQL bulk writes of some columns of one model's table.

    Rows are tuples in the order of ``field_names``, holding values already in
    database form: ``str``, ``int``, ``bool``, ``None``, JSON as text, and
    datetimes passed through ``connection.ops.adapt_datetimefield_value``.
    """

    # PostgreSQL takes at most 65,535 parameters in one statement.
    MAX_PARAMETERS = 65_535

    def __init__(self, model: type[Model], field_names: Sequence[str]) -> None:
        self.model = model
        self._pick = operator.itemgetter(*field_names)
        self.fields = [model._meta.get_field(name) for name in field_names]
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        # JSON arrives as text; PostgreSQL must be told to read it as jsonb.
        self.placeholders = [
            "CAST(%s AS jsonb)"
            if isinstance(f, JSONField) and connection.vendor == "postgresql"
            else "%s"
            for f in self.fields
        ]

    def row(self, values: dict[str, Any]) -> tuple:
        return self._pick(values)

    def insert(
        self,
        rows: list[tuple],
        *,
        returning_ids: bool = False,
        ignore_conflicts: bool = False,
        replace_on: str | None = None,
        full_text: bool = False,
    ) -> list[int]:
        """Insert the rows; with ``returning_ids``, return their new ids in order.

        ``replace_on`` names a unique field: a row whose value there exists
        already sets that row's other columns instead. ``full_text`` is for a
        table that feeds an FTS5 index through triggers: FTS5 writes out what
        it holds at the end of every statement, so one statement per row (as
        ``executemany`` runs them) made a segment of the index per row, two to
        three times slower. Such rows go in statements of the size
        ``bulk_create`` gives them, which also leaves the index as
        ``bulk_create`` did.
        """
        if not rows:
            return []
        unique_columns: list[str] | None = None
        update_columns: list[str] | None = None
        if replace_on is not None:
            on_conflict = OnConflict.UPDATE
            unique_columns = [self.model._meta.get_field(replace_on).column]
            update_columns = [f.column for f in self.fields if f.column not in unique_columns]
        else:
            on_conflict = OnConflict.IGNORE if ignore_conflicts else None
        insert = connection.ops.insert_statement(on_conflict=on_conflict)
        conflict = connection.ops.on_conflict_suffix_sql(
            self.fields, on_conflict, update_columns, unique_columns
        )
        row_sql = f"({', '.join(self.placeholders)})"
        with connection.cursor() as cursor:
            if not full_text and (not returning_ids or self._numbered_in_order(on_conflict)):
                sql = f"{insert} {self.table} ({self.columns}) VALUES {row_sql} {conflict}"
                cursor.executemany(sql, rows)
                if not returning_ids:
                    return []
                cursor.execute("SELECT last_insert_rowid()")
                (last,) = cursor.fetchone()
                return list(range(last - len(rows) + 1, last + 1))
            # Several rows per statement, each statement returning the ids it made.
            returning = (
                connection.ops.return_insert_columns([self.model._meta.pk])[0]
                if returning_ids
                else ""
            )
            size = min(
                connection.ops.bulk_batch_size(self.fields, rows),
                self.MAX_PARAMETERS // len(self.fields),
            )
            ids = []
            for first in range(0, len(rows), size):
                chunk = rows[first : first + size]
                values = ", ".join([row_sql] * len(chunk))
                sql = (
                    f"{insert} {self.table} ({self.columns}) VALUES {values} {conflict} {returning}"
                )
                cursor.execute(sql, [value for row in chunk for value in row])
                if returning_ids:
                    ids.extend(row[0] for row in cursor.fetchall())
            return ids

    @staticmethod
    def _numbered_in_order(on_conflict: OnConflict | None) -> bool:
        """Whether rows inserted one by one get consecutive ids, known without asking.

        On SQLite every row of a plain insert takes the next id (one more than
        the highest ever given, AUTOINCREMENT), and no other connection can
        write while this transaction does: the ids of the rows of one
        ``executemany`` are the last one's and those before it. Binding rows
        to one short statement is cheaper than writing and parsing
        multi-row statements with RETURNING, which for the records' 25
        columns came to some 100 KB of SQL per batch, run through Django's
        placeholder conversion too. PostgreSQL's sequences are shared with
        other sessions, so there the ids are returned.
        """
        return connection.vendor == "sqlite" and on_conflict is None

    def update(self, rows: list[tuple[int, tuple]]) -> None:
        """Set the columns of the rows with these ids: (id, values) pairs."""
        if not rows:
            return
        assignments = ", ".join(
            f"{connection.ops.quote_name(f.column)} = {placeholder}"
            for f, placeholder in zip(self.fields, self.placeholders, strict=True)
        )
        pk = connection.ops.quote_name(self.model._meta.pk.column)
        # Only quoted names from the model's metadata go into the SQL; values are parameters.
        sql = f"UPDATE {self.table} SET {assignments} WHERE {pk} = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(*values, record_id) for record_id, values in rows])

    def ids_by_key(self, keys: Collection[str]) -> dict[str, int]:
        """{key: id} of the rows with these keys (for tables with a unique ``key``)."""
        key = connection.ops.quote_name(self.model._meta.get_field("key").column)
        pk = connection.ops.quote_name(self.model._meta.pk.column)
        ids: dict[str, int] = {}
        with connection.cursor() as cursor:
            for chunk, in_list in _in_lists(keys):
                sql = f"SELECT {key}, {pk} FROM {self.table} WHERE {key} IN ({in_list})"  # noqa: S608
                cursor.execute(sql, chunk)
                ids.update(cursor.fetchall())
        return ids
