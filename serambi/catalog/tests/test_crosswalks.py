"""MODS and OAI Dublin Core from catalogue records: well formed, complete, valid where a
schema is at hand, and never broken by control characters from real MARC."""

from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from serambi.catalog.crosswalks import (
    DC_NAMESPACE,
    MODS_NAMESPACE,
    OAI_DC_NAMESPACE,
    record_to_dublin_core,
    record_to_mods,
    subject_parts,
)
from serambi.catalog.marc.types import ContributorData, IdentifierData, RecordData, SubjectData

from .factories import RecordContributorFactory, RecordFactory

SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "data" / "schemas"
NS = {"m": MODS_NAMESPACE, "dc": DC_NAMESPACE, "oai_dc": OAI_DC_NAMESPACE}
URL = "https://perpustakaan.example/katalog/7/"


def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{name} is read from {SCHEMAS}, which does not have it")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="module")
def oai_dc_schema() -> etree.XMLSchema:
    return schema("oai_dc.xsd")


@pytest.fixture(scope="module")
def mods_schema() -> etree.XMLSchema:
    return schema("mods-3-7.xsd")


def bumi_manusia(**fields) -> RecordData:
    values = {
        "title": "Bumi manusia",
        "subtitle": "roman",
        "edition": "Cet. 5",
        "publisher": "Hasta Mitra",
        "publication_place": "Jakarta",
        "year": 1980,
        "physical_description": "xiv, 529 hlm. ; 20 cm",
        "series": "Tetralogi Buru ; 1",
        "summary": "Kisah Minke di akhir abad ke-19.",
        "notes": "Pernah dilarang beredar.\nCetakan pertama 1980.",
        "language": "ind",
        "ddc": "899.221 3",
        "call_number": "899.221 3 TOE b",
        "control_number": "00271626",
        "control_number_source": "DLC",
        "contributors": [
            ContributorData("Toer, Pramoedya Ananta,", dates="1925-2006", is_main=True),
            ContributorData("Lane, Max", role="translator"),
            ContributorData("Hasta Mitra (Firm)", kind="organization", role="contributor"),
        ],
        "subjects": [
            SubjectData("Indonesia -- History -- 1798-1942 -- Fiction"),
            SubjectData("Belitung (Indonesia)", kind="place"),
            SubjectData("Kartini, Raden Adjeng, 1879-1904", kind="person"),
        ],
        "identifiers": [
            IdentifierData("isbn", "979-8659-12-6", normalized="9789798659126", qualifier="pbk."),
            IdentifierData("isbn", "979-123", is_valid=False),
            IdentifierData("issn", "0317-8471", normalized="03178471"),
        ],
    }
    return RecordData(**(values | fields))


def parse(document: bytes) -> etree._Element:
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(document)


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in root.xpath(path, namespaces=NS)]


# ------------------------------------------------------------------------------ MODS


def test_mods_holds_the_whole_description():
    mods = parse(record_to_mods(bumi_manusia(), url=URL))
    assert mods.tag == f"{{{MODS_NAMESPACE}}}mods"
    assert mods.get("version") == "3.7"
    assert texts(mods, "m:titleInfo/m:title") == ["Bumi manusia"]
    assert texts(mods, "m:titleInfo/m:subTitle") == ["roman"]

    (author,) = mods.xpath("m:name[@usage='primary']", namespaces=NS)
    assert author.get("type") == "personal"
    assert texts(author, "m:namePart[not(@type)]") == ["Toer, Pramoedya Ananta"]
    assert texts(author, "m:namePart[@type='date']") == ["1925-2006"]
    assert texts(author, "m:role/m:roleTerm[@type='text'][@authority='marcrelator']") == ["author"]
    assert texts(author, "m:role/m:roleTerm[@type='code']") == ["aut"]
    assert texts(mods, "m:name[m:namePart='Lane, Max']/m:role/m:roleTerm[@type='code']") == ["trl"]
    assert mods.xpath("m:name[m:namePart='Hasta Mitra (Firm)']/@type", namespaces=NS) == [
        "corporate"
    ]

    assert texts(mods, "m:typeOfResource") == ["text"]
    assert texts(mods, "m:originInfo/m:place/m:placeTerm[@type='text']") == ["Jakarta"]
    assert texts(mods, "m:originInfo/m:publisher") == ["Hasta Mitra"]
    assert texts(mods, "m:originInfo/m:dateIssued[@keyDate='yes']") == ["1980"]
    assert texts(mods, "m:originInfo/m:edition") == ["Cet. 5"]
    assert texts(mods, "m:originInfo/m:issuance") == ["monographic"]
    assert texts(mods, "m:language/m:languageTerm[@authority='iso639-2b'][@type='code']") == ["ind"]
    assert texts(mods, "m:physicalDescription/m:extent") == ["xiv, 529 hlm. ; 20 cm"]
    assert texts(mods, "m:abstract") == ["Kisah Minke di akhir abad ke-19."]
    assert texts(mods, "m:note") == ["Pernah dilarang beredar.", "Cetakan pertama 1980."]
    assert texts(mods, "m:classification[@authority='ddc']") == ["899.221 3"]
    assert texts(mods, "m:relatedItem[@type='series']/m:titleInfo/m:title") == [
        "Tetralogi Buru ; 1"
    ]
    assert texts(mods, "m:identifier[@type='isbn'][not(@invalid)]") == ["9789798659126"]
    assert texts(mods, "m:identifier[@type='isbn'][@invalid='yes']") == ["979-123"]
    assert texts(mods, "m:identifier[@type='issn']") == ["0317-8471"]
    assert texts(mods, "m:location/m:url[@usage='primary display']") == [URL]
    assert texts(mods, "m:location/m:shelfLocator") == ["899.221 3 TOE b"]
    assert texts(mods, "m:recordInfo/m:recordIdentifier[@source='DLC']") == ["00271626"]


def test_mods_subjects_are_split_into_topic_place_period_and_form():
    mods = parse(record_to_mods(bumi_manusia()))
    first, place, person = mods.xpath("m:subject", namespaces=NS)
    assert [(etree.QName(child).localname, child.text) for child in first] == [
        ("geographic", "Indonesia"),
        ("topic", "History"),
        ("temporal", "1798-1942"),
        ("genre", "Fiction"),
    ]
    assert texts(place, "m:geographic") == ["Belitung (Indonesia)"]
    assert texts(person, "m:name[@type='personal']/m:namePart") == [
        "Kartini, Raden Adjeng, 1879-1904"
    ]


@pytest.mark.parametrize(
    ("heading", "kind", "parts"),
    [
        ("Research -- Government policy -- Indonesia -- Congresses", "topic",
         [("topic", "Research"), ("topic", "Government policy"),
          ("geographic", "Indonesia"), ("genre", "Congresses")]),
        ("Jakarta (Indonesia) -- Social life and customs", "topic",
         [("geographic", "Jakarta (Indonesia)"), ("topic", "Social life and customs")]),
        ("Indonesia -- History -- Japanese occupation, 1942-1945", "place",
         [("geographic", "Indonesia"), ("topic", "History"),
          ("temporal", "Japanese occupation, 1942-1945")]),
        ("Folk literature, Javanese", "genre", [("genre", "Folk literature, Javanese")]),
        ("Bank Indonesia", "organization", [("name", "Bank Indonesia")]),
        ("Cerita rakyat", "other", [("topic", "Cerita rakyat")]),
    ],
)  # fmt: skip
def test_subject_parts(heading, kind, parts):
    assert subject_parts(SubjectData(heading, kind=kind)) == parts


def test_mods_of_a_record_with_little_to_say_is_still_a_mods_document():
    mods = parse(record_to_mods(RecordData(title="Tanpa keterangan", material_type="other")))
    assert texts(mods, "m:titleInfo/m:title") == ["Tanpa keterangan"]
    assert mods.xpath("m:typeOfResource", namespaces=NS) == []
    assert mods.xpath("m:titleInfo/m:subTitle | m:name | m:subject", namespaces=NS) == []


def test_mods_is_valid(mods_schema):
    mods_schema.assertValid(parse(record_to_mods(bumi_manusia(), url=URL)))


# ------------------------------------------------------------------------- Dublin Core


def test_dublin_core_holds_the_whole_description(oai_dc_schema):
    dc = parse(record_to_dublin_core(bumi_manusia(), url=URL))
    assert dc.tag == f"{{{OAI_DC_NAMESPACE}}}dc"
    assert texts(dc, "dc:title") == ["Bumi manusia : roman"]
    assert texts(dc, "dc:creator") == ["Toer, Pramoedya Ananta, 1925-2006"]
    assert texts(dc, "dc:contributor") == ["Lane, Max", "Hasta Mitra (Firm)"]
    assert texts(dc, "dc:subject") == [
        "Indonesia -- History -- 1798-1942 -- Fiction",
        "Belitung (Indonesia)",
        "Kartini, Raden Adjeng, 1879-1904",
    ]
    assert texts(dc, "dc:description") == [
        "Kisah Minke di akhir abad ke-19.",
        "Pernah dilarang beredar.",
        "Cetakan pertama 1980.",
    ]
    assert texts(dc, "dc:publisher") == ["Hasta Mitra"]
    assert texts(dc, "dc:date") == ["1980"]
    assert texts(dc, "dc:type") == ["Text"]
    assert texts(dc, "dc:format") == ["xiv, 529 hlm. ; 20 cm"]
    # The invalid ISBN identifies nothing and is left out.
    assert texts(dc, "dc:identifier") == ["urn:isbn:9789798659126", "urn:issn:0317-8471", URL]
    assert texts(dc, "dc:language") == ["ind"]
    oai_dc_schema.assertValid(dc)


def test_dublin_core_of_a_bare_record_is_valid(oai_dc_schema):
    dc = parse(record_to_dublin_core(RecordData(title="Tanpa keterangan", material_type="other")))
    assert [etree.QName(child).localname for child in dc] == ["title"]
    oai_dc_schema.assertValid(dc)


# -------------------------------------------------------------------- control characters


def dirty_record() -> RecordData:
    return bumi_manusia(
        title="Bumi\x1f manusia\x00",
        subtitle="ro\x0bman\ufffe",
        notes="Catatan\x1d satu\x07",
        control_number="   00369705\x1f",
        control_number_source="DL\x1eC",
        contributors=[ContributorData("Toer,\x1f Pramoedya Ananta", is_main=True)],
        subjects=[SubjectData("Indonesia\x1c -- History")],
    )


def test_control_characters_never_reach_the_mods():
    document = record_to_mods(dirty_record())
    mods = parse(document)
    assert texts(mods, "m:titleInfo/m:title") == ["Bumi manusia"]
    assert texts(mods, "m:titleInfo/m:subTitle") == ["roman"]
    assert texts(mods, "m:note") == ["Catatan satu"]
    assert texts(mods, "m:recordInfo/m:recordIdentifier[@source='DLC']") == ["00369705"]
    assert texts(mods, "m:name/m:namePart") == ["Toer, Pramoedya Ananta"]
    assert b"\x1f" not in document and b"\x00" not in document


def test_control_characters_never_reach_the_dublin_core(oai_dc_schema):
    dc = parse(record_to_dublin_core(dirty_record()))
    assert texts(dc, "dc:title") == ["Bumi manusia : roman"]
    assert texts(dc, "dc:creator") == ["Toer, Pramoedya Ananta"]
    oai_dc_schema.assertValid(dc)


# ----------------------------------------------------------------- records in the database


@pytest.mark.django_db
def test_a_catalogue_record_says_where_and_when_it_was_catalogued():
    record = RecordFactory(title="Laskar pelangi", control_number="")
    RecordContributorFactory(record=record, contributor__name="Hirata, Andrea")
    mods = parse(record_to_mods(record))
    assert texts(mods, "m:name/m:namePart") == ["Hirata, Andrea"]
    assert texts(mods, "m:recordInfo/m:recordIdentifier") == [f"serambi-{record.pk}"]
    assert texts(mods, "m:recordInfo/m:recordCreationDate") == [
        record.created_at.date().isoformat()
    ]
    assert len(texts(mods, "m:recordInfo/m:recordChangeDate")) == 1
    dc = parse(record_to_dublin_core(record))
    assert texts(dc, "dc:creator") == ["Hirata, Andrea"]
