"""MARC 21 -> RecordData: golden files of real records, and hand-built records for each rule.

Golden files (STYLE.md §10): every ``golden/<name>.mrc`` holds one real Library of
Congress record (see ``golden/README.md``), and ``golden/<name>.json`` what
``map_record(record).as_dict()`` must give for it. The JSON states what a
cataloguer expects, not what the code happened to produce on the day it was
written. After a deliberate change to the mapping, rewrite the JSON from the
current output with

    REGENERATE_GOLDEN=1 .venv/bin/pytest serambi/catalog/tests/test_marc_mapping.py

and read ``git diff serambi/catalog/tests/golden/`` as a cataloguer would
before committing it: a regenerated file blesses whatever the code does.
"""

import json
import os
import re
import unicodedata
from pathlib import Path

import pymarc
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from serambi.catalog.marc.mapping import (
    MappingError,
    clean,
    map_record,
    marc_hash,
    marc_to_dict,
)

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN_RECORDS = sorted(GOLDEN_DIR.glob("*.mrc"))
REGENERATE = os.environ.get("REGENERATE_GOLDEN") == "1"


def read_single_record(path: Path) -> pymarc.Record:
    with path.open("rb") as handle:
        records = list(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True))
    assert len(records) == 1, f"{path.name} should hold exactly one record"
    assert records[0] is not None, f"{path.name} does not parse"
    return records[0]


def test_every_golden_record_has_its_expected_json():
    assert len(GOLDEN_RECORDS) >= 8
    missing = [path.name for path in GOLDEN_RECORDS if not path.with_suffix(".json").exists()]
    assert missing == []


@pytest.mark.parametrize("marc_path", GOLDEN_RECORDS, ids=lambda path: path.stem)
def test_golden_record_maps_as_a_cataloguer_expects(marc_path: Path):
    mapped = map_record(read_single_record(marc_path)).as_dict()
    expected_path = marc_path.with_suffix(".json")
    if REGENERATE:
        expected_path.write_text(
            json.dumps(mapped, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert mapped == expected


# --- hand-built records ---------------------------------------------------------------


def fixed_field(
    *,
    date1: str = "2019",
    place: str = "io ",
    audience: str = " ",
    form: str = " ",
    visual_type: str = " ",
    language: str = "ind",
) -> str:
    """A 40-character 008; the positions that differ between types are set by keyword."""
    positions = list("190101s" + date1 + "    " + place + " " * 17 + language + " d")
    positions[22] = audience
    positions[23] = form
    positions[33] = visual_type
    value = "".join(positions)
    assert len(value) == 40
    return value


def field(mnemonic: str) -> Field:
    """A data field written as cataloguers read them: "260 __$aJakarta :$bBalai Pustaka,"."""
    tag, indicators, rest = mnemonic[:3], mnemonic[4:6].replace("_", " "), mnemonic[6:]
    assert mnemonic[3] == " " and rest.startswith("$"), mnemonic
    return Field(
        tag=tag,
        indicators=Indicators(*indicators),
        subfields=[Subfield(part[0], part[1:]) for part in rest[1:].split("$")],
    )


def make_record(
    *fields: Field,
    record_type: str = "a",
    level: str = "m",
    fixed: str | None = None,
    title: bool = True,
) -> pymarc.Record:
    record = pymarc.Record(leader=f"00000n{record_type}{level} a2200000 a 4500")
    record.add_field(Field(tag="001", data="ser-0001"))
    record.add_field(Field(tag="008", data=fixed if fixed is not None else fixed_field()))
    if title and not any(extra.tag == "245" for extra in fields):
        record.add_field(field("245 10$aLaskar pelangi /$cAndrea Hirata."))
    for extra in fields:
        record.add_field(extra)
    return record


@pytest.mark.parametrize(
    ("record_type", "level", "fixed", "expected"),
    [
        ("a", "m", fixed_field(), "book"),
        ("a", "s", fixed_field(), "serial"),
        ("a", "m", fixed_field(form="o"), "ebook"),
        ("t", "m", fixed_field(), "manuscript"),
        ("c", "m", fixed_field(), "score"),
        ("e", "m", fixed_field(), "map"),
        ("g", "m", fixed_field(visual_type="v"), "video"),
        ("g", "m", fixed_field(visual_type="s"), "visual"),
        ("i", "m", fixed_field(), "audio"),
        ("j", "m", fixed_field(), "audio"),
        ("k", "m", fixed_field(), "visual"),
        ("m", "m", fixed_field(), "computer_file"),
        ("p", "c", fixed_field(), "kit"),
        ("r", "m", fixed_field(), "other"),
    ],
)
def test_material_type_comes_from_the_leader(record_type, level, fixed, expected):
    record = make_record(record_type=record_type, level=level, fixed=fixed)
    assert map_record(record).material_type == expected


@pytest.mark.parametrize(
    ("record_type", "code", "expected"),
    [
        ("a", "j", "children"),
        ("a", "a", "children"),
        ("a", "d", "young_adult"),
        ("a", "e", "adult"),
        ("a", "f", "specialized"),
        ("a", "g", "general"),
        ("a", " ", ""),
        ("a", "|", ""),
        ("g", "j", "children"),
        # In a map record 008/22-23 is projection, not audience.
        ("e", "j", ""),
    ],
)
def test_audience_comes_from_008_position_22(record_type, code, expected):
    record = make_record(record_type=record_type, fixed=fixed_field(audience=code))
    assert map_record(record).audience == expected


def test_264_publication_is_preferred_to_the_copyright_date_and_to_260():
    record = make_record(
        field("260 __$aBandung :$bMizan,$c2010."),
        field("264 _4$c©2018"),
        field("264 _1$aYogyakarta :$bGadjah Mada University Press,$c2019."),
        fixed=fixed_field(date1="uuuu"),
    )
    data = map_record(record)
    assert (data.publication_place, data.publisher, data.year) == (
        "Yogyakarta",
        "Gadjah Mada University Press",
        2019,
    )


def test_260_with_two_publishers_and_two_places_joins_them():
    record = make_record(
        field("260 __$aJakarta :$bYayasan Obor Indonesia ;$aLeiden :$bKITLV,$cc2001."),
        fixed=fixed_field(date1="    "),
    )
    data = map_record(record)
    assert data.publication_place == "Jakarta ; Leiden"
    assert data.publisher == "Yayasan Obor Indonesia ; KITLV"
    assert data.year == 2001


def test_year_from_008_wins_over_the_transcribed_date():
    record = make_record(
        field("260 __$aJakarta :$bBalai Pustaka,$c[1999?]"),
        fixed=fixed_field(date1="2000"),
    )
    assert map_record(record).year == 2000


def test_each_653_term_is_a_subject_of_its_own_without_repeats():
    record = make_record(
        field("650 _0$aEducation$zIndonesia."),
        field("653 0_$acommunity education;$aIndonesia;$aremaja"),
        field("653 __$aRemaja"),
    )
    assert [(s.heading, s.kind) for s in map_record(record).subjects] == [
        ("Education -- Indonesia", "topic"),
        ("community education", "topic"),
        ("Indonesia", "topic"),
        ("remaja", "topic"),
    ]


def test_subject_subdivisions_are_joined_and_651_is_a_place():
    record = make_record(
        field("651 _0$aJawa Barat (Indonesia)$xHistory$y20th century."),
        field("650 _0$aBatik$zIndonesia$vExhibitions."),
        field("655 _7$aCerita rakyat.$2lcgft"),
    )
    assert [(s.heading, s.kind) for s in map_record(record).subjects] == [
        ("Jawa Barat (Indonesia) -- History -- 20th century", "place"),
        ("Batik -- Indonesia -- Exhibitions", "topic"),
        ("Cerita rakyat", "genre"),
    ]


@pytest.mark.parametrize(
    ("relator", "expected"),
    [
        ("$4trl", "translator"),
        ("$4edt", "editor"),
        ("$4ill", "illustrator"),
        ("$epenyunting.", "editor"),
        ("$ealih bahasa.", "translator"),
        ("$epenyusun,", "compiler"),
        ("$eillustrator.", "illustrator"),
        ("$eprinter.", "contributor"),
        ("$4xyz", "contributor"),
    ],
)
def test_added_entry_role_comes_from_relator_code_or_term(relator, expected):
    record = make_record(field("700 1_$aRahman, Siti,$d1970-" + relator))
    contributor = map_record(record).contributors[0]
    assert (contributor.name, contributor.dates, contributor.role) == (
        "Rahman, Siti",
        "1970-",
        expected,
    )
    assert contributor.is_main is False


def test_relator_code_wins_over_relator_term():
    record = make_record(field("700 1_$aRahman, Siti.$epenulis.$4edt"))
    assert map_record(record).contributors[0].role == "editor"


def test_main_entry_is_the_author_unless_a_relator_says_otherwise():
    record = make_record(
        field("100 1_$aHirata, Andrea,$d1967-"),
        field("700 1_$aHirata, Andrea,$d1967-$eilustrator."),
    )
    contributors = map_record(record).contributors
    assert [(c.name, c.role, c.is_main) for c in contributors] == [
        ("Hirata, Andrea", "author", True),
        ("Hirata, Andrea", "illustrator", False),
    ]


def test_meeting_relator_is_in_j_because_e_names_a_subordinate_unit():
    record = make_record(
        field("711 2_$aKongres Bahasa Indonesia$ePanitia Pengarah.$jeditor."),
    )
    assert map_record(record).contributors[0].role == "editor"


@pytest.mark.parametrize(
    ("mnemonic", "kind"),
    [
        ("100 1_$aToer, Pramoedya Ananta,$d1925-2006.", "person"),
        ("110 1_$aIndonesia.$bBadan Pusat Statistik.", "organization"),
        ("111 2_$aKongres Bahasa Indonesia$d(2003 :$cJakarta)", "meeting"),
        ("700 1_$aRahman, Siti.", "person"),
        ("710 2_$aPerpustakaan Nasional (Indonesia)", "organization"),
        ("711 2_$aSeminar Nasional Perpustakaan$d(2019 :$cBandung)", "meeting"),
    ],
    ids=["100", "110", "111", "700", "710", "711"],
)
def test_name_kind_follows_the_tag(mnemonic, kind):
    record = make_record(field(mnemonic))
    assert map_record(record).contributors[0].kind == kind


def test_corporate_name_keeps_its_hierarchy():
    record = make_record(field("710 1_$aIndonesia.$bBadan Pusat Statistik."))
    assert map_record(record).contributors[0].name == "Indonesia. Badan Pusat Statistik"


def test_meeting_name_leaves_number_date_and_place_to_the_qualifier():
    record = make_record(
        field("111 2_$aKongres Bahasa Indonesia$n(8th :$d2003 :$cJakarta)"),
    )
    contributor = map_record(record).contributors[0]
    assert (contributor.name, contributor.dates) == (
        "Kongres Bahasa Indonesia",
        "8th : 2003 : Jakarta",
    )


def test_personal_name_keeps_the_comma_before_a_title_of_nobility():
    record = make_record(field("100 1_$aAbidin, Zainal,$cAndi,$d1926-"))
    contributor = map_record(record).contributors[0]
    assert (contributor.name, contributor.dates) == ("Abidin, Zainal, Andi", "1926-")


def test_personal_subject_keeps_the_comma_before_the_dates():
    record = make_record(field("600 00$aSoeharto,$d1921-2008."))
    assert map_record(record).subjects[0].heading == "Soeharto, 1921-2008"


def test_compound_relator_term_gives_one_contribution_per_role():
    record = make_record(field("700 1_$aSchierbrand, Wolf von,$d1851-1920,$eed. and tr."))
    assert [c.role for c in map_record(record).contributors] == ["editor", "translator"]


def test_bracket_opened_in_one_subfield_and_closed_in_another_is_balanced():
    record = make_record(field("260 __$a[Japan,$c17--?]"))
    assert map_record(record).publication_place == "[Japan]"


@pytest.mark.parametrize(
    ("form", "physical", "expected"),
    [
        ("o", None, "ebook"),
        ("q", None, "computer_file"),
        ("s", "co", "computer_file"),
        ("s", "cr", "ebook"),
    ],
)
def test_text_on_a_disc_is_a_computer_file_and_online_text_an_ebook(form, physical, expected):
    record = make_record(fixed=fixed_field(form=form))
    if physical:
        record.add_ordered_field(Field(tag="007", data=physical))
    assert map_record(record).material_type == expected


def test_isbn_is_normalised_and_its_qualifier_kept():
    record = make_record(
        field("020 __$a979-22-0301-X (pbk.)"),
        field("020 __$a9786020312347$qhardcover"),
    )
    identifiers = [
        (i.value, i.normalized, i.qualifier, i.is_valid, i.is_cancelled)
        for i in map_record(record).identifiers
    ]
    assert identifiers == [
        ("979-22-0301-X", "9789792203011", "pbk.", True, False),
        ("9786020312347", "9786020312347", "hardcover", True, False),
    ]


def test_invalid_isbn_is_kept_flagged_and_warned_but_a_cancelled_one_only_flagged():
    record = make_record(
        field("020 __$a9789791234567"),
        field("020 __$z9799338014"),
    )
    data = map_record(record)
    assert [(i.value, i.is_valid, i.is_cancelled) for i in data.identifiers] == [
        ("9789791234567", False, False),
        ("9799338014", False, True),
    ]
    assert data.warnings == ["ISBN '9789791234567' tidak valid"]  # in the default language
    with translation.override("en"):
        assert map_record(record).warnings == ["ISBN '9789791234567' is not valid"]


def test_issn_from_022_with_cancelled_numbers_in_y_and_z():
    record = make_record(
        field("022 0_$a0317-8471$y0317-847X$z1234-5678"),
        level="s",
    )
    identifiers = [
        (i.scheme, i.value, i.normalized, i.is_valid, i.is_cancelled)
        for i in map_record(record).identifiers
    ]
    assert identifiers == [
        ("issn", "0317-8471", "03178471", True, False),
        ("issn", "0317-847X", "", False, True),
        ("issn", "1234-5678", "", False, True),
    ]


def test_call_number_from_dewey_main_entry_and_filing_title():
    record = make_record(
        field("082 04$a899.221/3$223"),
        field("100 0_$aPramoedya Ananta Toer,$d1925-2006."),
        field("245 14$aThe girl from the coast /$cPramoedya Ananta Toer."),
    )
    data = map_record(record)
    assert (data.ddc, data.call_number) == ("899.2213", "899.2213 PRA g")


def test_call_number_falls_back_to_the_lc_number():
    record = make_record(field("050 00$aPL5089.H57$bL37 2005"))
    assert map_record(record).call_number == "PL5089.H57 L37 2005"


def test_control_characters_never_reach_mapped_text():
    record = make_record(
        field("245 10$aSejarah\x1f kota :$bJawa\x0b Barat."),
    )
    record["001"].data = "   00369705\x1f"
    data = map_record(record)
    assert (data.control_number, data.title, data.subtitle) == (
        "00369705",
        "Sejarah kota",
        "Jawa Barat",
    )


def test_language_falls_back_to_041_when_008_has_none():
    record = make_record(
        field("041 0_$ajav$aind"),
        fixed=fixed_field(language="   "),
    )
    assert map_record(record).language == "jav"


def test_series_with_volume_and_edition():
    record = make_record(
        field("250 __$aCet. 3."),
        field("490 1_$aSeri sastra nusantara ;$vno. 12"),
    )
    data = map_record(record)
    assert data.series == "Seri sastra nusantara ; no. 12"
    assert data.edition == "Cet. 3."


def test_koha_952_holdings_become_copies():
    record = make_record(
        field("952 __$apusat$pB0000123$o899.2213 HIR l$cRak 3$gRp 85.000"),
        field("952 __$apusat$ono barcode: skipped"),
    )
    holdings = map_record(record).holdings
    assert [
        (h.barcode, h.branch_code, h.call_number, h.shelf_location, h.price) for h in holdings
    ] == [("B0000123", "pusat", "899.2213 HIR l", "Rak 3", 85000)]


def test_record_without_any_title_cannot_be_mapped():
    record = make_record(title=False)
    with pytest.raises(MappingError):
        map_record(record)


def test_record_whose_245_is_only_a_statement_of_responsibility_cannot_be_mapped():
    record = make_record(field("245 00$cdisusun oleh Tim Pustaka."))
    with pytest.raises(MappingError):
        map_record(record)


def test_record_without_245_falls_back_on_a_varying_title():
    record = make_record(field("246 3_$aLaskar pelangi."), title=False)
    assert map_record(record).title == "Laskar pelangi"


def test_marc_to_dict_round_trips_through_marc_in_json():
    record = read_single_record(GOLDEN_DIR / "loc-indonesian-00368779.mrc")
    stored = marc_to_dict(record)
    rebuilt = next(iter(pymarc.JSONReader(json.dumps(stored))))
    assert rebuilt.as_marc() == record.as_marc()
    assert map_record(rebuilt) == map_record(record)


def test_marc_hash_is_stable_and_changes_with_the_record():
    record = read_single_record(GOLDEN_DIR / "loc-indonesian-00368779.mrc")
    first = marc_hash(marc_to_dict(record))
    assert first == marc_hash(json.loads(json.dumps(marc_to_dict(record))))
    record["245"]["a"] = "Mari bung, rebut kembali sekarang! /"
    assert marc_hash(marc_to_dict(record)) != first


# Spaces of every kind, control characters, a combining accent, and letters between them.
_MESSY_TEXT = st.text(st.sampled_from(list(" \t\n\r\x00\x1f\x7f\x85\xa0\u2003\u2028a\u0301e\xe9.")))


@settings(max_examples=500, deadline=None)
@given(st.one_of(_MESSY_TEXT, st.text()))
def test_clean_gives_nfc_text_without_control_characters_and_single_spaces(text):
    composed = unicodedata.normalize("NFC", text)
    without_controls = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", composed)
    assert clean(text) == " ".join(without_controls.split())
