"""Search over the real Indonesian records of the Library of Congress (2,828 records).

The same tests run on SQLite (FTS5) and on PostgreSQL (tsvector): `make test`
runs the suite once on each, so both backends must answer alike.
"""

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from serambi.catalog.marc.importer import import_marc
from serambi.catalog.models import Contributor, ImportRun, Item, Record, Subject
from serambi.catalog.tests.factories import BranchFactory, ItemFactory
from serambi.core.models import AuditEntry, Branch
from serambi.search import services
from serambi.search.analyzer import split_words, stem
from serambi.search.models import Document, Term
from serambi.search.services import autocomplete, search
from serambi.search.types import SearchRequest

LOC_INDONESIAN = Path(settings.BASE_DIR).parent / "shared" / "data" / "marc" / "loc-indonesian.mrc"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not LOC_INDONESIAN.exists(), reason="needs ../shared/data"),
]


@pytest.fixture(scope="module", autouse=True)
def loc_catalogue(django_db_setup, django_db_blocker):
    """Import the file once for the module; copies of a few records in two branches."""
    with django_db_blocker.unblock():
        report = import_marc([LOC_INDONESIAN], by=None)
        assert report.summary()["created"] == 2828
        central = BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)
        north = BranchFactory(code="utara", name="Cabang Utara")
        economy = Record.objects.filter(title__icontains="ekonomi").order_by("pk")[:6]
        for number, record in enumerate(economy):
            ItemFactory(record=record, branch=central, barcode=f"B{number:05}")
            status = Item.Status.ON_LOAN if number % 2 else Item.Status.AVAILABLE
            ItemFactory(record=record, branch=north, barcode=f"U{number:05}", status=status)
        yield
        Item.objects.all().delete()
        Record.objects.all().delete()
        Contributor.objects.all().delete()
        Subject.objects.all().delete()
        Term.objects.all().delete()
        Branch.objects.all().delete()
        ImportRun.objects.all().delete()
        AuditEntry.objects.all().delete()


def found(q: str, **filters) -> tuple[int, list[Record]]:
    result = search(SearchRequest(q=q, filters=filters, per_page=100))
    return result.total, [hit.record for hit in result.hits]


def titles(records) -> list[str]:
    return [r.full_title.casefold() for r in records]


def words_of(record: Record) -> set[str]:
    text = " ".join(
        [record.title, record.subtitle, record.series, record.notes, record.summary]
        + [c.contributor.name for c in record.contributions.all()]
        + [s.heading for s in record.subjects.all()]
    )
    return set(split_words(text))


def test_every_record_is_indexed():
    assert Document.objects.count() == Record.objects.count() == 2828


def test_stemming_finds_the_root_word():
    total, records = found("perekonomian")
    literal = Record.objects.filter(title__icontains="perekonomian").count()
    assert total > literal
    # Records whose title says "ekonomi" but never "perekonomian" are found.
    assert any("ekonomi" in t and "perekonomian" not in t for t in titles(records))
    assert all(stem(w) == "ekonomi" for r in records[:20] for w in words_of(r) if "ekonomi" in w)


def test_reduplication_finds_the_single_word_and_back():
    total, records = found("kota-kota")
    assert any(t.startswith("sejarah kota-kota lama di jawa barat") for t in titles(records))
    assert total == found("kota")[0]


def test_a_phrase_needs_the_words_side_by_side():
    phrase_total, records = found('"sejarah kota"')
    words_total, _ = found("sejarah kota")
    assert 1 <= phrase_total < words_total
    assert [r.title for r in records] == ["Sejarah kota-kota lama di Jawa Barat"]


def test_field_queries():
    _, by_rendra = found("pengarang:rendra")
    assert "tuyul anakku : drama musikal anak-anak" in titles(by_rendra)
    assert all(
        any("rendra" in c.contributor.name.casefold() for c in r.contributions.all())
        or "rendra" in r.responsibility.casefold()
        for r in by_rendra
    )
    title_total, in_title = found("judul:sejarah")
    any_total, _ = found("sejarah")
    assert 0 < title_total < any_total
    assert all("sejarah" in t for t in titles(in_title))
    assert found("title:sejarah")[0] == title_total
    subject_total, _ = found("subjek:economic")
    assert subject_total > 0
    assert found("penerbit:gramedia")[0] > 0


def ids_found(q: str) -> set[int]:
    return set(services.matching_record_ids(q))


def test_field_queries_combine_with_words_fields_and_exclusions():
    in_title, anywhere = ids_found("judul:sejarah"), ids_found("indonesia")
    assert ids_found("judul:sejarah indonesia") == in_title & anywhere
    assert ids_found("judul:sejarah -indonesia") == in_title - anywhere
    assert ids_found("indonesia -judul:sejarah") == anywhere - in_title
    assert in_title & anywhere and in_title - anywhere
    by_rendra = ids_found("pengarang:rendra")
    assert ids_found("pengarang:rendra judul:drama") == by_rendra & ids_found("judul:drama")
    assert ids_found('judul:"sejarah indonesia"') <= in_title & anywhere
    assert ids_found('judul:"sejarah indonesia"')
    # In the title, not merely anywhere: a record with "sejarah" only elsewhere is left out.
    assert ids_found("sejarah") - in_title


def test_year_ranges():
    total, records = found("tahun:1990-1995")
    assert total > 0
    assert all(1990 <= r.year <= 1995 for r in records)
    _, of_1998 = found("sejarah tahun:1998")
    assert of_1998 and all(r.year == 1998 for r in of_1998)
    assert found("sejarah -tahun:1998")[0] == found("sejarah")[0] - len(of_1998)


def test_excluding_a_word():
    with_total, _ = found("ekonomi")
    without_total, records = found("ekonomi -indonesia")
    assert 0 < without_total < with_total
    assert all("indonesia" not in words_of(r) for r in records)


def test_an_isbn_typed_alone_goes_to_its_record():
    record = Record.objects.filter(identifiers__scheme="isbn", identifiers__is_valid=True).first()
    isbn = record.identifiers.filter(is_valid=True).first().normalized
    hyphenated = f"{isbn[:3]}-{isbn[3:6]}-{isbn[6:9]}-{isbn[9:12]}-{isbn[12]}"
    for typed in (isbn, hyphenated):
        assert search(SearchRequest(q=typed)).direct_record_id == record.pk
    assert found(f"isbn:{hyphenated}")[1] == [record]


def test_an_item_barcode_typed_alone_goes_to_its_record():
    item = Item.objects.get(barcode="B00001")
    assert search(SearchRequest(q="b00001")).direct_record_id == item.record_id


@pytest.mark.parametrize(
    ("typo", "meant"), [("muhamadiyah", "muhammadiyah"), ("sejara", "sejarah")]
)
def test_a_typo_suggests_the_word_from_the_index(typo, meant):
    result = search(SearchRequest(q=typo))
    assert result.total < 3
    assert result.suggestion == meant
    assert found(result.suggestion)[0] > result.total


def test_a_typo_inside_a_longer_query_keeps_the_other_words():
    result = search(SearchRequest(q="sejara indonesia"))
    assert result.suggestion == "sejarah indonesia"


def test_no_suggestion_when_the_query_finds_enough():
    assert search(SearchRequest(q="sejarah")).suggestion is None


def test_facet_counts_match_the_filtered_results():
    result = search(SearchRequest(q="ekonomi"))
    facets = {facet.name: facet for facet in result.facets}
    assert sum(v.count for v in facets["type"].values) == result.total
    assert sum(v.count for v in facets["decade"].values) <= result.total
    for value in facets["language"].values[:3]:
        narrowed = search(SearchRequest(q="ekonomi", filters={"language": (value.value,)}))
        assert narrowed.total == value.count
        # Within the filtered set, every other facet counts only those records.
        narrowed_types = {f.name: f for f in narrowed.facets}["type"]
        assert sum(v.count for v in narrowed_types.values) == narrowed.total
    decade = facets["decade"].values[0]
    in_decade = search(SearchRequest(q="ekonomi", filters={"decade": (decade.value,)}))
    assert in_decade.total == decade.count
    assert all(int(decade.value) <= h.record.year <= int(decade.value) + 9 for h in in_decade.hits)


def test_branch_and_availability_facets():
    result = search(SearchRequest(q="ekonomi"))
    facets = {facet.name: facet for facet in result.facets}
    branches = {v.value: v.count for v in facets["branch"].values}
    available = {v.value: v.count for v in facets["available"].values}
    assert branches == {"pusat": 6, "utara": 6}
    assert available == {"pusat": 6, "utara": 3}
    now_north = search(SearchRequest(q="ekonomi", filters={"available": ("utara",)}))
    assert now_north.total == 3
    assert all(
        any(b.branch_name == "Cabang Utara" and b.available for b in h.availability)
        for h in now_north.hits
    )


def test_subject_facet_filters_by_subject():
    result = search(SearchRequest(q="ekonomi"))
    subject = {f.name: f for f in result.facets}["subject"].values[0]
    narrowed = search(SearchRequest(q="ekonomi", filters={"subject": (subject.value,)}))
    assert narrowed.total == subject.count
    assert all(
        any(str(s.pk) == subject.value for s in h.record.subjects.all()) for h in narrowed.hits
    )


def test_sorting():
    newest = [h.record.year for h in search(SearchRequest(q="sejarah", sort="newest")).hits]
    assert newest == sorted(newest, key=lambda y: -(y or 0))
    oldest = [h.record.year for h in search(SearchRequest(q="sejarah", sort="oldest")).hits]
    assert [y for y in oldest if y] == sorted(y for y in oldest if y)
    by_title = [
        h.record.title.casefold() for h in search(SearchRequest(q="sejarah", sort="title")).hits
    ]
    assert by_title == sorted(by_title)


def test_relevance_puts_title_matches_first():
    result = search(SearchRequest(q="muhammadiyah", per_page=5))
    assert all("muhammadiyah" in t for t in titles(h.record for h in result.hits[:3]))


def test_paging_covers_every_hit_once():
    first = search(SearchRequest(q="ekonomi", page=1, per_page=50))
    second = search(SearchRequest(q="ekonomi", page=2, per_page=50))
    ids = [h.record.pk for h in first.hits + second.hits]
    assert len(ids) == len(set(ids)) == min(100, first.total)


@pytest.mark.parametrize(
    "text", ['"unclosed phrase', "judul:", "tahun:abad", "-", "((", "isbn:x", ":::", "a" * 600]
)
def test_odd_queries_answer_without_error(text):
    result = search(SearchRequest(q=text))
    assert result.total >= 0


def test_autocomplete_titles_authors_and_subjects():
    titles_first = autocomplete("sejar")
    assert titles_first and all(c.kind == "title" for c in titles_first)
    assert all("sejarah" in c.text.casefold() for c in titles_first[:3])
    names = autocomplete("toer")
    assert [c.text for c in names if c.kind == "author"] == [
        "Toer, Koesalah Soebagyo",
        "Toer, Pramoedya Ananta",
    ]
    assert any(c.kind == "subject" for c in autocomplete("economic"))
    assert autocomplete("s") == []


def test_facets_count_every_record_of_a_large_result():
    result = search(SearchRequest(q="ekonomi", per_page=5))
    found = services.matching_record_ids("ekonomi")
    assert result.total == len(found) > 5
    expected = Counter(
        str(pk)
        for pk in Record.subjects.through.objects.filter(record_id__in=found).values_list(
            "subject_id", flat=True
        )
    )
    top = sorted(expected.items(), key=lambda item: (-item[1], int(item[0])))[:15]
    facets = {f.name: f for f in result.facets}
    assert [(v.value, v.count) for v in facets["subject"].values] == top
    assert sum(v.count for v in facets["type"].values) == result.total
    languages = Counter(Record.objects.filter(pk__in=found).values_list("language", flat=True))
    assert {v.value: v.count for v in facets["language"].values} == {
        code: n for code, n in languages.items() if code
    }


@pytest.mark.parametrize(
    ("query", "in_title_query", "filters"),
    [
        ("sejarah", "judul:sejarah", {}),
        ("sejarah", "judul:sejarah", {"language": ("ind",)}),
        ("subjek:indonesia", "judul:indonesia subjek:indonesia", {}),
    ],
)
def test_a_large_set_is_ranked_title_matches_first_page_after_page(
    monkeypatch, query, in_title_query, filters
):
    from serambi.search.backends import backend

    def every_page(q: str) -> list[int]:
        first = search(SearchRequest(q=q, filters=filters, per_page=7))
        ids = []
        for page in range(1, first.pages + 1):
            result = search(SearchRequest(q=q, filters=filters, per_page=7, page=page))
            ids += [hit.record.pk for hit in result.hits]
        return ids

    monkeypatch.setattr(type(backend()), "rank_in_tiers_above", None)
    untiered = every_page(query)
    monkeypatch.setattr(type(backend()), "rank_in_tiers_above", 5)
    tiered = every_page(query)
    # The same records, each once, on pages that follow one another.
    assert len(tiered) == len(set(tiered)) == len(untiered) > 14
    assert set(tiered) == set(untiered)
    in_title = set(services.matching_record_ids(in_title_query))
    first = [pk in in_title for pk in tiered]
    assert first == sorted(first, reverse=True), "every title match comes before the rest"
    assert 0 < sum(first) < len(first)


@pytest.mark.parametrize(
    ("query", "filters"),
    [("sejarah", {}), ("sejarah", {"language": ("ind",)}), ("indonesia -sejarah", {})],
)
def test_ranking_in_memory_orders_every_page_as_the_database_does(monkeypatch, query, filters):
    from serambi.search.backends import backend

    def every_page() -> list[tuple[int, float]]:
        first = search(SearchRequest(q=query, filters=filters, per_page=9))
        rows = []
        for page in range(1, first.pages + 2):  # and one page past the end: empty
            result = search(SearchRequest(q=query, filters=filters, per_page=9, page=page))
            rows += [(hit.record.pk, hit.score) for hit in result.hits]
        return rows

    monkeypatch.setattr(type(backend()), "rank_in_tiers_above", None)
    monkeypatch.setattr(type(backend()), "ranks_in_memory", False)
    in_database = every_page()
    monkeypatch.setattr(type(backend()), "ranks_in_memory", True)
    in_memory = every_page()
    assert len(in_database) > 18
    assert [pk for pk, _s in in_memory] == [pk for pk, _s in in_database]
    assert [s for _pk, s in in_memory] == pytest.approx([s for _pk, s in in_database])
    scores = [s for _pk, s in in_memory]
    assert scores == sorted(scores, reverse=True)


def test_document_frequency_counts_up_to_the_cap():
    from serambi.search.backends import backend

    count = {word: len(services.matching_record_ids(word)) for word in ("sejarah", "ekonomi")}
    fewer, more = sorted(count.values())
    assert 0 < fewer < more
    words = [*count, "zzzyzzy"]
    assert backend().document_frequency(words, up_to=10_000) | {"zzzyzzy": 0} == count | {
        "zzzyzzy": 0
    }
    capped = backend().document_frequency(words, up_to=fewer)
    assert capped["sejarah"] == capped["ekonomi"] == fewer
    assert capped.get("zzzyzzy", 0) == 0
