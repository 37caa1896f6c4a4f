"""GET /search and /autocomplete: the OPAC's search for apps, in the documented shape."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from serambi.catalog.models import Item, MaterialType, RecordContributor
from serambi.catalog.tests.factories import (
    BranchFactory,
    ContributorFactory,
    IdentifierFactory,
    ItemFactory,
    RecordContributorFactory,
    RecordFactory,
)
from serambi.core.models import Branch
from serambi.search.api import SearchParams
from serambi.search.indexing import rebuild
from serambi.search.types import FACETS, MAX_PAGE, SORTS

from .conftest import bearer

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"
AUTOCOMPLETE = "/api/v1/autocomplete"


@pytest.fixture
def central(db) -> Branch:
    return BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)


@pytest.fixture
def north(db) -> Branch:
    return BranchFactory(code="utara", name="Cabang Utara")


def book(title: str, *, branch: Branch, copies: int = 1, **fields):
    record = RecordFactory(title=title, **fields)
    for _ in range(copies):
        ItemFactory(record=record, branch=branch)
    return record


@pytest.fixture
def laskar(central, north):
    record = RecordFactory(
        title="Laskar pelangi", subtitle="sebuah novel", year=2005, language="ind"
    )
    author = ContributorFactory(name="Hirata, Andrea")
    RecordContributorFactory(record=record, contributor=author, is_main=True)
    RecordContributorFactory(
        record=record,
        contributor=ContributorFactory(name="Sari, Dewi"),
        role=RecordContributor.Role.EDITOR,
        position=1,
    )
    IdentifierFactory(record=record, value="978-979-1234-56-6", normalized="9789791234566")
    ItemFactory(record=record, branch=central)
    ItemFactory(record=record, branch=central, status=Item.Status.ON_LOAN)
    ItemFactory(record=record, branch=north, status=Item.Status.WITHDRAWN)
    rebuild()
    return record


def test_a_search_answers_hits_in_the_documented_shape(client, laskar, central):
    response = client.get(SEARCH, {"q": "laskar"})

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    assert body["suggestion"] is None
    assert body["direct_record_id"] is None
    (hit,) = body["hits"]
    assert hit == {
        "id": laskar.pk,
        "title": "Laskar pelangi",
        "subtitle": "sebuah novel",
        "authors": [
            {"name": "Hirata, Andrea", "role": "author"},
            {"name": "Sari, Dewi", "role": "editor"},
        ],
        "year": 2005,
        "material_type": "book",
        "language": "ind",
        "isbn": "9789791234566",
        "cover_url": None,
        "available": 1,
        "availability": [
            {
                "branch_id": central.pk,
                "branch_name": "Perpustakaan Pusat",
                "available": 1,
                "total": 2,
            }
        ],
        "url": f"http://testserver/katalog/{laskar.pk}/",
    }


def test_facets_come_with_labels_counts_and_what_is_selected(client, laskar, central):
    book("Ronggeng dukuh paruk", branch=central, material_type=MaterialType.SERIAL)
    rebuild()

    body = client.get(SEARCH, {"type": "book"}).json()

    assert [facet["name"] for facet in body["facets"]] == [
        "available",
        "type",
        "language",
        "decade",
        "subject",
        "branch",
        "audience",
    ]
    types = next(facet for facet in body["facets"] if facet["name"] == "type")
    assert types["label"] == "Material type"
    assert {value["value"]: (value["count"], value["selected"]) for value in types["values"]} == {
        "book": (1, True),
        "serial": (1, False),
    }
    assert [hit["id"] for hit in body["hits"]] == [laskar.pk]


def test_a_facet_filter_takes_several_values(client, laskar, central):
    serial = book("Majalah Bobo", branch=central, material_type=MaterialType.SERIAL)
    book("Peta Jawa", branch=central, material_type=MaterialType.MAP)
    rebuild()

    response = client.get(f"{SEARCH}?type=book&type=serial&sort=title")

    assert [hit["id"] for hit in response.json()["hits"]] == [laskar.pk, serial.pk]


def test_results_come_in_pages(client, central):
    for number in range(5):
        book(f"Cerita {number}", branch=central, year=2000 + number)
    rebuild()

    body = client.get(SEARCH, {"sort": "oldest", "per_page": 2, "page": 2}).json()

    assert (body["total"], body["page"], body["pages"], body["per_page"]) == (5, 2, 3, 2)
    assert [hit["year"] for hit in body["hits"]] == [2002, 2003]


def test_an_isbn_searched_alone_names_its_record(client, laskar):
    body = client.get(SEARCH, {"q": "978-979-1234-56-6"}).json()

    assert body["direct_record_id"] == laskar.pk


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"page": MAX_PAGE + 1}, ["query", "page"]),
        ({"page": 0}, ["query", "page"]),
        ({"page": "two"}, ["query", "page"]),
        ({"per_page": 101}, ["query", "per_page"]),
        ({"sort": "random"}, ["query", "sort"]),
        ({"q": "x" * 501}, ["query", "q"]),
        ({"type": "x" * 201}, ["query", "type", 0]),
    ],
)
def test_parameters_out_of_range_are_a_422_naming_the_parameter(client, params, location):
    response = client.get(SEARCH, params)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["loc"] for error in body["data"]["errors"]] == [location]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "laskar\x00pelangi\x1b"},
        {"q": '"judul:'},
        {"q": "tahun:9999-0"},
        {"q": "-"},
        {"q": "isbn:"},
        {"decade": ["abc", "1990", "-10"]},
        {"subject": ["semua", "99999999999999999999999", "¹³", "٣"]},
        {"branch": ["\x00", "nowhere"], "available": ["pusat"]},
        {"audience": ["anak"], "language": ["xx"]},
        {"q": "ä" * 500},
    ],
)
def test_odd_input_is_answered_never_a_server_error(client, laskar, params):
    response = client.get(SEARCH, params)

    assert response.status_code == 200
    assert "hits" in response.json()


def test_every_facet_and_sort_of_the_search_contract_is_a_parameter():
    fields = SearchParams.model_fields
    assert set(FACETS) <= set(fields)
    assert {member.value for member in fields["sort"].annotation} == set(SORTS)


def test_searching_needs_no_sign_in_but_a_token_does_no_harm(client, laskar, patron_token):
    assert client.get(SEARCH, {"q": "laskar"}).status_code == 200
    assert (
        client.get(SEARCH, {"q": "laskar"}, headers=bearer(patron_token.secret)).json()["total"]
        == 1
    )


def test_the_api_adds_no_query_per_hit(client, central):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SEARCH, {"q": "cerita"}).status_code == 200
        return len(queries)

    # Three hits at least, so that no "did you mean" is looked for either time.
    for number in range(3):
        book(f"Cerita {number}", branch=central)
    rebuild()
    three_hits = queries_for_a_page()
    for number in range(6):
        record = book(f"Cerita lagi {number}", branch=central, copies=2)
        RecordContributorFactory(record=record)
        IdentifierFactory(record=record)
    rebuild()

    assert queries_for_a_page() == three_hits


# --- autocomplete ----------------------------------------------------------------------------


def test_autocomplete_suggests_titles_with_their_record(client, laskar):
    response = client.get(AUTOCOMPLETE, {"q": "lask"})

    assert response.status_code == 200
    suggestions = response.json()
    assert {
        "kind": "title",
        "text": "Laskar pelangi",
        "query": 'judul:"Laskar pelangi"',
        "record_id": laskar.pk,
    } in suggestions
    assert all(set(s) == {"kind", "text", "query", "record_id"} for s in suggestions)


@pytest.mark.parametrize("text", ["", "l", "\x00\x00", " " * 50])
def test_autocomplete_of_almost_nothing_is_an_empty_list(client, laskar, text):
    response = client.get(AUTOCOMPLETE, {"q": text})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 21}, {"q": "x" * 101}])
def test_autocomplete_parameters_out_of_range_are_a_422(client, params):
    assert client.get(AUTOCOMPLETE, params).status_code == 422
