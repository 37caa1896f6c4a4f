"""Keeping the index in step with the catalogue.

The catalogue's services call :func:`index_records` inside the transaction
that writes a record, and the MARC importer calls it once per batch, so the
index never shows a record that is not there nor misses one that is. A
deleted record takes its document with it (the foreign key cascades, and the
database's own triggers or generated column follow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connection, transaction
from django.db.models import Prefetch

from serambi.catalog.models import Record, RecordContributor, RecordSubject

from .analyzer import index_text, split_words, stems_language
from .models import Document, Term

CHUNK = 1000
_SHORTEST_TERM = 3
_LONGEST_TERM = 40


def _document(record: Record) -> tuple[Document, set[str]]:
    names = [link.contributor.name for link in record.contributions.all()]
    headings = [link.subject.heading for link in record.subject_links.all()]
    title = f"{record.title} {record.subtitle}"
    author = " ".join([*names, record.responsibility])
    subject = " ".join(headings)
    publisher = f"{record.publisher} {record.publication_place}"
    other = " ".join(
        [record.series, record.edition, record.notes, record.summary, record.control_number]
    )
    stemmed = stems_language(record.language)
    document = Document(
        record=record,
        title=index_text(title, stemmed=stemmed),
        author=index_text(author, stemmed=False),
        subject=index_text(subject, stemmed=stemmed),
        publisher=index_text(publisher, stemmed=False),
        other=index_text(other, stemmed=stemmed),
    )
    # Words worth suggesting: those a patron types to find a title, a name or a topic.
    vocabulary = {
        word
        for word in split_words(f"{title} {author} {subject}")
        if _SHORTEST_TERM <= len(word) <= _LONGEST_TERM and word.isalpha()
    }
    return document, vocabulary


def _records(record_ids: Iterable[int]):
    return Record.objects.filter(pk__in=list(record_ids)).prefetch_related(
        Prefetch("contributions", queryset=RecordContributor.objects.select_related("contributor")),
        Prefetch("subject_links", queryset=RecordSubject.objects.select_related("subject")),
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
            documents, vocabulary = [], set()
            for record in _records(chunk):
                document, words = _document(record)
                documents.append(document)
                vocabulary |= words
            Document.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["record"],
                update_fields=["title", "author", "subject", "publisher", "other"],
            )
            Term.objects.bulk_create(
                [Term(term=word) for word in sorted(vocabulary)], ignore_conflicts=True
            )
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


def optimize() -> None:
    """Merge the index's segments after a bulk load (SQLite); refresh statistics (PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE search_document")
            cursor.execute("ANALYZE search_term")
