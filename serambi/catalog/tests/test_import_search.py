"""What a MARC import writes into the search index, and how it leaves SQLite and Python.

The importer analyzes each record's text in its worker processes and writes
the documents and words itself, in plain SQL; what it writes must be what
``search.indexing`` writes for the same records.
"""

import gc

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from serambi.catalog.marc.importer import (
    BULK_CACHE_KIB,
    BULK_CHECKPOINT_PAGES,
    GC_THRESHOLD,
    import_marc,
)
from serambi.catalog.marc.writer import BatchWriter
from serambi.catalog.tests.test_import import book, write_marc
from serambi.search import indexing
from serambi.search.analyzer import analyze, index_streams, index_text, terms
from serambi.search.models import Document, Term


def index_contents() -> tuple[list[tuple], list[str]]:
    documents = list(
        Document.objects.order_by("record__control_number").values_list(
            "record__control_number", *indexing.FIELDS
        )
    )
    return documents, sorted(Term.objects.values_list("term", flat=True))


@given(st.text(max_size=200), st.booleans())
def test_the_analysis_of_imported_text_is_the_analyzers(text, stemmed):
    exact, stems = analyze(text, stemmed=stemmed)
    found = terms(text, stemmed=stemmed)
    assert exact == [term.exact for term in found]
    assert stems == [term.stem for term in found]
    assert index_streams(exact, stems) == index_text(text, stemmed=stemmed)


@pytest.mark.django_db
def test_the_search_index_an_import_writes_is_the_one_indexing_writes(tmp_path):
    path = write_marc(
        tmp_path / "books.mrc",
        book("0001", title="Perekonomian kota-kota di Jawa", subjects=("Ekonomi -- Sejarah",)),
        book("0002", title="The history of Java", author="Raffles, Thomas Stamford,"),
        book("0003", title="Kebudayaan Sunda", subjects=("Sunda (Indonesian people)",)),
    )
    import_marc([path])
    changed = write_marc(
        tmp_path / "changed.mrc",
        book("0002", title="The history of Sumatra", author="Marsden, William,"),
    )
    import_marc([changed])  # the record's document is replaced, its old words stay
    imported = index_contents()
    assert len(imported[0]) == 3
    assert "sumatra" in imported[1] and "java" in imported[1]

    indexing.index_records(Document.objects.values_list("record_id", flat=True))

    assert index_contents() == imported


# Outside a test transaction, as an import runs: within one that has touched
# temporary storage, SQLite refuses to move it.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_is_tuned_for_the_import_and_put_back_after_it(tmp_path):
    def settings() -> tuple[int, int, int]:
        with connection.cursor() as cursor:
            values = []
            for name in ("cache_size", "wal_autocheckpoint", "temp_store"):
                cursor.execute(f"PRAGMA {name}")
                values.append(cursor.fetchone()[0])
        return tuple(values)

    before = settings()
    during = []
    write = BatchWriter.write

    def noting_the_settings(self, batch):
        during.append(settings())
        return write(self, batch)

    path = write_marc(tmp_path / "one.mrc", book("0001"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BatchWriter, "write", noting_the_settings)
        import_marc([path])

    memory = 2  # temp_store: statement journals in memory, not in temporary files
    assert during == [(-BULK_CACHE_KIB, BULK_CHECKPOINT_PAGES, memory)]
    assert settings() == before


@pytest.mark.django_db
def test_the_cycle_collector_runs_less_often_during_an_import_and_as_before_after_it(tmp_path):
    before = gc.get_threshold()
    during = []
    write = BatchWriter.write

    def noting_the_threshold(self, batch):
        during.append(gc.get_threshold())
        return write(self, batch)

    path = write_marc(tmp_path / "one.mrc", book("0001"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BatchWriter, "write", noting_the_threshold)
        import_marc([path])

    assert during == [(max(before[0], GC_THRESHOLD), *before[1:])]
    assert gc.get_threshold() == before
