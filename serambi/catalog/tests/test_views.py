import types
from pathlib import Path
from unittest import mock

import pymarc
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from serambi.catalog.models import Contributor, ImportRun, Item, Record
from serambi.core.models import AuditEntry

from .factories import (
    BranchFactory,
    IdentifierFactory,
    ItemFactory,
    RecordContributorFactory,
    RecordFactory,
    RecordSubjectFactory,
    SubjectFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("catalog:record_list")


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English, the language the messages are written in, whatever the .po says."""
    settings.LANGUAGE_CODE = "en"


def record_form_data(**overrides):
    data = {
        "title": "Laskar pelangi",
        "subtitle": "",
        "responsibility": "Andrea Hirata",
        "contributors": "Hirata, Andrea, 1967- | author",
        "edition": "Cet. 1",
        "publisher": "Bentang Pustaka",
        "publication_place": "Yogyakarta",
        "year": "2005",
        "physical_description": "xiv, 529 hlm. ; 20 cm",
        "series": "",
        "isbns": "978-979-1234-56-6 (pbk.)",
        "issns": "",
        "language": "ind",
        "language_other": "",
        "material_type": "book",
        "audience": "",
        "subjects": "Indonesian fiction\nBelitung (Indonesia) -- Fiction",
        "ddc": "899.221 3",
        "call_number": "899.221 3 HIR l",
        "summary": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def item_form_data(branch, **overrides):
    data = {
        "barcode": "B0000042",
        "branch": str(branch.pk),
        "shelf_location": "Rak 3",
        "call_number": "",
        "status": "available",
        "is_loanable": "on",
        "acquisition_source": "purchase",
        "price": "Rp 85.000",
        "acquired_on": "2024-07-15",
        "notes": "",
    }
    data.update(overrides)
    return data


def sample_marc_json() -> dict:
    record = pymarc.Record()
    record.add_field(pymarc.Field(tag="001", data="00271626"))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", "Bumi manusia /"), pymarc.Subfield("c", "Pramoedya.")],
        )
    )
    return record.as_dict()


# ----------------------------------------------------------------------------- list


def test_record_list_shows_records_with_their_item_count(cataloguer_client, branch):
    record = RecordFactory(title="Bumi manusia")
    ItemFactory.create_batch(2, record=record, branch=branch)
    RecordFactory(title="Tenggelamnya kapal Van der Wijck")
    response = cataloguer_client.get(LIST_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bumi manusia" in content
    assert "Tenggelamnya kapal Van der Wijck" in content
    assert response.context["page"].paginator.count == 2
    counts = {r.title: r.item_count for r in response.context["page"].object_list}
    assert counts == {"Bumi manusia": 2, "Tenggelamnya kapal Van der Wijck": 0}
    assert reverse("catalog:record_detail", args=[record.pk]) in content
    assert reverse("catalog:record_create") in content


def titles(response) -> set[str]:
    return {record.title for record in response.context["page"].object_list}


def test_record_list_text_filter_matches_title_isbn_and_control_number(cataloguer_client):
    RecordFactory(title="Bumi manusia")
    with_isbn = RecordFactory(title="Laskar pelangi")
    IdentifierFactory(record=with_isbn, value="9789791234566", normalized="9789791234566")
    RecordFactory(title="Ronggeng Dukuh Paruk", control_number="00271626")
    assert titles(cataloguer_client.get(LIST_URL, {"q": "MANUSIA"})) == {"Bumi manusia"}
    assert titles(cataloguer_client.get(LIST_URL, {"q": "978-979-1234-56-6"})) == {"Laskar pelangi"}
    assert titles(cataloguer_client.get(LIST_URL, {"q": "00271626"})) == {"Ronggeng Dukuh Paruk"}


def test_record_list_filters_by_type_language_year_branch_and_holdings(cataloguer_client, branch):
    other_branch = BranchFactory(code="timur", name="Cabang Timur")
    book = RecordFactory(title="Buku", language="ind", year=2001)
    RecordFactory(title="Majalah", material_type="serial", language="eng", year=2015)
    at_other = RecordFactory(title="Peta", material_type="map", language="jav", year=1990)
    ItemFactory(record=book, branch=branch)
    ItemFactory(record=at_other, branch=other_branch)
    assert titles(cataloguer_client.get(LIST_URL, {"material_type": "serial"})) == {"Majalah"}
    assert titles(cataloguer_client.get(LIST_URL, {"language": "jav"})) == {"Peta"}
    assert titles(cataloguer_client.get(LIST_URL, {"branch": "timur"})) == {"Peta"}
    assert titles(cataloguer_client.get(LIST_URL, {"holdings": "without"})) == {"Majalah"}
    assert titles(cataloguer_client.get(LIST_URL, {"holdings": "with"})) == {"Buku", "Peta"}
    years = {"year_from": "1995", "year_to": "2010"}
    assert titles(cataloguer_client.get(LIST_URL, years)) == {"Buku"}


def test_record_list_ignores_a_bad_filter_and_says_so(cataloguer_client):
    RecordFactory(title="Buku")
    response = cataloguer_client.get(LIST_URL, {"year_from": "dua ribu", "material_type": "nope"})
    assert response.status_code == 200
    assert titles(response) == {"Buku"}
    assert response.context["form"].errors.keys() == {"year_from", "material_type"}
    assert 'value="dua ribu"' in response.content.decode()


def test_record_list_paginates_and_keeps_the_filters_in_page_links(cataloguer_client):
    RecordFactory.create_batch(30, language="ind")
    response = cataloguer_client.get(LIST_URL, {"language": "ind"})
    assert len(response.context["page"].object_list) == 25
    assert "?language=ind&amp;page=2" in response.content.decode()
    second = cataloguer_client.get(LIST_URL, {"language": "ind", "page": "2"})
    assert len(second.context["page"].object_list) == 5
    # A page number out of range or not a number shows a real page, never an error.
    assert cataloguer_client.get(LIST_URL, {"page": "99"}).status_code == 200
    assert cataloguer_client.get(LIST_URL, {"page": "x"}).status_code == 200


def make_catalogue(count: int, branch) -> None:
    for number in range(count):
        record = RecordFactory()
        RecordContributorFactory(record=record)
        IdentifierFactory(record=record, value=f"isbn-{number}", normalized="", is_valid=False)
        ItemFactory(record=record, branch=branch)


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_record_list_query_count_does_not_grow_with_the_records(cataloguer_client, branch):
    make_catalogue(5, branch)
    with_five = list_queries(cataloguer_client)
    make_catalogue(25, branch)
    with_thirty = list_queries(cataloguer_client)
    assert with_thirty == with_five
    assert with_thirty <= 12


# ----------------------------------------------------------------------------- detail


def test_record_detail_shows_description_identifiers_items_and_marc(cataloguer_client, branch):
    record = RecordFactory(
        title="Bumi manusia", subtitle="roman", marc=sample_marc_json(), call_number="899 PRA b"
    )
    RecordContributorFactory(record=record, contributor__name="Pramoedya Ananta Toer")
    RecordSubjectFactory(record=record, subject=SubjectFactory(heading="Indonesia -- History"))
    IdentifierFactory(record=record, value="9789791234567", normalized="", is_valid=False)
    ItemFactory(record=record, branch=branch, barcode="B0000001", shelf_location="Rak 7")
    ItemFactory(record=record, branch=branch, barcode="B0000002", is_loanable=False)
    response = cataloguer_client.get(record.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bumi manusia : roman" in content
    assert "Pramoedya Ananta Toer" in content
    assert "Indonesia -- History" in content
    assert "9789791234567" in content
    assert 'class="badge badge-danger">invalid</span>' in content
    assert "B0000001" in content and "Rak 7" in content
    assert "Reference only" in content
    assert "<details" in content
    assert "=245  10$aBumi manusia /$cPramoedya." in content
    assert 'name="item"' in content
    assert reverse("catalog:item_create", args=[record.pk]) in content


def test_record_detail_survives_a_broken_stored_marc_record(cataloguer_client):
    record = RecordFactory(marc={"leader": 5, "fields": "nonsense"})
    response = cataloguer_client.get(record.get_absolute_url())
    assert response.status_code == 200
    assert "=LDR" not in response.content.decode()


def test_record_detail_of_a_missing_record_is_404(cataloguer_client):
    response = cataloguer_client.get(reverse("catalog:record_detail", args=[999999]))
    assert response.status_code == 404


# ----------------------------------------------------------------------------- record form


def test_create_record_from_the_form(cataloguer_client):
    response = cataloguer_client.post(reverse("catalog:record_create"), record_form_data())
    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"] == record.get_absolute_url()
    assert record.title == "Laskar pelangi"
    assert record.year == 2005
    identifier = record.identifiers.get()
    assert (identifier.normalized, identifier.qualifier) == ("9789791234566", "pbk.")
    contribution = record.contributions.get()
    assert contribution.contributor.name == "Hirata, Andrea"
    assert contribution.contributor.dates == "1967-"
    assert contribution.is_main
    assert [link.subject.heading for link in record.subject_links.all()] == [
        "Indonesian fiction",
        "Belitung (Indonesia) -- Fiction",
    ]
    assert AuditEntry.objects.filter(action="catalog.record_created").count() == 1


def test_save_and_add_an_item_goes_to_the_item_form(cataloguer_client):
    response = cataloguer_client.post(
        reverse("catalog:record_create"), record_form_data(next="add_item")
    )
    record = Record.objects.get()
    assert response["Location"] == reverse("catalog:item_create", args=[record.pk])


def test_an_invalid_isbn_is_refused_by_name_and_nothing_typed_is_lost(cataloguer_client):
    data = record_form_data(isbns="978-979-1234-56-6\n9789791234567", year="3000")
    response = cataloguer_client.post(reverse("catalog:record_create"), data)
    assert response.status_code == 200
    assert not Record.objects.exists()
    form = response.context["form"]
    assert "9789791234567" in form.errors["isbns"][0]
    assert "check digit" in form.errors["isbns"][0]
    assert form.errors["year"] == [
        f"The year must be between 1000 and {timezone.localdate().year + 1}."
    ]
    content = response.content.decode()
    assert 'value="Laskar pelangi"' in content
    assert "Hirata, Andrea, 1967- | author" in content
    assert "Belitung (Indonesia) -- Fiction" in content
    assert "978-979-1234-56-6\n9789791234567" in content
    assert 'role="alert"' in content


def test_a_contributor_line_with_an_unknown_role_is_refused(cataloguer_client):
    data = record_form_data(contributors="Hirata, Andrea | author\nDewi Lestari | penyanyi")
    response = cataloguer_client.post(reverse("catalog:record_create"), data)
    assert response.status_code == 200
    assert "Line 2" in response.context["form"].errors["contributors"][0]


def test_contributor_roles_and_kinds_accept_indonesian_words(cataloguer_client):
    data = record_form_data(
        contributors="Hirata, Andrea | penulis\nBadan Bahasa | penyunting | lembaga"
    )
    cataloguer_client.post(reverse("catalog:record_create"), data)
    contributions = Record.objects.get().contributions.select_related("contributor")
    assert [(c.contributor.name, c.role, c.contributor.kind) for c in contributions] == [
        ("Hirata, Andrea", "author", "person"),
        ("Badan Bahasa", "editor", "organization"),
    ]


def test_other_language_needs_a_three_letter_code(cataloguer_client):
    response = cataloguer_client.post(
        reverse("catalog:record_create"), record_form_data(language="other", language_other="fr")
    )
    assert "language_other" in response.context["form"].errors
    cataloguer_client.post(
        reverse("catalog:record_create"), record_form_data(language="other", language_other="FRE")
    )
    assert Record.objects.get().language == "fre"


def test_edit_record_shows_current_values_and_saves_changes(cataloguer_client):
    record = RecordFactory(title="Bumi manusia", language="fre")
    IdentifierFactory(record=record, value="9789791234567", normalized="", is_valid=False)
    IdentifierFactory(record=record, value="0780363590", is_cancelled=True)
    RecordContributorFactory(record=record, contributor__name="Pramoedya Ananta Toer")
    url = reverse("catalog:record_update", args=[record.pk])
    page = cataloguer_client.get(url).content.decode()
    assert 'value="Bumi manusia"' in page
    assert "Pramoedya Ananta Toer | Author" in page
    assert 'value="fre"' in page
    # The invalid ISBN came from an import: it is kept, so the record can still be saved.
    data = record_form_data(
        title="Bumi manusia",
        isbns="9789791234567",
        contributors="Pramoedya Ananta Toer | Author",
        language="other",
        language_other="fre",
    )
    response = cataloguer_client.post(url, data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.publisher == "Bentang Pustaka"
    identifiers = list(record.identifiers.values_list("value", "is_valid", "is_cancelled"))
    assert identifiers == [("9789791234567", False, False), ("0780363590", True, True)]


def test_edit_record_refuses_a_new_invalid_isbn(cataloguer_client):
    record = RecordFactory()
    response = cataloguer_client.post(
        reverse("catalog:record_update", args=[record.pk]), record_form_data(isbns="12345")
    )
    assert response.status_code == 200
    assert "10 or 13 digits" in response.context["form"].errors["isbns"][0]


# ----------------------------------------------------------------------------- items


def test_add_item_from_the_form(cataloguer_client, branch):
    record = RecordFactory(call_number="899.221 3 HIR l")
    response = cataloguer_client.post(
        reverse("catalog:item_create", args=[record.pk]), item_form_data(branch)
    )
    item = Item.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert (item.price, item.call_number, item.shelf_location) == (
        85000,
        "899.221 3 HIR l",
        "Rak 3",
    )
    assert item.acquired_on.isoformat() == "2024-07-15"
    detail = cataloguer_client.get(record.get_absolute_url()).content.decode()
    assert "B0000042" in detail


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Rp 85.000", 85000),
        ("85000", 85000),
        ("Rp85.000,00", 85000),
        ("1.250.000", 1250000),
        ("", None),
    ],
)
def test_price_accepts_rupiah_as_people_write_it(cataloguer_client, branch, typed, stored):
    record = RecordFactory()
    cataloguer_client.post(
        reverse("catalog:item_create", args=[record.pk]), item_form_data(branch, price=typed)
    )
    assert Item.objects.get().price == stored


def test_a_taken_barcode_is_shown_next_to_the_field(cataloguer_client, branch):
    ItemFactory(barcode="B0000042", branch=branch)
    record = RecordFactory()
    response = cataloguer_client.post(
        reverse("catalog:item_create", args=[record.pk]),
        item_form_data(branch, price="harga", shelf_location="Rak Anak"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "price" in errors
    assert 'value="Rak Anak"' in response.content.decode()
    fixed = cataloguer_client.post(
        reverse("catalog:item_create", args=[record.pk]), item_form_data(branch)
    )
    assert fixed.status_code == 200
    assert fixed.context["form"].errors["barcode"] == [
        "The barcode B0000042 is already used by another item."
    ]
    assert Item.objects.filter(record=record).count() == 0


def test_save_and_add_another_item_returns_to_an_empty_form(cataloguer_client, branch):
    record = RecordFactory()
    url = reverse("catalog:item_create", args=[record.pk])
    response = cataloguer_client.post(url, item_form_data(branch, next="add_another"))
    assert response["Location"] == url


def test_edit_item_from_the_form(cataloguer_client, branch):
    item = ItemFactory(branch=branch, barcode="B1")
    url = reverse("catalog:item_update", args=[item.pk])
    assert 'value="B1"' in cataloguer_client.get(url).content.decode()
    response = cataloguer_client.post(
        url, item_form_data(branch, barcode="B1", status="damaged", is_loanable="")
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.is_loanable, item.price) == ("damaged", False, 85000)


def test_an_item_on_loan_keeps_its_status_when_edited(cataloguer_client, branch):
    item = ItemFactory(branch=branch, barcode="B1", status=Item.Status.ON_LOAN)
    url = reverse("catalog:item_update", args=[item.pk])
    response = cataloguer_client.post(url, item_form_data(branch, barcode="B1", status="available"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.ON_LOAN
    assert item.shelf_location == "Rak 3"


def test_an_acquisition_date_in_the_future_is_refused(cataloguer_client, branch):
    record = RecordFactory()
    next_year = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = cataloguer_client.post(
        reverse("catalog:item_create", args=[record.pk]),
        item_form_data(branch, acquired_on=next_year.isoformat()),
    )
    assert "acquired_on" in response.context["form"].errors


def test_delete_item_after_confirmation(cataloguer_client, branch):
    item = ItemFactory(branch=branch, barcode="B1")
    url = reverse("catalog:item_delete", args=[item.pk])
    assert "B1" in cataloguer_client.get(url).content.decode()
    response = cataloguer_client.post(url)
    assert response["Location"] == item.record.get_absolute_url()
    assert not Item.objects.exists()


def test_delete_item_on_loan_is_refused_with_a_message(cataloguer_client, branch):
    item = ItemFactory(branch=branch, status=Item.Status.ON_LOAN)
    response = cataloguer_client.post(reverse("catalog:item_delete", args=[item.pk]))
    assert response.status_code == 200
    assert "cannot be deleted now" in response.content.decode()
    assert Item.objects.exists()


# ----------------------------------------------------------------------------- labels


def test_labels_for_ticked_items_have_an_svg_barcode(cataloguer_client, branch):
    record = RecordFactory(title="Bumi manusia", call_number="959.8 PRA b")
    first = ItemFactory(record=record, branch=branch, barcode="B0000001")
    ItemFactory(record=record, branch=branch, barcode="B0000002")
    response = cataloguer_client.get(
        reverse("catalog:labels"), {"item": [first.pk], "from_record": record.pk}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<svg") == 1
    assert "B0000001" in content and "B0000002" not in content
    for line in ("959.8", "PRA", ">b<", "PUSAT", "Bumi manusia"):
        assert line in content
    assert "site-header" not in content


def test_labels_by_typed_barcodes_report_unknown_ones_by_name(cataloguer_client, branch):
    ItemFactory(branch=branch, barcode="B0000001")
    response = cataloguer_client.get(reverse("catalog:labels"), {"barcodes": "B0000001\nB404\nX-9"})
    assert response.status_code == 200
    error = response.context["form"].errors["barcodes"][0]
    assert "B404" in error and "X-9" in error and "B0000001" not in error
    found = cataloguer_client.get(reverse("catalog:labels"), {"barcodes": "b0000001"})
    assert found.content.decode().count("<svg") == 1


def test_print_with_no_item_ticked_returns_to_the_record(cataloguer_client):
    record = RecordFactory()
    response = cataloguer_client.get(reverse("catalog:labels"), {"from_record": record.pk})
    assert response["Location"] == record.get_absolute_url()


# ----------------------------------------------------------------------------- import


@pytest.fixture
def import_marc_mock():
    """import_marc replaced by a mock that records a run as the importer does."""
    seen = {}

    def fake_import(*, paths, by, items_per_record, branch, barcodes_from_holdings):
        path = Path(paths[0])
        seen["name"], seen["content"] = path.name, path.read_bytes()
        errors = [
            {
                "record_number": 3,
                "control_number": "ocm123",
                "message": "No title (245 $a).",
                "file": path.name,
                "severity": "error",
            }
        ]
        run = ImportRun.objects.create(
            filename=path.name,
            started_by=by,
            state=ImportRun.State.FINISHED,
            read=10,
            created=8,
            updated=1,
            skipped=0,
            error_count=1,
            report={"read": 10, "created": 8, "updated": 1, "skipped": 0, "errors": errors},
        )
        return types.SimpleNamespace(
            read=10, created=8, updated=1, skipped=0, errors=errors, import_run=run
        )

    with mock.patch("serambi.catalog.marc.importer.import_marc", side_effect=fake_import) as fake:
        fake.seen = seen
        yield fake


def test_upload_runs_the_importer_and_shows_its_report(
    cataloguer_client, cataloguer, branch, import_marc_mock
):
    upload = SimpleUploadedFile("koleksi baru.mrc", b"00026     2200025   4500\x1e\x1d")
    response = cataloguer_client.post(
        reverse("catalog:import_upload"),
        {
            "file": upload,
            "items_per_record": "2",
            "branch": branch.pk,
            "barcodes_from_holdings": "on",
        },
    )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("catalog:import_detail", args=[run.pk])
    kwargs = import_marc_mock.call_args.kwargs
    assert kwargs["by"] == cataloguer
    assert (kwargs["items_per_record"], kwargs["branch"], kwargs["barcodes_from_holdings"]) == (
        2,
        branch,
        True,
    )
    assert import_marc_mock.seen == {
        "name": "koleksi_baru.mrc",
        "content": b"00026     2200025   4500\x1e\x1d",
    }
    assert not Path(kwargs["paths"][0]).exists()  # the temporary copy is gone
    report = cataloguer_client.get(response["Location"]).content.decode()
    assert "No title (245 $a)." in report
    assert "ocm123" in report
    listing = cataloguer_client.get(reverse("catalog:import_upload")).content.decode()
    assert "koleksi_baru.mrc" in listing


def test_upload_needs_a_branch_for_new_items_and_a_marc_file(cataloguer_client, import_marc_mock):
    response = cataloguer_client.post(
        reverse("catalog:import_upload"),
        {"file": SimpleUploadedFile("foto.jpg", b"\xff\xd8"), "items_per_record": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"file", "branch"}
    assert not import_marc_mock.called


def test_import_report_tolerates_an_odd_report(cataloguer_client):
    run = ImportRun.objects.create(filename="lama.mrc", report={"errors": ["teks saja", None]})
    response = cataloguer_client.get(reverse("catalog:import_detail", args=[run.pk]))
    assert response.status_code == 200
    assert "teks saja" in response.content.decode()


def test_a_run_killed_midway_shows_as_stopped_not_running(cataloguer_client):
    """kill -9 leaves no word in the report; a run that has saved no counts for a
    quarter of an hour is shown as stopped, with what to do, not as running forever."""
    killed = ImportRun.objects.create(filename="besar.mrc", read=3000, created=3000)
    ImportRun.objects.filter(pk=killed.pk).update(
        updated_at=timezone.now() - ImportRun.SILENT_AFTER * 2
    )
    ImportRun.objects.create(filename="kecil.mrc")

    detail = cataloguer_client.get(reverse("catalog:import_detail", args=[killed.pk]))
    listing = cataloguer_client.get(reverse("catalog:import_upload"))

    page = detail.content.decode()
    assert '<span class="badge badge-danger">Stopped</span>' in page
    assert "import the file again to finish it" in page
    rows = {
        run: listing.content.decode().split(f">{run}</a>")[1].split("</tr>")[0]
        for run in ("besar.mrc", "kecil.mrc")
    }
    assert "<td>Stopped</td>" in rows["besar.mrc"]
    assert "<td>Running</td>" in rows["kecil.mrc"]


def png_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 6), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_cover_image_is_uploaded_with_the_record(cataloguer_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cover = SimpleUploadedFile("sampul.png", png_bytes(), content_type="image/png")
    response = cataloguer_client.post(
        reverse("catalog:record_create"), {**record_form_data(), "cover": cover}
    )
    record = Record.objects.get()
    assert response.status_code == 302
    assert record.cover.name.endswith(".png")
    assert (tmp_path / record.cover.name).exists()
    detail = cataloguer_client.get(record.get_absolute_url()).content.decode()
    assert record.cover.url in detail


def test_a_file_that_is_not_an_image_is_refused_as_cover(cataloguer_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("sampul.png", b"bukan gambar", content_type="image/png")
    response = cataloguer_client.post(
        reverse("catalog:record_create"), {**record_form_data(), "cover": fake}
    )
    assert response.status_code == 200
    assert "cover" in response.context["form"].errors
    assert not Record.objects.exists()


def test_the_admin_fallback_lists_and_opens_every_catalogue_model(admin_client, branch):
    item = ItemFactory(branch=branch)
    RecordContributorFactory(record=item.record)
    ImportRun.objects.create(filename="lama.mrc")
    for model in ("record", "item", "contributor", "subject", "identifier", "importrun"):
        response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
        assert response.status_code == 200, model
    change = admin_client.get(reverse("admin:catalog_record_change", args=[item.record.pk]))
    assert change.status_code == 200
    assert item.barcode in change.content.decode()


def test_the_admin_fills_the_key_of_a_new_contributor_and_refuses_a_duplicate(admin_client):
    url = reverse("admin:catalog_contributor_add")
    admin_client.post(url, {"name": "Toer, Pramoedya Ananta", "dates": "", "kind": "person"})
    response = admin_client.post(
        url, {"name": "toer, pramoedya ananta.", "dates": "", "kind": "person"}
    )
    assert response.status_code == 200
    assert Contributor.objects.get().key == "toer, pramoedya ananta"


def marc_file(*records: tuple[str, str, str]) -> bytes:
    """ISO 2709 bytes of small book records: (control number, ISBN, title)."""
    out = b""
    for number, isbn, title in records:
        record = pymarc.Record(leader="00000nam a2200000 a 4500")
        record.add_field(pymarc.Field(tag="001", data=number))
        record.add_field(pymarc.Field(tag="003", data="IDJKT"))
        record.add_field(pymarc.Field(tag="008", data="240101s2024    io            000 0 ind d"))
        record.add_field(
            pymarc.Field(
                tag="020",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield("a", isbn)],
            )
        )
        record.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("1", "0"),
                subfields=[pymarc.Subfield("a", title)],
            )
        )
        out += record.as_marc()
    return out


def test_upload_with_the_real_importer_creates_records_and_items(cataloguer_client, branch):
    data = marc_file(
        ("IDJKT-1", "978-602-03-1234-7", "Cerita rakyat Betawi"),
        ("IDJKT-2", "9789791234567 (pbk.)", "Dongeng Nusantara"),
    )
    response = cataloguer_client.post(
        reverse("catalog:import_upload"),
        {
            "file": SimpleUploadedFile("koleksi.mrc", data),
            "items_per_record": "1",
            "branch": branch.pk,
        },
    )
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("catalog:import_detail", args=[run.pk])
    assert (run.filename, run.state, run.read, run.created) == ("koleksi.mrc", "finished", 2, 2)
    assert Item.objects.filter(branch=branch).count() == 2
    imported = Record.objects.get(title__startswith="Dongeng")
    assert imported.identifiers.get().is_valid is False
    detail = cataloguer_client.get(imported.get_absolute_url()).content.decode()
    assert "=245  10$aDongeng Nusantara" in detail
    assert 'class="badge badge-danger">invalid</span>' in detail
    report = cataloguer_client.get(response["Location"])
    assert report.status_code == 200
    assert "koleksi.mrc" in report.content.decode()


def test_a_file_that_is_not_marc_is_refused_next_to_the_file_field(cataloguer_client):
    response = cataloguer_client.post(
        reverse("catalog:import_upload"),
        {"file": SimpleUploadedFile("catatan.mrc", b"Daftar buku baru, bukan MARC.")},
    )
    assert response.status_code == 200
    assert "catatan.mrc" in response.context["form"].errors["file"][0]
