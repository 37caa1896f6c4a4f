"""GET /records/{id}: one record as a patron may see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from serambi.catalog.models import Item, RecordContributor, Subject
from serambi.catalog.tests.factories import (
    BranchFactory,
    ContributorFactory,
    IdentifierFactory,
    ItemFactory,
    RecordContributorFactory,
    RecordFactory,
    RecordSubjectFactory,
    SubjectFactory,
)
from serambi.core.models import Branch

pytestmark = pytest.mark.django_db


def url(record_id) -> str:
    return f"/api/v1/records/{record_id}"


@pytest.fixture
def central(db) -> Branch:
    return BranchFactory(code="pusat", name="Perpustakaan Pusat", kind=Branch.Kind.CENTRAL)


@pytest.fixture
def north(db) -> Branch:
    return BranchFactory(code="utara", name="Cabang Utara")


@pytest.fixture
def bumi(central, north):
    record = RecordFactory(
        title="Bumi manusia",
        responsibility="Pramoedya Ananta Toer",
        publisher="Hasta Mitra",
        year=1980,
        language="ind",
        audience="adult",
        call_number="899.221 3 PRA b",
    )
    RecordContributorFactory(
        record=record,
        contributor=ContributorFactory(name="Pramoedya Ananta Toer", dates="1925-2006"),
        is_main=True,
    )
    RecordContributorFactory(
        record=record,
        contributor=ContributorFactory(name="Lane, Max"),
        role=RecordContributor.Role.TRANSLATOR,
        position=1,
    )
    RecordSubjectFactory(
        record=record, subject=SubjectFactory(heading="Indonesian fiction", kind=Subject.Kind.GENRE)
    )
    IdentifierFactory(record=record, value="979-97312-3-2", normalized="9789799731234")
    IdentifierFactory(
        record=record, value="0000000000", normalized="", is_valid=False, is_cancelled=True
    )
    ItemFactory(record=record, branch=north, barcode="U0001", shelf_location="Rak 3")
    ItemFactory(record=record, branch=central, barcode="P0002", status=Item.Status.ON_LOAN)
    ItemFactory(record=record, branch=central, barcode="P0001", is_loanable=False)
    ItemFactory(record=record, branch=central, barcode="P0003", status=Item.Status.WITHDRAWN)
    return record


def test_a_record_comes_with_names_subjects_identifiers_and_copies(client, bumi, central, north):
    response = client.get(url(bumi.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == bumi.pk
    assert (body["title"], body["publisher"], body["year"]) == ("Bumi manusia", "Hasta Mitra", 1980)
    assert (body["language"], body["language_label"]) == ("ind", "Indonesian (ind)")
    assert (body["material_type"], body["material_type_label"]) == ("book", "Book")
    assert (body["audience"], body["audience_label"]) == ("adult", "Adults")
    assert body["url"] == f"http://testserver/katalog/{bumi.pk}/"
    assert body["cover_url"] is None
    assert [(c["name"], c["dates"], c["role"], c["role_label"]) for c in body["contributors"]] == [
        ("Pramoedya Ananta Toer", "1925-2006", "author", "Author"),
        ("Lane, Max", "", "translator", "Translator"),
    ]
    assert [(s["heading"], s["kind"]) for s in body["subjects"]] == [
        ("Indonesian fiction", "genre")
    ]
    assert body["identifiers"] == [
        {
            "scheme": "isbn",
            "value": "979-97312-3-2",
            "normalized": "9789799731234",
            "qualifier": "",
            "is_valid": True,
        }
    ]


def test_copies_are_listed_by_branch_central_first_without_withdrawn_ones(
    client, bumi, central, north
):
    body = client.get(url(bumi.pk)).json()

    assert [
        (item["barcode"], item["branch"]["code"], item["status"], item["is_loanable"])
        for item in body["items"]
    ] == [
        ("P0001", "pusat", "available", False),
        ("P0002", "pusat", "on_loan", True),
        ("U0001", "utara", "available", True),
    ]
    first = body["items"][0]
    assert first["branch"] == {"id": central.pk, "code": "pusat", "name": "Perpustakaan Pusat"}
    assert first["status_label"] == "Available"
    assert body["items"][2]["shelf_location"] == "Rak 3"
    assert body["available"] == 2
    assert body["availability"] == [
        {"branch_id": central.pk, "branch_name": "Perpustakaan Pusat", "available": 1, "total": 2},
        {"branch_id": north.pk, "branch_name": "Cabang Utara", "available": 1, "total": 1},
    ]


def test_a_cover_is_given_as_an_absolute_address(client, bumi, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bumi.cover = SimpleUploadedFile("bumi.jpg", b"not really a jpeg", content_type="image/jpeg")
    bumi.save()

    cover_url = client.get(url(bumi.pk)).json()["cover_url"]

    assert cover_url.startswith("http://testserver/media/covers/")


def test_the_number_of_queries_does_not_grow_with_the_record(
    client, bumi, central, django_assert_num_queries
):
    small = RecordFactory(title="Tipis")
    with django_assert_num_queries(6) as small_queries:
        client.get(url(small.pk))
    for number in range(5):
        ItemFactory(record=bumi, branch=BranchFactory())
        RecordContributorFactory(record=bumi, position=10 + number)
        RecordSubjectFactory(record=bumi)

    with django_assert_num_queries(len(small_queries.captured_queries)):
        assert client.get(url(bumi.pk)).status_code == 200


def test_an_unknown_record_is_a_json_404(client, db):
    response = client.get(url(987654))

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "data": {}}


@pytest.mark.parametrize("record_id", ["0", "-1", "abc", "1.5", str(2**64)])
def test_an_impossible_record_id_is_a_422(client, db, record_id):
    response = client.get(url(record_id))

    assert response.status_code == 422
    assert response.json()["data"]["errors"][0]["loc"] == ["path", "record_id"]
