"""The OPAC's public record page and its downloads, and the availability the search page reuses."""

import io
import json
import re
import tempfile
from pathlib import Path
from unittest import mock

import pymarc
import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from lxml import etree

from serambi.catalog import public_views, selectors
from serambi.catalog.marc.importer import import_marc
from serambi.catalog.models import Item, Record
from serambi.catalog.selectors import BranchAvailability, availability_by_branch
from serambi.core.models import Branch

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

LOC_INDONESIAN = Path(settings.BASE_DIR).parent / "shared" / "data" / "marc" / "loc-indonesian.mrc"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English, the language the messages are written in, whatever the .po says."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def north(db) -> Branch:
    # "Cabang" sorts before "Perpustakaan": the central library must still come first.
    return BranchFactory(code="utara", name="Cabang Utara", kind=Branch.Kind.BRANCH)


def page_url(record: Record) -> str:
    return reverse("opac:record", args=[record.pk])


def export_url(record: Record, fmt: str) -> str:
    return reverse("opac:record_export", args=[record.pk, fmt])


def json_ld(html: str) -> dict:
    (script,) = JSON_LD.findall(html)
    return json.loads(script)


def meta(html: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)


@pytest.fixture
def bumi_manusia(branch, north) -> Record:
    record = RecordFactory(
        title="Bumi manusia",
        subtitle="roman",
        responsibility="Pramoedya Ananta Toer",
        edition="Cet. 5",
        publisher="Hasta Mitra",
        publication_place="Jakarta",
        year=1980,
        physical_description="xiv, 529 hlm. ; 20 cm",
        series="Tetralogi Buru ; 1",
        notes="Pernah dilarang beredar.",
        summary="Kisah Minke, pemuda pribumi di akhir abad ke-19.",
        call_number="899.221 3 TOE b",
    )
    RecordContributorFactory(
        record=record, contributor__name="Toer, Pramoedya Ananta,", is_main=True, position=0
    )
    RecordContributorFactory(
        record=record, contributor__name="Lane, Max", role="translator", position=1
    )
    RecordSubjectFactory(record=record, subject=SubjectFactory(heading="Indonesia -- History"))
    IdentifierFactory(record=record, value="979-8659-12-6", normalized="9789798659126")
    IdentifierFactory(record=record, value="979-000", normalized="", is_valid=False, position=1)
    for _copy in range(3):
        ItemFactory(record=record, branch=branch, shelf_location="Rak Sastra")
    ItemFactory(record=record, branch=branch, status=Item.Status.ON_LOAN)
    ItemFactory(record=record, branch=north, is_loanable=False)
    ItemFactory(record=record, branch=north, status=Item.Status.MISSING)
    ItemFactory(
        record=record,
        branch=north,
        status=Item.Status.WITHDRAWN,
        shelf_location="Gudang afkir",
        call_number="WITHDRAWN 1",
    )
    return record


# ------------------------------------------------------------------------- the page


def test_anyone_sees_the_full_description(client, bumi_manusia):
    response = client.get(page_url(bumi_manusia))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Bumi manusia · Perpustakaan Kota" in html
    assert "<h1>Bumi manusia<span" in html
    for text in (
        "Pramoedya Ananta Toer",
        "Cet. 5",
        "Jakarta: Hasta Mitra, 1980",
        "xiv, 529 hlm. ; 20 cm",
        "Tetralogi Buru ; 1",
        "Pernah dilarang beredar.",
        "Kisah Minke",
        "899.221 3 TOE b",
        'Toer, Pramoedya Ananta <span class="muted">(Author)</span>',
        'Lane, Max <span class="muted">(Translator)</span>',
        "ISBN 979-8659-12-6",
        "ISBN 979-000 — invalid number",
    ):
        assert text in html, text


def test_each_subject_links_to_a_search_for_it(client, bumi_manusia):
    html = client.get(page_url(bumi_manusia)).content.decode()
    expected = f"{public_views.search_url()}?q=subjek%3A%22Indonesia+--+History%22"
    assert f'<a href="{expected}">Indonesia -- History</a>' in html


def test_the_search_link_falls_back_while_the_search_page_is_missing():
    with mock.patch.object(public_views, "reverse", side_effect=NoReverseMatch):
        assert public_views.subject_search_url('Kata "kunci"') == (
            "/cari/?q=subjek%3A%22Kata+kunci%22"
        )


def test_copies_are_listed_per_branch_central_first_without_withdrawn_ones(client, bumi_manusia):
    html = client.get(page_url(bumi_manusia)).content.decode()
    assert "3 available at Perpustakaan Pusat, 1 at Cabang Utara" in html
    assert html.index("Perpustakaan Pusat</span>") < html.index("Cabang Utara</span>")
    assert "3 of 4 copies available" in html
    assert "1 of 2 copies available" in html
    assert html.count("<caption>") == 2
    assert '<th scope="col">Status</th>' in html
    # The status is written out beside its shape.
    shape = '<span class="opac-shape" aria-hidden="true"></span>'
    assert f'opac-status-available">{shape}Available' in html
    assert f'opac-status-waiting">{shape}On loan' in html
    assert f'opac-status-unavailable">{shape}Missing' in html
    assert "Read in the library only" in html
    assert "Gudang afkir" not in html
    assert "WITHDRAWN 1" not in html
    assert "Withdrawn" not in html


def test_a_record_without_copies_says_so(client):
    record = RecordFactory(title="Naskah tunggal")
    html = client.get(page_url(record)).content.decode()
    assert "The library has no copies of this title." in html
    assert "<table" not in html


def test_the_citation_can_be_copied_or_selected(client, bumi_manusia):
    html = client.get(page_url(bumi_manusia)).content.decode()
    citation = "Toer, P. A. (1980). Bumi manusia: roman (M. Lane, Trans.; Cet. 5). Hasta Mitra."
    assert f'readonly rows="4">{citation}</textarea>' in html
    assert '<label for="apa-citation">' in html
    assert "<i>Bumi manusia: roman</i> (M. Lane, Trans.; Cet. 5)" in html
    # The button appears only where the script runs; the text is there either way.
    button = 'data-copy-from="apa-citation" data-status="apa-copy-status" hidden>Copy</button>'
    assert button in html


def test_the_page_links_every_download(client, bumi_manusia):
    html = client.get(page_url(bumi_manusia)).content.decode()
    for fmt in ("marc", "marcxml", "mods", "dc"):
        assert f'href="{export_url(bumi_manusia, fmt)}" rel="nofollow" download>' in html


def test_search_engines_and_link_previews_get_structured_data(client, bumi_manusia):
    html = client.get(page_url(bumi_manusia)).content.decode()
    absolute = f"http://testserver{page_url(bumi_manusia)}"
    assert f'<link rel="canonical" href="{absolute}">' in html
    assert meta(html, "property", "og:type") == ["book"]
    assert meta(html, "property", "og:title") == ["Bumi manusia : roman"]
    assert meta(html, "property", "og:description") == [
        "Pramoedya Ananta Toer · 1980 · Hasta Mitra"
    ]
    assert meta(html, "property", "og:url") == [absolute]
    assert meta(html, "property", "og:image") == []  # no cover
    assert meta(html, "property", "book:isbn") == ["9789798659126"]
    assert meta(html, "property", "book:author") == ["Pramoedya Ananta Toer"]
    assert meta(html, "name", "twitter:card") == ["summary"]
    data = json_ld(html)
    assert data["@type"] == "Book"
    assert data["url"] == absolute
    assert data["name"] == "Bumi manusia"
    assert data["author"]["name"] == "Pramoedya Ananta Toer"
    assert data["isbn"] == "9789798659126"
    assert data["inLanguage"] == "id"
    assert data["numberOfPages"] == 529


def test_the_cover_is_offered_to_link_previews(client, bumi_manusia):
    Record.objects.filter(pk=bumi_manusia.pk).update(cover="covers/2024/bumi.jpg")
    html = client.get(page_url(bumi_manusia)).content.decode()
    cover = "http://testserver" + Record.objects.get(pk=bumi_manusia.pk).cover.url
    assert cover.endswith("/covers/2024/bumi.jpg")
    assert meta(html, "property", "og:image") == [cover]
    assert json_ld(html)["image"] == cover


def test_markup_in_a_title_cannot_break_out_of_the_json_ld(client):
    record = RecordFactory(title="Awas </script><script>alert(1)</script>")
    html = client.get(page_url(record)).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "Awas </script><script>alert(1)</script>"


def test_an_unknown_record_is_not_found(client):
    assert client.get(reverse("opac:record", args=[999999])).status_code == 404


def test_the_page_is_read_only(client, bumi_manusia):
    assert client.post(page_url(bumi_manusia)).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_record(
    client, branch, north, django_assert_num_queries
):
    small = RecordFactory()
    RecordContributorFactory(record=small)
    RecordSubjectFactory(record=small)
    ItemFactory(record=small, branch=branch)
    large = RecordFactory()
    for position in range(12):
        RecordContributorFactory(record=large, position=position)
        RecordSubjectFactory(record=large, position=position)
        IdentifierFactory(record=large, value=f"isbn-{position}", normalized="", is_valid=False)
    for number in range(30):
        ItemFactory(record=large, branch=(branch, north)[number % 2])
    # The record, its contributors, subjects, identifiers and copies; the counts per branch.
    for record in (small, large):
        with django_assert_num_queries(6):
            assert client.get(page_url(record)).status_code == 200


# -------------------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [
        ("marc", "application/marc", "serambi-{pk}.mrc"),
        ("marcxml", "application/marcxml+xml", "serambi-{pk}.marcxml.xml"),
        ("mods", "application/mods+xml", "serambi-{pk}.mods.xml"),
        ("dc", "application/xml", "serambi-{pk}.dc.xml"),
    ],
)
def test_each_download_is_an_attachment_in_its_format(
    client, bumi_manusia, fmt, content_type, filename
):
    response = client.get(export_url(bumi_manusia, fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    expected = filename.format(pk=bumi_manusia.pk)
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert_parses(fmt, response.content, title="Bumi manusia")


def assert_parses(fmt: str, content: bytes, *, title: str) -> None:
    if fmt == "marc":
        (marc,) = pymarc.MARCReader(io.BytesIO(content), to_unicode=True, force_utf8=True)
        assert marc["245"]["a"].startswith(title)
    elif fmt == "marcxml":
        (marc,) = pymarc.parse_xml_to_array(io.BytesIO(content))
        assert marc["245"]["a"].startswith(title)
    else:
        root = etree.fromstring(content)
        found = root.xpath(
            "//*[local-name()='title']/text()",
        )
        assert any(text.startswith(title) for text in found), found


def test_an_unknown_format_or_record_is_not_found(client, bumi_manusia):
    assert client.get(export_url(bumi_manusia, "bibtex")).status_code == 404
    assert client.get(reverse("opac:record_export", args=[999999, "mods"])).status_code == 404


def test_downloads_carry_the_public_page_address(client, bumi_manusia):
    absolute = f"http://testserver{page_url(bumi_manusia)}"
    assert absolute.encode() in client.get(export_url(bumi_manusia, "mods")).content
    assert absolute.encode() in client.get(export_url(bumi_manusia, "dc")).content


# ------------------------------------------------------------------------ availability


def test_availability_of_many_records_in_one_query(branch, north, django_assert_num_queries):
    first, second, without_copies = RecordFactory(), RecordFactory(), RecordFactory()
    ItemFactory(record=first, branch=north)
    ItemFactory(record=first, branch=branch)
    ItemFactory(record=first, branch=branch, status=Item.Status.ON_LOAN)
    ItemFactory(record=first, branch=branch, status=Item.Status.WITHDRAWN)
    ItemFactory(record=second, branch=north, status=Item.Status.WITHDRAWN)
    with django_assert_num_queries(1):
        availability = availability_by_branch([first.pk, second.pk, without_copies.pk])
    assert availability == {
        first.pk: [
            BranchAvailability(branch.pk, "Perpustakaan Pusat", available=1, total=2),
            BranchAvailability(north.pk, "Cabang Utara", available=1, total=1),
        ],
        second.pk: [],
        without_copies.pk: [],
    }
    with django_assert_num_queries(0):
        assert availability_by_branch([]) == {}


def test_branches_other_than_the_central_library_follow_by_name(branch):
    record = RecordFactory()
    for name in ("Pojok Baca Sekolah", "Cabang Selatan", "Mobil Keliling"):
        ItemFactory(record=record, branch=BranchFactory(name=name))
    ItemFactory(record=record, branch=branch)
    names = [row.branch_name for row in availability_by_branch([record.pk])[record.pk]]
    assert names == ["Perpustakaan Pusat", "Cabang Selatan", "Mobil Keliling", "Pojok Baca Sekolah"]


@pytest.mark.parametrize(
    ("rows", "summary"),
    [
        (
            [BranchAvailability(1, "Pusat", 3, 4), BranchAvailability(2, "Utara", 1, 1)],
            "3 available at Pusat, 1 at Utara",
        ),
        (
            [BranchAvailability(1, "Pusat", 0, 2), BranchAvailability(2, "Utara", 2, 2)],
            "2 available at Utara",
        ),
        ([BranchAvailability(1, "Pusat", 0, 1)], "None available now (1 copy, on loan or away "
         "from the shelf)"),
        ([BranchAvailability(1, "Pusat", 0, 2)], "None available now (2 copies, on loan or away "
         "from the shelves)"),
        ([], "The library has no copies of this title."),
    ],
)  # fmt: skip
def test_availability_summary(rows, summary):
    assert selectors.availability_summary(rows) == summary


# ------------------------------------------------------------------------ real records


def import_some_real_records(branch) -> list[Record]:
    """The first 40 records of the LoC file, and the one with a control character in 001."""
    if not LOC_INDONESIAN.exists():
        pytest.skip(f"{LOC_INDONESIAN} is missing")
    with LOC_INDONESIAN.open("rb") as handle:
        reader = pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True)
        chosen = [
            marc
            for number, marc in enumerate(reader)
            if marc is not None and (number < 40 or marc["001"].data == "   00369705\x1f")
        ]
    assert len(chosen) == 41
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "sebagian.mrc"
        path.write_bytes(b"".join(marc.as_marc() for marc in chosen))
        report = import_marc([path], items_per_record=1, branch=branch)
    assert report.rejected == 0
    return list(Record.objects.order_by("pk"))


def test_real_records_render_export_and_describe_themselves(client, branch):
    records = import_some_real_records(branch)
    assert len(records) == 41
    for record in records:
        response = client.get(page_url(record))
        assert response.status_code == 200, record.control_number
        html = response.content.decode()
        data = json_ld(html)
        assert data["name"] and data["url"].endswith(page_url(record))
        assert "1 available at Perpustakaan Pusat" in html
        for fmt in ("marc", "marcxml", "mods", "dc"):
            response = client.get(export_url(record, fmt))
            assert response.status_code == 200, (fmt, record.control_number)
            assert_parses(fmt, response.content, title=record.title[:20])


def test_a_staff_edit_is_laid_over_the_original_marc(client, branch):
    records = import_some_real_records(branch)
    (survey,) = [record for record in records if record.control_number == "00369705"]
    Record.objects.filter(pk=survey.pk).update(title="Survei sosial ekonomi nasional (Susenas)")
    response = client.get(export_url(survey, "marc"))
    (marc,) = pymarc.MARCReader(io.BytesIO(response.content), to_unicode=True, force_utf8=True)
    assert marc["245"]["a"].startswith("Survei sosial ekonomi nasional (Susenas)")
    # What the catalogue does not model goes out as it came in; the control character does not.
    assert marc["505"]["a"].startswith("buku 1. Pengeluaran")
    assert marc["001"].data == "   00369705"
    mods = etree.fromstring(client.get(export_url(survey, "mods")).content)
    assert b"\x1f" not in etree.tostring(mods)
