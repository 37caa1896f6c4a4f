"""The facet columns held in memory follow the catalogue: triggers change the token."""

from collections import Counter

import numpy as np
import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from serambi.catalog.models import Record, RecordSubject
from serambi.catalog.services import create_record, update_record
from serambi.catalog.tests.factories import RecordFactory, RecordSubjectFactory, SubjectFactory
from serambi.search import columns
from serambi.search.indexing import index_records, one_state_change
from serambi.search.services import search
from serambi.search.types import SearchRequest

pytestmark = pytest.mark.django_db


def facet(result, name: str) -> dict[str, int]:
    return {v.value: v.count for f in result.facets if f.name == name for v in f.values}


def test_the_token_changes_with_what_the_facets_count(cataloguer):
    seen = {columns.current_token()}

    def changed() -> bool:
        token = columns.current_token()
        new = token not in seen
        seen.add(token)
        return new

    record = RecordFactory(title="Kitab Tani", material_type="book")
    assert changed()
    Record.objects.filter(pk=record.pk).update(material_type="map")
    assert changed()
    Record.objects.filter(pk=record.pk).update(title="Kitab Tani Baru")
    assert not changed(), "the title is not a facet: no reload for it"
    link = RecordSubjectFactory(record=record)
    assert changed()
    RecordSubject.objects.filter(pk=link.pk).update(subject=SubjectFactory())
    assert changed()
    link.delete()
    assert changed()
    record.delete()
    assert changed()


def test_a_search_counts_the_catalogue_as_it_is_now(cataloguer):
    first = create_record(
        data={"title": "Sejarah Kota Magelang", "material_type": "book"}, by=cataloguer
    )
    assert facet(search(SearchRequest(q="magelang")), "type") == {"book": 1}
    update_record(record=first, data={"material_type": "map"}, by=cataloguer)
    assert facet(search(SearchRequest(q="magelang")), "type") == {"map": 1}
    second = create_record(data={"title": "Peta Magelang", "language": "ind"}, by=cataloguer)
    result = search(SearchRequest(q="magelang"))
    assert result.total == 2
    assert sum(facet(result, "type").values()) == 2
    first.delete()
    result = search(SearchRequest(q="magelang", filters={"type": ("map",)}))
    assert result.total == 0
    assert [hit.record.pk for hit in search(SearchRequest(q="magelang")).hits] == [second.pk]


def test_a_rolled_back_change_leaves_no_stale_copy_behind():
    record = RecordFactory(title="Serat Centhini", material_type="book")
    index_records([record.pk])
    before = columns.columns()
    with pytest.raises(RuntimeError), transaction.atomic():
        Record.objects.filter(pk=record.pk).update(material_type="manuscript")
        # Loaded inside the transaction: holds the change that is about to vanish.
        assert columns.columns().material_type.values == ["manuscript"]
        raise RuntimeError
    after = columns.columns()
    assert after.token == before.token
    assert after.material_type.values == ["book"]


def test_the_subject_facet_counts_every_link():
    common, rare = SubjectFactory(heading="Pertanian"), SubjectFactory(heading="Irigasi")
    for number in range(6):
        record = RecordFactory(title=f"Bertani {number}")
        RecordSubjectFactory(record=record, subject=common)
        if number < 2:
            RecordSubjectFactory(record=record, subject=rare)
    index_records(Record.objects.values_list("pk", flat=True))
    result = search(SearchRequest(q="bertani"))
    assert facet(result, "subject") == {str(common.pk): 6, str(rare.pk): 2}
    narrowed = search(SearchRequest(q="bertani", filters={"subject": (str(rare.pk),)}))
    assert narrowed.total == 2
    # The chosen subject's own facet still counts the set without its filter.
    assert facet(narrowed, "subject") == {str(common.pk): 6, str(rare.pk): 2}


def test_ids_the_copy_does_not_hold_are_left_out():
    kept = RecordFactory()
    cols = columns.columns()
    mask = cols.mask_of(np.array([kept.pk + 1000, kept.pk, 0], dtype=np.int64))
    assert cols.ids_of(mask).tolist() == [kept.pk]


def _state_triggers() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name GLOB 'search_state_*' ORDER BY name"
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's per-row triggers")
def test_many_writes_in_one_state_change_renew_the_token_once_and_keep_the_triggers():
    triggers = _state_triggers()
    assert len(triggers) == 6
    before = columns.current_token()
    with transaction.atomic(), one_state_change():
        assert _state_triggers() == []  # set aside while the batch is written
        record = RecordFactory(title="Babad Tanah Jawi", material_type="manuscript")
        RecordSubjectFactory(record=record)
        assert columns.current_token() == before
    assert columns.current_token() != before
    assert _state_triggers() == triggers
    assert facet(search(SearchRequest(q="", filters={"type": ("manuscript",)})), "type") == {
        "manuscript": 1
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's per-row triggers")
def test_a_failed_state_change_leaves_the_triggers_as_they_were():
    triggers = _state_triggers()
    before = columns.current_token()
    with pytest.raises(RuntimeError), transaction.atomic(), one_state_change():
        RecordFactory(title="Serat Wedhatama")
        raise RuntimeError
    assert _state_triggers() == triggers
    assert columns.current_token() == before
    RecordFactory(title="Serat Kalatidha")
    assert columns.current_token() != before  # the triggers work again


@pytest.mark.django_db(transaction=True)  # no test transaction around it
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's per-row triggers")
def test_one_state_change_needs_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        with one_state_change():
            pass


def _columns_with_links(links: list[tuple[int, int]], size: int) -> columns.Columns:
    """Columns of ``size`` records (ids 1..size) linked to subjects as (position, subject id)."""
    links = sorted(set(links))
    subjects, codes = np.unique(
        np.array([s for _p, s in links], dtype=np.int64), return_inverse=True
    )
    nothing = columns.Coded(np.zeros(size, dtype=np.int32), [""])
    return columns.Columns(
        token=None,
        ids=np.arange(1, size + 1, dtype=np.int64),
        material_type=nothing,
        language=nothing,
        audience=nothing,
        year=np.full(size, columns.NO_YEAR, dtype=np.int32),
        subject_positions=np.array([p for p, _s in links], dtype=np.int64),
        subject_codes=codes.astype(np.int64),
        subjects=subjects,
    )


@given(
    links=st.lists(st.tuples(st.integers(0, 29), st.integers(1, 12)), max_size=120),
    chosen=st.sets(st.integers(0, 29)),
    size=st.integers(0, 15),
)
@settings(max_examples=300, deadline=None)
def test_subject_counts_are_the_most_linked_subjects_ties_by_lower_id(links, chosen, size):
    cols = _columns_with_links(links, 30)
    mask = np.isin(np.arange(30), sorted(chosen))
    counted = Counter(subject for position, subject in set(links) if position in chosen)
    expected = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:size]
    assert cols.subject_counts(mask, size) == expected
    # Few records chosen take their ranges of links, many look at every link: alike.
    linked = sorted(cols.subjects[cols.linked_subject_codes(mask)].tolist())
    assert linked == sorted(subject for position, subject in set(links) if position in chosen)
