"""The OPAC's search pages: what a patron sees, and that no query string breaks them."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serambi.catalog.models import Item, RecordContributor
from serambi.catalog.tests.factories import (
    BranchFactory,
    ContributorFactory,
    IdentifierFactory,
    ItemFactory,
    RecordContributorFactory,
    RecordFactory,
)
from serambi.core.models import Branch
from serambi.search import services
from serambi.search.types import (
    BranchAvailability,
    Completion,
    Facet,
    FacetValue,
    Hit,
    SearchResult,
)

pytestmark = pytest.mark.django_db

RESULTS = reverse("search:results")
AUTOCOMPLETE = reverse("search:autocomplete")
HOME = reverse("web:home")


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English, the language the messages are written in, whatever the .po says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def central(db) -> Branch:
    return BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)


def reindex() -> None:
    """Factories write straight to the tables; the index learns of them as an import would."""
    call_command("reindex", verbosity=0)


def book(title: str, *, branch: Branch, copies: int = 1, **fields):
    record = RecordFactory(title=title, **fields)
    for _ in range(copies):
        ItemFactory(record=record, branch=branch)
    return record


def text_of(page) -> str:
    """The visible words of a response or of HTML, tags stripped and spaces squeezed."""
    html = page if isinstance(page, str) else page.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def hit_for(record, *, availability=()) -> Hit:
    return Hit(record=record, score=None, availability=list(availability))


def stub_search(monkeypatch, **result_fields):
    """Make the service answer with exactly this result, to pin how the page shows it."""

    def search(request):
        return SearchResult(
            request=request, **{"total": 0, "hits": [], "facets": [], **result_fields}
        )

    monkeypatch.setattr(services, "search", search)


# What a search shows


def test_results_keep_the_query_in_the_box_the_title_and_a_shareable_url(client, central):
    book("Bumi manusia", branch=central)
    book("Anak semua bangsa", branch=central)
    reindex()

    response = client.get(RESULTS, {"q": "bumi"})

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="search" id="q" name="q" value="bumi"', html)
    assert re.search(r"<title>[^<]*bumi[^<]*</title>", html)
    assert "Bumi manusia" in html
    assert "Anak semua bangsa" not in html
    assert re.search(r'role="status"[^>]*>\s*1 result\b', html)


def test_each_hit_links_to_the_public_record_page_with_authors_year_type_and_copies(
    client, central
):
    record = book("Laskar pelangi", branch=central, subtitle="sebuah novel", year=2005)
    for position, name in enumerate(["Kedua", "Ketiga", "Keempat", "Kelima"], start=1):
        RecordContributorFactory(
            record=record, contributor=ContributorFactory(name=name), position=position
        )
    RecordContributorFactory(
        record=record,
        contributor=ContributorFactory(name="Hirata, Andrea"),
        position=9,
        is_main=True,
    )
    reindex()

    response = client.get(RESULTS, {"q": "laskar pelangi"})

    html = response.content.decode()
    assert f'href="/katalog/{record.pk}/"' in html
    text = text_of(response)
    assert "Laskar pelangi" in text
    assert "sebuah novel" in text
    assert "Hirata, Andrea; Kedua; Ketiga et al." in text, "main entry first, three names"
    assert "Keempat" not in text
    assert "Book · 2005" in text
    assert "1 available at Perpustakaan Pusat" in text


def test_availability_is_told_in_words_per_branch(client, monkeypatch, central):
    north = BranchFactory(code="utara", name="Cabang Utara")
    shelved = RecordFactory(title="Di rak")
    lent = RecordFactory(title="Dipinjam semua")
    uncopied = RecordFactory(title="Tanpa eksemplar")
    hits = [
        hit_for(
            shelved,
            availability=[
                BranchAvailability(central.pk, central.name, 3, 4),
                BranchAvailability(north.pk, north.name, 1, 1),
            ],
        ),
        hit_for(lent, availability=[BranchAvailability(central.pk, central.name, 0, 2)]),
        hit_for(uncopied),
    ]
    stub_search(monkeypatch, total=3, hits=hits)

    text = text_of(client.get(RESULTS, {"q": "buku"}))

    assert "3 available at Perpustakaan Pusat, 1 at Cabang Utara" in text
    assert "None available now (2 copies, on loan or away from the shelves)" in text
    assert "The library has no copies of this title." in text


def test_a_cover_is_a_lazy_thumbnail_with_its_size_and_no_alt_text(
    client, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    record = RecordFactory(title="Bersampul")
    record.cover.save("sampul.png", SimpleUploadedFile("sampul.png", b"\x89PNG fake"))
    stub_search(monkeypatch, total=1, hits=[hit_for(record)])

    html = client.get(RESULTS, {"q": "sampul"}).content.decode()

    image = re.search(r'<img class="hit-cover"[^>]*>', html).group(0)
    assert 'loading="lazy"' in image
    assert 'alt=""' in image
    assert 'width="64"' in image and 'height="96"' in image
    assert record.cover.url in image


def test_an_isbn_typed_alone_goes_straight_to_the_record(client, central):
    record = book("Ronggeng dukuh paruk", branch=central)
    IdentifierFactory(record=record, value="978-979-22-0196-3", normalized="9789792201963")
    reindex()

    response = client.get(RESULTS, {"q": "978-979-22-0196-3"})

    assert response.status_code == 302
    assert response["Location"] == f"/katalog/{record.pk}/"


def test_an_item_barcode_typed_alone_goes_straight_to_the_record(client, central):
    record = book("Cantik itu luka", branch=central)
    ItemFactory(record=record, branch=central, barcode="B7770001")
    reindex()

    response = client.get(RESULTS, {"q": "B7770001"})

    assert response.status_code == 302
    assert response["Location"] == f"/katalog/{record.pk}/"


def test_a_barcode_goes_to_the_copy_typed_first_then_to_the_printed_upper_case(client, central):
    lower, upper = (
        book("Ronggeng Dukuh Paruk", branch=central),
        book("Laskar Pelangi", branch=central),
    )
    ItemFactory(record=lower, branch=central, barcode="kb-0042")
    ItemFactory(record=upper, branch=central, barcode="KB-0042")
    gone = book("Saman", branch=central)
    ItemFactory(record=gone, branch=central, barcode="KB-0099", status=Item.Status.WITHDRAWN)
    reindex()

    assert client.get(RESULTS, {"q": "kb-0042"})["Location"] == f"/katalog/{lower.pk}/"
    assert client.get(RESULTS, {"q": "KB-0042"})["Location"] == f"/katalog/{upper.pk}/"
    assert client.get(RESULTS, {"q": "Kb-0042"})["Location"] == f"/katalog/{upper.pk}/"
    assert client.get(RESULTS, {"q": "kb-0099"}).status_code == 200  # withdrawn: a search


# Facets and the filters in use


def test_choosing_a_facet_value_narrows_the_results_and_shows_a_removable_chip(client, central):
    for number in range(3):
        book(f"Sejarah kota {number}", branch=central, material_type="book")
    book("Sejarah kota dalam peta", branch=central, material_type="map")
    reindex()

    first = client.get(RESULTS, {"q": "sejarah"})
    facet = next(f for f in first.context["result"].facets if f.name == "type")
    maps = next(v for v in facet.values if v.value == "map")
    html = first.content.decode()
    link = re.search(r'<a class="facet-link" href="([^"]*type=map[^"]*)"', html)
    assert link, "each facet value is a link that adds it to the search"
    assert f"{maps.count}</span>" in html

    narrowed = client.get(link.group(1).replace("&amp;", "&"))

    assert narrowed.context["result"].total == 1
    text = text_of(narrowed)
    assert "Remove filter: Material type: Map" in text
    assert "Remove all filters" in text
    html = narrowed.content.decode()
    assert re.search(r'class="facet-link" href="[^"]*"\s*aria-current="true"', html)
    chip = re.search(r'<a class="chip" href="([^"]*)"', html).group(1).replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(chip).query)) == {"q": "sejarah"}


def test_filters_are_kept_when_a_new_query_is_typed(client, monkeypatch):
    stub_search(monkeypatch, total=0)

    html = client.get(RESULTS, {"q": "kota", "type": "map", "language": "jav"}).content.decode()

    assert '<input type="hidden" name="type" value="map">' in html
    assert '<input type="hidden" name="language" value="jav">' in html


def test_facet_panel_is_a_details_element_that_works_without_javascript(client, monkeypatch):
    facets = [Facet("type", "Material type", [FacetValue("book", "Book", 12, False)])]
    stub_search(monkeypatch, total=12, facets=facets)

    html = client.get(RESULTS, {"q": "kota"}).content.decode()

    assert '<details class="facet-panel" id="facets">' in html
    assert "<summary>Filter results" in html
    assert 'href="/cari/?q=kota&amp;type=book"' in html


def test_long_facets_fold_their_tail_and_open_it_when_a_folded_value_is_chosen(client, monkeypatch):
    values = [FacetValue(f"s{n}", f"Subjek {n}", 20 - n, n == 10) for n in range(12)]
    stub_search(monkeypatch, total=20, facets=[Facet("subject", "Subject", values)])

    html = client.get(RESULTS, {"q": "kota", "subject": "s10"}).content.decode()

    assert '<details class="facet-more" open>' in html
    assert "4 more" in text_of(html)


# Pages


def test_pagination_marks_the_current_page_and_links_its_neighbours(client, monkeypatch):
    records = [RecordFactory() for _ in range(20)]
    stub_search(monkeypatch, total=200, hits=[hit_for(r) for r in records])

    response = client.get(RESULTS, {"q": "cerita", "page": "5"})

    html = response.content.decode()
    nav = re.search(r'<nav class="search-pages" aria-label="[^"]+">.*?</nav>', html, re.S).group(0)
    assert 'href="/cari/?q=cerita&amp;page=4" rel="prev"' in nav
    assert 'href="/cari/?q=cerita&amp;page=6" rel="next"' in nav
    assert re.search(r'href="/cari/\?q=cerita&amp;page=5" aria-current="page"', nav)
    assert 'href="/cari/?q=cerita"' in nav, "page 1 is the plain search"
    assert "page=10" in nav, "the last page"
    assert "…" in nav
    assert '<ol class="hits" start="81">' in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_first_page_may_be_indexed_and_has_no_previous_link(client, monkeypatch):
    stub_search(monkeypatch, total=40, hits=[hit_for(RecordFactory())])

    html = client.get(RESULTS, {"q": "cerita"}).content.decode()

    assert "noindex" not in html
    assert 'rel="prev"' not in html
    assert 'rel="next"' in html


def test_a_page_past_the_last_offers_the_first_page(client, monkeypatch):
    stub_search(monkeypatch, total=3)

    response = client.get(RESULTS, {"q": "cerita", "page": "400"})

    assert response.status_code == 200
    assert 'href="/cari/?q=cerita"' in response.content.decode()


def test_sorting_is_a_labelled_select_tied_to_the_search_form(client, monkeypatch):
    records = [RecordFactory() for _ in range(2)]
    stub_search(monkeypatch, total=2, hits=[hit_for(r) for r in records])

    html = client.get(RESULTS, {"q": "cerita", "sort": "newest"}).content.decode()

    assert '<label for="sort">Sort by</label>' in html
    assert '<select id="sort" name="sort" form="q-form">' in html
    assert '<option value="newest" selected>' in html
    assert '<button type="submit" form="q-form">' in html


# When little or nothing is found


def test_nothing_found_offers_the_corrected_query_the_tips_and_a_way_out_of_filters(
    client, monkeypatch
):
    stub_search(monkeypatch, total=0, suggestion="sejarah")

    response = client.get(RESULTS, {"q": "sejara", "type": "map"})

    html = response.content.decode()
    assert 'Did you mean <a href="/cari/?q=sejarah&amp;type=map">sejarah</a>?' in html
    assert 'href="/cari/?q=sejara">Search again without the filters' in html
    text = text_of(response)
    for syntax in ['"bumi manusia"', "-belanda", "judul:", "pengarang:", "subjek:", "isbn:"]:
        assert syntax in text
    assert "penerbit:" in text
    assert "tahun:1990-2000" in text
    assert "0 results" in text


def test_few_results_still_show_the_suggestion_above_them(client, monkeypatch):
    stub_search(monkeypatch, total=1, hits=[hit_for(RecordFactory())], suggestion="sejarah")

    html = client.get(RESULTS, {"q": "sejara"}).content.decode()

    assert html.index("Did you mean") < html.index('class="hits"')


def test_typo_finds_a_suggestion_from_the_catalogue(client, central):
    book("Sejarah Indonesia modern", branch=central)
    book("Sejarah kebudayaan Jawa", branch=central)
    reindex()

    response = client.get(RESULTS, {"q": "sejarha"})

    assert response.status_code == 200
    result = response.context["result"]
    if not result.total:
        assert result.suggestion, "a typo with no result should offer the catalogue's word"
        assert "Did you mean" in response.content.decode()


def test_an_empty_search_shows_tips_and_new_arrivals_rather_than_every_record(client, central):
    arrived = book("Baru datang", branch=central)
    RecordFactory(title="Tanpa eksemplar di rak")
    reindex()

    response = client.get(RESULTS)

    assert response.status_code == 200
    assert "result" not in response.context
    text = text_of(response)
    assert "Search tips" in text
    assert "New arrivals" in text
    assert "Baru datang" in text
    assert f'href="/katalog/{arrived.pk}/"' in response.content.decode()
    assert "Tanpa eksemplar di rak" not in text


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"bumi manusia'},
        {"q": "judul:"},
        {"q": "pengarang: subjek: isbn:"},
        {"q": "tahun:2000-1990"},
        {"q": "tahun:abc-"},
        {"q": "-"},
        {"q": "- - -"},
        {"q": "()[]{}*?^~:\\/"},
        {"q": "AND OR NOT"},
        {"q": "a" * 10_000},
        {"q": "sejarah " * 1_500},
        {"q": "\x00\x01"},
        {"q": "🙂 ꦗꦮ"},
        {"q": "kota", "page": "abc"},
        {"q": "kota", "page": "-4"},
        {"q": "kota", "page": "99999999999999999999"},
        {"q": "kota", "per_page": "100000"},
        {"q": "kota", "sort": "drop table"},
        {"q": "kota", "unknown": "facet", "type": ""},
        {"type": "x" * 5_000},
        {"decade": "abad"},
        {"branch": "not-a-number"},
        {"subject": "99999999999999999999999"},
        {"decade": "99999999999999999999990"},
        {"q": "tahun:99999999999999999999-1"},
        {"q": "isbn:99999999999999999999999"},
        {"available": "-1"},
        {"language": "'; --"},
    ],
)
def test_no_query_string_breaks_the_page(client, central, params):
    book("Sejarah kota", branch=central)
    reindex()

    response = client.get(RESULTS, params)

    assert response.status_code in (200, 302)


# Suggestions while typing


def test_suggestions_lead_to_a_record_or_to_a_search(client, monkeypatch):
    completions = [
        Completion("title", "Bumi manusia", record_id=42),
        Completion("author", "Toer, Pramoedya Ananta"),
        Completion("subject", "Sejarah -- Jawa"),
    ]
    monkeypatch.setattr(services, "autocomplete", lambda text, *, limit=8: completions)

    response = client.get(AUTOCOMPLETE, {"q": "bu"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60"
    suggestions = response.json()["suggestions"]
    assert suggestions[0] == {
        "kind": "title",
        "text": "Bumi manusia",
        "query": 'judul:"Bumi manusia"',
        "url": "/katalog/42/",
    }
    author = suggestions[1]
    assert author["kind"] == "author"
    assert dict(parse_qsl(urlsplit(author["url"]).query)) == {
        "q": 'pengarang:"Toer, Pramoedya Ananta"'
    }
    assert urlsplit(author["url"]).path == RESULTS
    assert suggestions[2]["query"] == 'subjek:"Sejarah -- Jawa"'


def test_suggestions_come_from_the_catalogue(client, central):
    record = book("Perahu kertas", branch=central)
    reindex()

    suggestions = client.get(AUTOCOMPLETE, {"q": "perahu"}).json()["suggestions"]

    titles = [s for s in suggestions if s["kind"] == "title"]
    assert titles and titles[0]["url"] == f"/katalog/{record.pk}/"


@pytest.mark.parametrize("q", ["", "b", " b ", '"', "\x00"])
def test_one_letter_gets_no_suggestions(client, monkeypatch, q):
    monkeypatch.setattr(services, "autocomplete", lambda text, *, limit=8: pytest.fail(text))

    response = client.get(AUTOCOMPLETE, {"q": q})

    assert response.json() == {"suggestions": []}


def test_the_search_box_is_a_labelled_field_with_a_suggestion_list(client):
    html = client.get(RESULTS).content.decode()

    assert '<label for="q" class="search-label visually-hidden">Search the catalogue</label>' in (
        html
    )
    assert 'aria-controls="q-suggestions"' in html
    assert '<ul id="q-suggestions" class="suggestions" role="listbox" hidden' in html
    assert 'data-suggest="/cari/lengkapi/"' in html
    assert 'data-author="Author"' in html
    assert "search/search.js" in html


# Cost


def test_results_page_queries_do_not_grow_with_the_number_of_hits(
    client, central, django_assert_num_queries
):
    north = BranchFactory(code="utara", name="Cabang Utara")
    for number in range(20):
        record = book(f"Dongeng nusantara {number}", branch=central, copies=2)
        ItemFactory(record=record, branch=north, status=Item.Status.ON_LOAN)
        IdentifierFactory(record=record, value=f"97860212345{number:02d}")
        for position in range(2):
            RecordContributorFactory(
                record=record, position=position, role=RecordContributor.Role.AUTHOR
            )
    reindex()
    client.get(RESULTS, {"q": "dongeng"})  # warm up: sessions, content types, caches

    with CaptureQueriesContext(connection) as five:
        response = client.get(RESULTS, {"q": "dongeng", "per_page": 5})
    assert len(response.context["result"].hits) == 5

    with django_assert_num_queries(len(five)):
        response = client.get(RESULTS, {"q": "dongeng", "per_page": 20})
    assert len(response.context["result"].hits) == 20


# The home page


def test_home_puts_the_search_box_first_then_new_arrivals_then_service_points(client, central):
    arrived = book("Gadis pantai", branch=central)
    reindex()

    response = client.get(HOME)

    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    assert main.index('role="search"') < main.index("new-arrivals-heading")
    assert main.index("new-arrivals-heading") < main.index("branches-heading")
    assert '<form class="search-form" action="/cari/" method="get" role="search"' in main
    assert f'href="/katalog/{arrived.pk}/"' in main
    assert "Gadis pantai" in main
    assert "2019" in text_of(response)


def test_home_shows_no_news_region_while_there_is_no_news(client, central):
    html = client.get(HOME).content.decode()

    assert "news-events-heading" not in html
    assert "coming soon" not in html.lower()


def test_home_without_new_arrivals_leaves_the_section_out(client, central):
    RecordFactory(title="Belum ada eksemplar")
    reindex()

    html = client.get(HOME).content.decode()

    assert "new-arrivals-heading" not in html
    assert "Belum ada eksemplar" not in html


def test_home_shows_news_and_events_once_an_app_provides_them(rf, central):
    request = rf.get(HOME)
    entry = {"title": "Dongeng Sabtu pagi", "url": "/acara/1/", "kind": "Event", "when": None}

    html = render_to_string("web/home.html", {"news_and_events": [entry]}, request=request)

    assert 'aria-labelledby="news-events-heading"' in html
    assert '<a href="/acara/1/">Dongeng Sabtu pagi</a>' in html
