"""schema.org JSON-LD for a record: types by material, people, pages, language tags, escaping."""

import json

import pytest

from serambi.catalog.jsonld import (
    bcp47_language,
    json_ld_script,
    number_of_pages,
    record_json_ld,
)
from serambi.catalog.marc.types import ContributorData, IdentifierData, RecordData, SubjectData

from .factories import IdentifierFactory, RecordContributorFactory, RecordFactory

URL = "https://perpustakaan.example/katalog/7/"


def bumi_manusia(**fields) -> RecordData:
    values = {
        "title": "Bumi manusia",
        "subtitle": "roman",
        "edition": "Cet. 5",
        "publisher": "Hasta Mitra",
        "publication_place": "Jakarta",
        "year": 1980,
        "physical_description": "xiv, 529 hlm. ; 20 cm",
        "summary": "Kisah Minke di akhir abad ke-19.",
        "language": "ind",
        "contributors": [
            ContributorData("Toer, Pramoedya Ananta,", dates="1925-2006", is_main=True),
            ContributorData("Lubis, Mochtar", role="editor"),
            ContributorData("Lane, Max", role="translator"),
            ContributorData("Hasta Mitra (Firm)", kind="organization", role="contributor"),
        ],
        "subjects": [SubjectData("Indonesia -- History -- Fiction")],
        "identifiers": [
            IdentifierData("isbn", "979-8659-12-6", normalized="9789798659126"),
            IdentifierData("isbn", "123", is_valid=False),
            IdentifierData("isbn", "9789790000000", normalized="9789790000000", is_cancelled=True),
        ],
    }
    return RecordData(**(values | fields))


def test_a_book_is_described_with_its_people_publisher_and_numbers():
    data = record_json_ld(bumi_manusia(), url=URL, image="https://perpustakaan.example/c.jpg")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Book"
    assert data["url"] == data["@id"] == URL
    assert data["name"] == "Bumi manusia"
    assert data["alternativeHeadline"] == "roman"
    assert data["author"] == {
        "@type": "Person",
        "name": "Pramoedya Ananta Toer",
        "givenName": "Pramoedya Ananta",
        "familyName": "Toer",
    }
    assert data["editor"]["name"] == "Mochtar Lubis"
    assert data["translator"]["name"] == "Max Lane"
    assert data["contributor"] == {"@type": "Organization", "name": "Hasta Mitra (Firm)"}
    assert data["datePublished"] == "1980"
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Hasta Mitra",
        "location": "Jakarta",
    }
    assert data["isbn"] == "9789798659126"  # invalid and cancelled numbers identify nothing
    assert data["inLanguage"] == "id"
    assert data["numberOfPages"] == 529
    assert data["about"] == [{"@type": "Thing", "name": "Indonesia -- History -- Fiction"}]
    assert data["bookEdition"] == "Cet. 5"
    assert data["description"].startswith("Kisah Minke")
    assert data["image"] == "https://perpustakaan.example/c.jpg"
    json.dumps(data)  # plain JSON all the way down


def test_empty_values_are_left_out():
    data = record_json_ld(RecordData(title="Tanpa keterangan"), url=URL)
    assert set(data) == {"@context", "@type", "@id", "url", "name"}


def test_several_authors_and_isbns_become_lists():
    data = record_json_ld(
        bumi_manusia(
            contributors=[ContributorData("Maga, Djowa"), ContributorData("Klau, Maria H.")],
            identifiers=[
                IdentifierData("isbn", "a", normalized="9789798659126"),
                IdentifierData("isbn", "b", normalized="9789791234566"),
            ],
        ),
        url=URL,
    )
    assert [author["name"] for author in data["author"]] == ["Djowa Maga", "Maria H. Klau"]
    assert data["isbn"] == ["9789798659126", "9789791234566"]


@pytest.mark.parametrize(
    ("material_type", "schema_type"),
    [
        ("book", "Book"),
        ("ebook", "Book"),
        ("serial", "Periodical"),
        ("map", "Map"),
        ("score", "MusicComposition"),
        ("audio", "AudioObject"),
        ("video", "VideoObject"),
        ("kit", "CreativeWork"),
        ("visual", "CreativeWork"),
    ],
)
def test_the_type_follows_the_material(material_type, schema_type):
    data = record_json_ld(bumi_manusia(material_type=material_type), url=URL)
    assert data["@type"] == schema_type
    # Book properties only on books.
    assert ("isbn" in data) is (schema_type == "Book")
    assert ("numberOfPages" in data) is (schema_type == "Book")


def test_an_ebook_says_its_format_and_a_periodical_its_issn():
    assert record_json_ld(bumi_manusia(material_type="ebook"), url=URL)["bookFormat"] == (
        "https://schema.org/EBook"
    )
    serial = bumi_manusia(
        material_type="serial", identifiers=[IdentifierData("issn", "0317-8471", "03178471")]
    )
    assert record_json_ld(serial, url=URL)["issn"] == "0317-8471"


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("ind", "id"),
        ("eng", "en"),
        ("jav", "jv"),
        ("sun", "su"),
        ("min", "min"),
        ("msa", "ms"),
        ("may", "ms"),
        ("ara", "ar"),
        ("nld", "nl"),
        ("dut", "nl"),
        ("ban", "ban"),
        ("IND", "id"),
        ("und", ""),
        ("", ""),
    ],
)
def test_language_codes_become_bcp47_tags(code, tag):
    assert bcp47_language(code) == tag


@pytest.mark.parametrize(
    ("description", "pages"),
    [
        ("xiv, 529 hlm. ; 20 cm", 529),
        ("vi, 64 p. : ill. ; 27 cm", 64),
        ("312 pages", 312),
        ("x, 120 halaman : ilus.", 120),
        ("245 h. ; 21 cm", 245),
        ("xv, 291 p., [8] p. of plates", 291),
        ("[8] p.", None),
        ("3 vol. : ill. ; 27 cm", None),
        ("53 leaves : ill. ; 22 x 30 cm", None),
        ("1 CD-ROM ; 12 cm", None),
        ("", None),
    ],
)
def test_number_of_pages_from_the_physical_description(description, pages):
    assert number_of_pages(description) == pages


def test_the_script_element_cannot_be_closed_by_the_data():
    script = json_ld_script({"name": "</script><script>alert(1)</script> & more"})
    assert script.startswith('<script type="application/ld+json">')
    assert script.count("</script>") == 1
    body = script.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(body) == {"name": "</script><script>alert(1)</script> & more"}


@pytest.mark.django_db
def test_a_catalogue_record_is_read_with_its_contributors_and_identifiers():
    record = RecordFactory(title="Laskar pelangi", physical_description="xiv, 529 hlm.")
    RecordContributorFactory(record=record, contributor__name="Hirata, Andrea,")
    IdentifierFactory(record=record)
    data = record_json_ld(record, url=URL)
    assert data["author"]["name"] == "Andrea Hirata"
    assert data["isbn"] == "9789791234566"
    assert data["numberOfPages"] == 529
