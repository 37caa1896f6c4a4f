"""Keeping the index in step with the catalogue.

The catalogue's services call :func:`index_records` inside the transaction
that writes a record, and the MARC importer writes each batch's documents in
the batch's transaction (its worker processes analyze the text with
:func:`document_text`; its writer puts what :func:`save_documents` would in
plain SQL, and a test holds the two equal), so the index never shows a
record that is not there nor misses one that is. A deleted record takes its
document with it (the foreign key cascades, and the database's own triggers
or generated column follow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch

from serambi.catalog.models import Record, RecordContributor, RecordSubject

from .analyzer import analyze, index_streams, stems_language
from .models import Document, Term

CHUNK = 1000
_SHORTEST_TERM = 3
_LONGEST_TERM = 40


# The indexed fields, in the order document_text gives them.
FIELDS = ("title", "author", "subject", "publisher", "other")
# What document_text reads from a record (or from a record's mapped fields).
SOURCE_FIELDS = (
    "title",
    "subtitle",
    "responsibility",
    "publisher",
    "publication_place",
    "series",
    "edition",
    "notes",
    "summary",
    "control_number",
    "language",
)


def document_text(
    source: Mapping[str, Any], names: Iterable[str], headings: Iterable[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The analyzed text of the indexed fields (in ``FIELDS`` order) and the words to suggest.

    ``source`` holds the ``SOURCE_FIELDS`` of a record. A pure function of plain
    values, so that the MARC importer's worker processes can run it.
    """
    stemmed = stems_language(source["language"])

    def analyzed(*parts: str, stem: bool) -> tuple[list[str], list[str]]:
        return analyze(" ".join(part for part in parts if part), stemmed=stem)

    title = analyzed(source["title"], source["subtitle"], stem=stemmed)
    author = analyzed(*names, source["responsibility"], stem=False)
    subject = analyzed(*headings, stem=stemmed)
    publisher = analyzed(source["publisher"], source["publication_place"], stem=False)
    other = analyzed(
        source["series"],
        source["edition"],
        source["notes"],
        source["summary"],
        source["control_number"],
        stem=stemmed,
    )
    # Words worth suggesting: those a patron types to find a title, a name or a topic.
    vocabulary = {
        word
        for word in (*title[0], *author[0], *subject[0])
        if _SHORTEST_TERM <= len(word) <= _LONGEST_TERM and word.isalpha()
    }
    text = tuple(
        index_streams(exact, stems) for exact, stems in (title, author, subject, publisher, other)
    )
    return text, sorted(vocabulary)


def _document_text(record: Record) -> tuple[tuple[str, ...], list[str]]:
    return document_text(
        {name: getattr(record, name) for name in SOURCE_FIELDS},
        names=[link.contributor.name for link in record.contributions.all()],
        headings=[link.subject.heading for link in record.subject_links.all()],
    )


def save_documents(documents: Iterable[tuple[int, Sequence[str]]], vocabulary: Iterable[str]):
    """Write (record id, document_text) pairs, replacing what the index held for them."""
    Document.objects.bulk_create(
        [Document(record_id=pk, **dict(zip(FIELDS, text, strict=True))) for pk, text in documents],
        update_conflicts=True,
        unique_fields=["record"],
        update_fields=list(FIELDS),
    )
    Term.objects.bulk_create(
        [Term(term=word) for word in sorted(set(vocabulary))], ignore_conflicts=True
    )


def _records(record_ids: Iterable[int]):
    fields = ["pk", *SOURCE_FIELDS]
    return (
        Record.objects.filter(pk__in=list(record_ids))
        .only(*fields)
        .prefetch_related(
            Prefetch(
                "contributions", queryset=RecordContributor.objects.select_related("contributor")
            ),
            Prefetch("subject_links", queryset=RecordSubject.objects.select_related("subject")),
        )
    )


def index_records(record_ids: Iterable[int]) -> int:
    """(Re)index these records; ids of records that no longer exist are dropped.

    Call it inside the transaction that changed the records. Returns the number
    of documents written.
    """
    ids = list(dict.fromkeys(record_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            documents, vocabulary = [], []
            for record in _records(chunk):
                text, words = _document_text(record)
                documents.append((record.pk, text))
                vocabulary += words
            save_documents(documents, vocabulary)
            written += len(documents)
    return written


def index_record(record: Record) -> None:
    index_records([record.pk])


def _chunks(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    while chunk := list(islice(ids, size)):
        yield chunk


def rebuild(*, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and index every record again; returns the number indexed.

    Runs chunk by chunk, each in its own transaction, so a rebuild of a large
    catalogue does not hold one long lock; records written meanwhile index
    themselves through their own services.
    """
    with transaction.atomic():
        Document.objects.all().delete()
        Term.objects.all().delete()
    ids = Record.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=CHUNK)
    total = 0
    for chunk in _chunks(ids, CHUNK):
        total += index_records(chunk)
        if progress:
            progress(len(chunk))
    optimize()
    return total


# An import that writes this many records or more is a bulk load (see after_bulk_load).
BULK_LOAD = 10_000
# The tables a search reads (PostgreSQL: vacuumed and analyzed after a bulk load).
_SEARCHED_TABLES = (
    "search_document",
    "search_term",
    "catalog_record",
    "catalog_recordsubject",
    "catalog_identifier",
)


def optimize() -> None:
    """Tidy the index after a bulk load.

    SQLite: merge the full-text index's segments into one. PostgreSQL:
    VACUUM (ANALYZE) the tables a search reads, as autovacuum would in its
    own time. Until a table is vacuumed its
    visibility map is empty and the planner, expecting to read every page,
    scans the whole table for a common word instead of using the GIN index:
    250 ms rather than 60 for "history" at 250,000 records. VACUUM cannot
    run inside a transaction; there only ANALYZE is done.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for table in _SEARCHED_TABLES:
                cursor.execute(f"{command} {table}")


def after_bulk_load(records_written: int) -> bool:
    """Run ``optimize`` on PostgreSQL after ``BULK_LOAD`` records or more; True if it ran.

    SQLite needs nothing: FTS5 merges its segments as it goes, and a full
    merge of a large index takes longer than it saves.
    """
    if connection.vendor != "postgresql" or records_written < BULK_LOAD:
        return False
    optimize()
    return True


@contextmanager
def one_state_change() -> Iterator[None]:
    """Inside a transaction that writes many records: renew ``search_state``'s token once.

    On SQLite the token is renewed by a trigger for every row inserted,
    changed or deleted (``models.State``): some 830,000 times in a
    250,000-record import, 5 µs each. Within this block those triggers are
    set aside (dropped, in this transaction only: other connections never
    see them missing), and at its end put back exactly as they were, with
    the token renewed once. If the transaction is rolled back instead, the
    triggers come back with it. PostgreSQL's triggers run once per
    statement already; nothing changes there.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("one_state_change() must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB %s",
            ["search_state_*"],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)
            cursor.execute("UPDATE search_state SET token = random() WHERE id = 1")
