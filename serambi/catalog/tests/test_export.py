"""MARC export: imported records go out as they came in (with the staff's edits),
records catalogued here are built from their fields, and every file is well formed."""

import io
import tempfile
from pathlib import Path

import pymarc
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from lxml import etree

from serambi.catalog import services
from serambi.catalog.marc import compose
from serambi.catalog.marc.export import record_to_marc, records_for_export, write_records
from serambi.catalog.marc.importer import import_marc
from serambi.catalog.marc.mapping import map_record
from serambi.catalog.marc.types import ContributorData, IdentifierData, SubjectData
from serambi.catalog.marc.writers import marcxml_collection, sanitize
from serambi.catalog.models import Item, Record
from serambi.catalog.tests.factories import ItemFactory

GOLDEN_DIR = Path(__file__).parent / "golden"
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
SCHEMA_PATH = SHARED_DATA / "schemas" / "MARC21slim.xsd"
LOC_INDONESIAN = SHARED_DATA / "marc" / "loc-indonesian.mrc"
# Fields whose content the export rewrites on purpose: 005 (time of the latest change).
REWRITTEN_ON_EDIT = {"005"}

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------- helpers


def read_marc(path: Path) -> list[pymarc.Record]:
    with path.open("rb") as handle:
        return list(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True))


def golden(name: str) -> pymarc.Record:
    (record,) = read_marc(GOLDEN_DIR / f"{name}.mrc")
    return record


def import_files(*paths: Path) -> list[Record]:
    """Import MARC files with the catalogue's importer; the records it created, in order."""
    existing = set(Record.objects.values_list("pk", flat=True))
    report = import_marc(list(paths))
    assert report.rejected == 0, report.as_json()
    return list(Record.objects.exclude(pk__in=existing).order_by("pk"))


def import_records(*marcs: pymarc.Record) -> list[Record]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "impor.mrc"
        path.write_bytes(b"".join(marc.as_marc() for marc in marcs))
        return import_files(path)


def import_golden(name: str) -> Record:
    (record,) = import_files(GOLDEN_DIR / f"{name}.mrc")
    return record


def export(records, fmt: str, *, with_items: bool = False) -> bytes:
    out = io.BytesIO()
    write_records(records, out, fmt=fmt, with_items=with_items)
    return out.getvalue()


@pytest.fixture(scope="module")
def marcxml_schema() -> etree.XMLSchema:
    if not SCHEMA_PATH.exists():
        pytest.skip(f"MARC21slim.xsd is read from {SCHEMA_PATH}, which is missing")
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def assert_valid_marcxml(document: bytes, schema: etree.XMLSchema) -> etree._ElementTree:
    tree = etree.parse(io.BytesIO(document))  # raises on anything ill-formed
    assert schema.validate(tree), schema.error_log.filter_from_errors()
    return tree


def from_marcxml(document: bytes) -> list[pymarc.Record]:
    return pymarc.parse_xml_to_array(io.BytesIO(document))


def field_bytes(marc: pymarc.Record, *, without: set[str] = frozenset()) -> list[bytes]:
    return [field.as_marc("utf-8") for field in marc.fields if field.tag not in without]


def staff_record() -> Record:
    """A title catalogued by hand at the desk, with no MARC behind it."""
    return services.create_record(
        data={
            "title": "Laskar pelangi",
            "subtitle": "sebuah novel",
            "responsibility": "Andrea Hirata ; penyunting, Imam Risdiyanto",
            "edition": "Cet. 12",
            "publisher": "Bentang",
            "publication_place": "Yogyakarta",
            "year": 2008,
            "physical_description": "xiv, 529 hlm. : ilus. ; 20 cm",
            "series": "Tetralogi Laskar Pelangi ; 1",
            "notes": "Novel pertama dari tetralogi\nTerbit pertama 2005",
            "summary": "Kisah sepuluh anak Belitong yang bersekolah di SD Muhammadiyah",
            "language": "ind",
            "material_type": "book",
            "audience": "young_adult",
            "ddc": "899.2213",
            "call_number": "899.2213 HIR l",
        },
        contributors=[
            ContributorData(name="Hirata, Andrea", dates="1967-", role="author", is_main=True),
            ContributorData(name="Risdiyanto, Imam", role="editor"),
            ContributorData(name="Bentang Pustaka", kind="organization", role="contributor"),
        ],
        subjects=[
            SubjectData(heading="Pendidikan -- Indonesia -- Belitung", kind="topic"),
            SubjectData(heading="Belitung (Indonesia)", kind="place"),
            SubjectData(heading="Fiksi remaja", kind="genre"),
        ],
        identifiers=[
            IdentifierData(
                scheme="isbn",
                value="979-3062-79-7",
                normalized="9789793062792",
                qualifier="pbk.",
            ),
            IdentifierData(scheme="isbn", value="9793062798", is_valid=False),
            IdentifierData(scheme="isbn", value="9789793062799", is_valid=False, is_cancelled=True),
        ],
        by=None,
    )


# ------------------------------------------------------------------ imported records


def test_unedited_imported_records_round_trip_through_marcxml_field_for_field():
    paths = sorted(GOLDEN_DIR.glob("*.mrc"))
    originals = [read_marc(path)[0] for path in paths]
    import_files(*paths)

    exported = from_marcxml(export(Record.objects.order_by("pk"), "marcxml"))

    assert len(exported) == len(originals)
    for original, back in zip(originals, exported, strict=True):
        assert field_bytes(back) == field_bytes(sanitize(original))
        assert back["245"].value() == original["245"].value()
        assert [f.value() for f in back.get_fields("020")] == [
            f.value() for f in original.get_fields("020")
        ]
        assert [f.value() for f in back.get_fields("100", "110", "111")] == [
            f.value() for f in original.get_fields("100", "110", "111")
        ]


def test_unedited_imported_record_round_trips_through_iso2709_byte_for_byte():
    import_golden("loc-indonesian-00368779")

    data = export(Record.objects.all(), "marc")

    assert data == (GOLDEN_DIR / "loc-indonesian-00368779.mrc").read_bytes()


def test_control_character_in_001_never_reaches_the_files(marcxml_schema):
    original = golden("loc-indonesian-00369705")
    assert original["001"].data.endswith("\x1f")
    import_golden("loc-indonesian-00369705")

    document = export(Record.objects.all(), "marcxml")
    (from_xml,) = from_marcxml(document)
    (from_binary,) = pymarc.MARCReader(
        io.BytesIO(export(Record.objects.all(), "marc")), to_unicode=True, force_utf8=True
    )

    assert_valid_marcxml(document, marcxml_schema)
    assert b"\x1f" not in document
    assert from_xml["001"].data == "   00369705"
    assert from_binary["001"].data == "   00369705"
    assert [f.tag for f in from_binary.fields] == [f.tag for f in original.fields]
    assert from_binary["245"].value() == original["245"].value()


def test_edited_title_is_exported_while_untouched_fields_stay_byte_identical():
    original = golden("loc-indonesian-00368779")
    record = import_golden("loc-indonesian-00368779")
    services.update_record(
        record=record,
        data={"title": "Mari bung, rebut kembali sekali lagi!"},
        by=None,
    )

    (back,) = from_marcxml(export(Record.objects.all(), "marcxml"))

    title = back["245"]
    assert (title.indicator1, title.indicator2) == ("1", "0")
    assert title.get_subfields("a") == ["Mari bung, rebut kembali sekali lagi! /"]
    assert title.get_subfields("c") == ["R.H.A. Saleh."]
    assert field_bytes(back, without={"245", *REWRITTEN_ON_EDIT}) == field_bytes(
        original, without={"245", *REWRITTEN_ON_EDIT}
    )
    assert back["005"].data != original["005"].data
    assert str(back.leader)[5] == "c"  # record status: corrected
    assert map_record(back).title == "Mari bung, rebut kembali sekali lagi!"


def test_value_the_import_shortened_is_not_taken_for_an_edit():
    original = golden("loc-indonesian-00368779")
    long_title = "Mari bung, rebut kembali! " + "Sejarah perjuangan di Jawa Barat. " * 40
    original["245"]["a"] = long_title + "/"
    (record,) = import_records(original)
    assert len(record.title) == Record._meta.get_field("title").max_length

    back = record_to_marc(record)

    assert back["245"].as_marc("utf-8") == original["245"].as_marc("utf-8")
    assert str(back.leader)[5] == str(original.leader)[5]


@pytest.mark.parametrize(
    ("name", "title", "expected"),
    [
        # Persian: the romanised 245 is linked to its Arabic-script 880 by $6.
        (
            "loc-sample-5000-00282719",
            "Jughrāfiyā-yi Afghānistān",
            [("6", "880-02"), ("a", "Jughrāfiyā-yi Afghānistān /"), ("c", "tālīf-i, ʻAlīkhān.")],
        ),
        # A CD-ROM: the medium in $h stays, and the ISBD mark moves after it.
        (
            "loc-indonesian-00366336",
            "Rencana pengelolaan Taman Nasional Betung Kerihun",
            [
                ("a", "Rencana pengelolaan Taman Nasional Betung Kerihun"),
                ("h", "[electronic resource]."),
            ],
        ),
    ],
)
def test_rebuilt_title_keeps_its_script_link_and_medium(name, title, expected):
    record = import_golden(name)
    services.update_record(record=record, data={"title": title}, by=None)

    back = record_to_marc(Record.objects.get(pk=record.pk))

    assert [(s.code, s.value) for s in back["245"].subfields] == expected
    assert map_record(back).title == title


def test_added_subject_keeps_the_original_headings_whole():
    original = golden("loc-indonesian-00281516")
    record = import_golden("loc-indonesian-00281516")
    now = map_record(original).subjects + [SubjectData(heading="Pengadilan -- Indonesia")]
    services.update_record(record=record, data={}, subjects=now, by=None)

    back = record_to_marc(Record.objects.get(pk=record.pk))

    subject_tags = ("600", "610", "650", "651")
    original_subjects = [f.as_marc("utf-8") for f in original.get_fields(*subject_tags)]
    exported_subjects = [f.as_marc("utf-8") for f in back.get_fields(*subject_tags)]
    assert exported_subjects[:-1] == original_subjects
    added = back.get_fields(*subject_tags)[-1]
    assert (added.tag, added.indicators, added.subfields) == (
        "650",
        pymarc.Indicators(" ", "4"),
        [pymarc.Subfield("a", "Pengadilan"), pymarc.Subfield("x", "Indonesia.")],
    )
    assert [s.heading for s in map_record(back).subjects][-1] == "Pengadilan -- Indonesia"


def test_edited_contributors_reuse_the_original_fields_they_still_name():
    original = golden("loc-sample-5000-03010045")
    record = import_golden("loc-sample-5000-03010045")
    contributors = map_record(original).contributors
    # Staff drop the editor Klaussmann and add a translator.
    kept = [c for c in contributors if not c.name.startswith("Klaussmann")]
    added = ContributorData(name="Sastrawijaya, Budi", role="translator")
    services.update_record(record=record, data={}, contributors=[*kept, added], by=None)

    back = record_to_marc(Record.objects.get(pk=record.pk))

    assert back["100"].as_marc("utf-8") == original["100"].as_marc("utf-8")
    names = back.get_fields("700")
    assert names[0].as_marc("utf-8") == original.get_fields("700")[0].as_marc("utf-8")
    assert names[1].subfields == [
        pymarc.Subfield("a", "Sastrawijaya, Budi,"),
        pymarc.Subfield("e", "translator."),
        pymarc.Subfield("4", "trl"),
    ]
    assert len(names) == 2


def test_edited_year_and_language_patch_008_in_place():
    original = golden("loc-indonesian-00368779")
    record = import_golden("loc-indonesian-00368779")
    services.update_record(record=record, data={"year": 2001, "language": "jav"}, by=None)

    back = record_to_marc(Record.objects.get(pk=record.pk))

    before, after = original["008"].data, back["008"].data
    assert after[7:11] == "2001"
    assert after[35:38] == "jav"
    assert after[:7] + after[11:35] + after[38:] == before[:7] + before[11:35] + before[38:]
    assert back["260"].value() == "Jakarta : Pustaka Sinar Harapan, 2001."


def test_edited_isbn_rebuilds_020_with_the_normalised_number_and_its_qualifier():
    record = import_golden("loc-indonesian-00368779")
    services.update_record(
        record=record,
        data={},
        identifiers=[
            IdentifierData(
                scheme="isbn", value="979-416-667-7", normalized="9789794166673", qualifier="jil. 1"
            ),
            IdentifierData(scheme="isbn", value="9794166678", is_valid=False, is_cancelled=True),
        ],
        by=None,
    )

    back = record_to_marc(Record.objects.get(pk=record.pk))

    assert [f.subfields for f in back.get_fields("020")] == [
        [pymarc.Subfield("a", "9789794166673"), pymarc.Subfield("q", "jil. 1")],
        [pymarc.Subfield("z", "9794166678")],
    ]


# ------------------------------------------------------------------- staff records


def test_staff_record_exports_valid_marcxml_and_binary_that_read_back_as_catalogued(
    marcxml_schema,
):
    record = staff_record()

    document = export(Record.objects.all(), "marcxml")
    assert_valid_marcxml(document, marcxml_schema)
    (from_xml,) = from_marcxml(document)
    (from_binary,) = pymarc.MARCReader(
        io.BytesIO(export(Record.objects.all(), "marc")), to_unicode=True, force_utf8=True
    )

    assert from_binary.as_marc() == from_xml.as_marc()
    assert from_xml["001"].data == f"serambi-{record.pk}"
    assert from_xml["003"].data == "Serambi"
    assert str(from_xml.leader)[5:10] == "nam a"
    fixed = from_xml["008"].data
    assert (fixed[6:11], fixed[22], fixed[35:38]) == ("s2008", "d", "ind")
    assert from_xml["245"].value() == (
        "Laskar pelangi : sebuah novel / Andrea Hirata ; penyunting, Imam Risdiyanto."
    )
    assert from_xml["100"].subfields == [
        pymarc.Subfield("a", "Hirata, Andrea,"),
        pymarc.Subfield("d", "1967-"),
        pymarc.Subfield("e", "author."),
        pymarc.Subfield("4", "aut"),
    ]
    assert [f.value() for f in from_xml.get_fields("020")] == [
        "9789793062792 pbk.",
        "9793062798",
        "9789793062799",
    ]
    assert from_xml["300"].subfields == [
        pymarc.Subfield("a", "xiv, 529 hlm. :"),
        pymarc.Subfield("b", "ilus. ;"),
        pymarc.Subfield("c", "20 cm"),
    ]
    assert from_xml["650"].subfields == [
        pymarc.Subfield("a", "Pendidikan"),
        pymarc.Subfield("x", "Indonesia"),
        pymarc.Subfield("x", "Belitung."),
    ]


def test_staff_record_reads_back_through_the_mapping_as_it_was_catalogued():
    record = staff_record()

    data = map_record(record_to_marc(record))

    for name in (
        "title",
        "subtitle",
        "responsibility",
        "edition",
        "publisher",
        "publication_place",
        "year",
        "physical_description",
        "series",
        "notes",
        "summary",
        "language",
        "material_type",
        "audience",
        "ddc",
    ):
        assert getattr(data, name) == getattr(record, name), name
    assert [(c.name, c.dates, c.role, c.is_main) for c in data.contributors] == [
        ("Hirata, Andrea", "1967-", "author", True),
        ("Risdiyanto, Imam", "", "editor", False),
        ("Bentang Pustaka", "", "contributor", False),
    ]
    assert [(s.heading, s.kind) for s in data.subjects] == [
        ("Pendidikan -- Indonesia -- Belitung", "topic"),
        ("Belitung (Indonesia)", "place"),
        ("Fiksi remaja", "genre"),
    ]
    assert [(i.normalized, i.qualifier, i.is_cancelled) for i in data.identifiers] == [
        ("9789793062792", "pbk.", False),
        ("", "", True),
        ("", "", True),
    ]


@pytest.mark.parametrize(
    ("material_type", "leader_type", "form_position", "form"),
    [
        ("ebook", "am", 23, "o"),
        ("serial", "as", 23, " "),
        ("map", "em", 29, " "),
        ("video", "gm", 29, " "),
        ("computer_file", "mm", 23, "q"),
    ],
)
def test_staff_record_leader_and_008_follow_the_material_type(
    material_type, leader_type, form_position, form
):
    record = services.create_record(
        data={"title": "Peta wisata Bali", "material_type": material_type, "year": 2020},
        by=None,
    )

    marc = record_to_marc(record)

    assert str(marc.leader)[6:8] == leader_type
    assert marc["008"].data[form_position] == form
    assert len(marc["008"].data) == 40


# ---------------------------------------------------------------------------- items


def test_items_go_out_in_952_only_when_asked(branch):
    original = golden("loc-indonesian-00368779")
    # The file came from another library's system with its copy in 952.
    original.add_ordered_field(
        compose.data_field("952", "  ", ("a", "lain"), ("p", "X-999"), ("o", "959.8 SAL m"))
    )
    (record,) = import_records(original)
    ItemFactory(
        record=record,
        branch=branch,
        barcode="B0001",
        call_number="959.8035 SAL m",
        shelf_location="Rak 3",
        price=85000,
    )
    ItemFactory(
        record=record,
        branch=branch,
        barcode="B0002",
        call_number="",
        status=Item.Status.LOST,
        is_loanable=False,
    )

    (without_items,) = from_marcxml(export(Record.objects.all(), "marcxml"))
    (with_items,) = from_marcxml(export(Record.objects.all(), "marcxml", with_items=True))

    assert without_items.get_fields("952") == []
    first, second = with_items.get_fields("952")
    assert first.subfields == [
        pymarc.Subfield("a", "pusat"),
        pymarc.Subfield("b", "pusat"),
        pymarc.Subfield("c", "Rak 3"),
        pymarc.Subfield("g", "85000"),
        pymarc.Subfield("o", "959.8035 SAL m"),
        pymarc.Subfield("p", "B0001"),
    ]
    assert second.subfields == [
        pymarc.Subfield("a", "pusat"),
        pymarc.Subfield("b", "pusat"),
        pymarc.Subfield("o", record.call_number),
        pymarc.Subfield("p", "B0002"),
        pymarc.Subfield("1", "1"),
        pymarc.Subfield("7", "1"),
    ]
    assert [h.barcode for h in map_record(with_items).holdings] == ["B0001", "B0002"]


def test_export_queries_stay_constant_however_many_records(branch, django_assert_max_num_queries):
    for number in range(12):
        record = (
            staff_record()
            if number == 0
            else services.create_record(
                data={"title": f"Cerita rakyat {number}", "year": 2010},
                contributors=[ContributorData(name=f"Penulis {number}", is_main=True)],
                subjects=[SubjectData(heading="Cerita rakyat -- Indonesia")],
                identifiers=[IdentifierData(scheme="isbn", value="12345", is_valid=False)],
                by=None,
            )
        )
        ItemFactory(record=record, branch=branch)

    # One query for the records, one per prefetched relation.
    with django_assert_max_num_queries(5):
        document = export(Record.objects.all(), "marcxml", with_items=True)

    assert len(from_marcxml(document)) == 12


# --------------------------------------------------------------------- writing rules


def test_sanitize_repairs_what_marcxml_cannot_hold(marcxml_schema):
    marc = pymarc.Record(leader="0123?#am  2200000\x1f  450 ")
    marc.add_field(
        pymarc.Field(tag="001", data="ABC\x1f123\x00"),
        pymarc.Field(tag="008", data="000630s2000\x1f   io " + " " * 17 + "ind d"),
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("|", "A"),
            subfields=[
                pymarc.Subfield("a", "Judul\x1e dengan\x0b kendali\n"),
                pymarc.Subfield("\x1d", "dibuang"),
            ],
        ),
        pymarc.Field(tag="500", indicators=pymarc.Indicators(" ", " "), subfields=[]),
    )

    clean = sanitize(marc)
    out = io.BytesIO()
    with marcxml_collection(out) as write:
        write(clean)

    assert_valid_marcxml(out.getvalue(), marcxml_schema)
    assert str(clean.leader) == "01230nam a2200000   4500"
    assert clean["001"].data == "ABC123"
    assert clean["008"].data == "000630s2000    io " + " " * 17 + "ind d"
    assert (clean["245"].indicator1, clean["245"].indicator2) == (" ", "a")
    assert clean["245"].subfields == [pymarc.Subfield("a", "Judul dengan kendali ")]
    assert clean.get_fields("500") == []


@pytest.mark.parametrize(
    ("description", "subfields"),
    [
        ("xv, 272 p. : ill., maps ; 22 cm", ["xv, 272 p. :", "ill., maps ;", "22 cm"]),
        ("viii, 170 p. ; 21 cm", ["viii, 170 p. ;", "21 cm"]),
        ("3 v. 23 cm", ["3 v. 23 cm"]),
        (
            "iv, 71 p. : col. ill. ; 33 cm + 1 CD-ROM",
            ["iv, 71 p. :", "col. ill. ;", "33 cm +", "1 CD-ROM"],
        ),
    ],
)
def test_physical_description_is_split_at_its_isbd_marks_and_reads_back_whole(
    description, subfields
):
    (field,) = compose.physical_field(description)
    assert [subfield.value for subfield in field.subfields] == subfields
    marc = pymarc.Record()
    marc.add_field(compose.data_field("245", "00", ("a", "Judul")), field)
    assert map_record(marc).physical_description == description


# -------------------------------------------------------------- selection and the CLI


def test_records_for_export_by_ids_and_by_text():
    laskar = staff_record()
    other = services.create_record(
        data={"title": "Ronggeng Dukuh Paruk", "control_number": "ind-2003-01"}, by=None
    )

    assert list(records_for_export(ids=[other.pk])) == [other]
    assert list(records_for_export(query="laskar")) == [laskar]
    assert list(records_for_export(query="979-3062-79-7")) == [laskar]
    assert list(records_for_export(query="2003-01")) == [other]
    assert list(records_for_export(ids=[other.pk], query="laskar")) == []
    assert list(records_for_export()) == [laskar, other]


def test_cli_writes_a_marcxml_file(tmp_path, marcxml_schema):
    staff_record()
    import_golden("loc-indonesian-00369705")
    target = tmp_path / "katalog.xml"
    messages = io.StringIO()

    with translation.override("en"):
        call_command("export-marc", "--format", "marcxml", str(target), stdout=messages)

    assert messages.getvalue().strip() == f"2 records written to {target}"
    document = target.read_bytes()
    assert_valid_marcxml(document, marcxml_schema)
    assert [marc["245"]["a"] for marc in from_marcxml(document)] == [
        "Laskar pelangi :",
        "Survei sosial ekonomi nasional =",
    ]
    assert list(tmp_path.iterdir()) == [target]


def test_cli_writes_binary_marc_to_stdout_and_reports_on_stderr(capsysbinary):
    record = staff_record()
    services.create_record(data={"title": "Bumi manusia"}, by=None)

    with translation.override("en"):
        call_command("export-marc", "--format", "marc", "--ids", str(record.pk), "-")

    captured = capsysbinary.readouterr()
    (back,) = pymarc.MARCReader(io.BytesIO(captured.out), to_unicode=True, force_utf8=True)
    assert back["245"]["a"] == "Laskar pelangi :"
    assert captured.err.decode().strip() == "1 record written"


def test_cli_refuses_ids_that_are_not_numbers(tmp_path):
    with pytest.raises(CommandError, match="--ids"):
        call_command("export-marc", "--format", "marc", "--ids", "1,dua", str(tmp_path / "x.mrc"))


# ------------------------------------------------------------------- the whole file


@pytest.mark.slow
def test_every_indonesian_loc_record_exports_to_valid_marcxml_and_iso2709(marcxml_schema):
    if not LOC_INDONESIAN.exists():
        pytest.skip(f"{LOC_INDONESIAN} is missing")
    originals = [marc for marc in read_marc(LOC_INDONESIAN) if marc is not None]
    assert len(import_files(LOC_INDONESIAN)) == len(originals) == 2828

    document = export(records_for_export(), "marcxml")
    binary = export(records_for_export(), "marc")

    tree = assert_valid_marcxml(document, marcxml_schema)
    assert len(tree.getroot()) == 2828
    back = list(pymarc.MARCReader(io.BytesIO(binary), to_unicode=True, force_utf8=True))
    assert len(back) == 2828
    assert all(record is not None for record in back)
    assert [r["001"].data for r in back] == [sanitize(marc)["001"].data for marc in originals]
