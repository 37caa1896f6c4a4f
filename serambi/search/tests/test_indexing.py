"""The index follows the catalogue in the same transaction; `serambi reindex` rebuilds it."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from serambi.catalog.marc.types import ContributorData, SubjectData
from serambi.catalog.models import Record
from serambi.catalog.services import create_record, update_record
from serambi.catalog.tests.factories import BranchFactory, ItemFactory, RecordFactory
from serambi.search.indexing import index_records
from serambi.search.models import Document
from serambi.search.services import search, with_identifiers
from serambi.search.types import SearchRequest

pytestmark = pytest.mark.django_db


def total(q: str) -> int:
    return search(SearchRequest(q=q)).total


def test_a_new_record_is_found_at_once(cataloguer):
    create_record(data={"title": "Laskar Pelangi", "year": 2005}, by=cataloguer)
    assert total("pelangi") == 1
    assert total("judul:laskar") == 1


def test_an_edited_record_is_found_by_its_new_words_only(cataloguer):
    record = create_record(data={"title": "Ronggeng Dukuh Paruk"}, by=cataloguer)
    update_record(record=record, data={"title": "Bekisar Merah"}, by=cataloguer)
    assert total("ronggeng") == 0
    assert total("bekisar") == 1


def test_a_deleted_record_leaves_the_index(cataloguer):
    record = create_record(data={"title": "Cantik Itu Luka"}, by=cataloguer)
    record.delete()
    assert total("cantik") == 0
    assert not Document.objects.exists()


def test_a_rolled_back_record_never_reaches_the_index(cataloguer):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_record(data={"title": "Saman"}, by=cataloguer)
        assert total("saman") == 1  # inside the transaction, it is there
        raise RuntimeError("the desk lost power")
    assert total("saman") == 0


def test_contributors_and_subjects_are_indexed(cataloguer):
    create_record(
        data={"title": "Bumi Manusia"},
        contributors=[ContributorData(name="Toer, Pramoedya Ananta", role="author")],
        subjects=[SubjectData(heading="Indonesia -- Sejarah -- Fiksi")],
        by=cataloguer,
    )
    assert total("pengarang:pramoedya") == 1
    assert total("subjek:sejarah") == 1
    assert total("judul:pramoedya") == 0


def test_reindex_rebuilds_from_scratch():
    records = RecordFactory.create_batch(3, title="Ronggeng")
    Document.objects.all().delete()
    assert total("ronggeng") == 0
    call_command("reindex", verbosity=0)
    assert total("ronggeng") == 3
    assert Document.objects.count() == len(records)


def test_index_records_skips_ids_that_are_gone():
    record = RecordFactory(title="Ada")
    assert index_records([record.pk, 999_999]) == 1


def test_a_result_page_costs_the_same_queries_for_5_or_20_hits():
    branch = BranchFactory()
    for number in range(20):
        record = RecordFactory(title=f"Hikayat nomor {number}")
        ItemFactory(record=record, branch=branch, barcode=f"H{number:04}")
    index_records(Record.objects.values_list("pk", flat=True))

    def queries_for(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            result = search(SearchRequest(q="hikayat", per_page=per_page))
            assert len(result.hits) == per_page
            for hit in with_identifiers(result.hits):  # as the API asks for them
                list(hit.record.contributions.all())
                list(hit.record.identifiers.all())
        return len(captured)

    # The first search after the catalogue changed also loads the facet columns.
    search(SearchRequest(q="hikayat"))
    assert queries_for(5) == queries_for(20)


def test_a_bulk_load_is_tidied_on_postgresql_only():
    from serambi.search.indexing import BULK_LOAD, after_bulk_load

    assert not after_bulk_load(BULK_LOAD - 1)
    # Inside the test's transaction PostgreSQL analyzes (VACUUM cannot run there).
    assert after_bulk_load(BULK_LOAD) == (connection.vendor == "postgresql")
