"""ISBN/ISSN parsing and the dedup keys: pure functions, no database."""

import pytest

from serambi.catalog.identifiers import (
    compact_isbn,
    compact_issn,
    format_isbn,
    parse_isbn,
    parse_issn,
)
from serambi.catalog.keys import contributor_key, fold, subject_key


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "normalized"),
    [
        ("0780363590 (softbound edition)", "0780363590", "softbound edition", "9780780363595"),
        ("9789791234566 (pbk.)", "9789791234566", "pbk.", "9789791234566"),
        ("978-602-03-1234-7 (pbk.) :", "978-602-03-1234-7", "pbk.", "9786020312347"),
        ("ISBN 0-7803-6359-0", "0-7803-6359-0", "", "9780780363595"),
        ("isbn: 9780780363595", "9780780363595", "", "9780780363595"),
        ("978 0 7803 6359 5", "978 0 7803 6359 5", "", "9780780363595"),
        ("0780363590 1999 ed.", "0780363590", "1999 ed.", "9780780363595"),
        ("9786230000003(hbk.)", "9786230000003", "hbk.", "9786230000003"),
        ("  9789791234566 ;", "9789791234566", "", "9789791234566"),
    ],
)
def test_valid_isbn_is_split_from_its_qualifier_and_normalised_to_isbn13(
    text, value, qualifier, normalized
):
    data = parse_isbn(text)
    assert data.scheme == "isbn"
    assert data.value == value
    assert data.qualifier == qualifier
    assert data.normalized == normalized
    assert data.is_valid is True
    assert data.is_cancelled is False


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("9789791234567 (pbk.)", "9789791234567", "pbk."),  # wrong check digit
        ("078036359X", "078036359X", ""),
        ("12345", "12345", ""),
        ("(pbk.)", "(pbk.)", ""),
        ("lihat sampul belakang", "lihat sampul belakang", ""),
    ],
)
def test_invalid_isbn_is_kept_as_written_and_flagged(text, value, qualifier):
    data = parse_isbn(text)
    assert data.value == value
    assert data.qualifier == qualifier
    assert data.normalized == ""
    assert data.is_valid is False


def test_blank_isbn_gives_an_empty_invalid_value():
    data = parse_isbn("   ")
    assert (data.value, data.is_valid) == ("", False)


def test_cancelled_isbn_is_marked_cancelled():
    data = parse_isbn("0780363590", cancelled=True)
    assert data.is_cancelled is True
    assert data.is_valid is True


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "normalized", "valid"),
    [
        ("0317-8471", "0317-8471", "", "03178471", True),
        ("0317-8471 (Print)", "0317-8471", "Print", "03178471", True),
        ("ISSN 2049-3630", "2049-3630", "", "20493630", True),
        ("0317-8472", "0317-8472", "", "", False),
        ("1234", "1234", "", "", False),
    ],
)
def test_issn_is_parsed_and_validated(text, value, qualifier, normalized, valid):
    data = parse_issn(text)
    assert data.scheme == "issn"
    assert (data.value, data.qualifier, data.normalized, data.is_valid) == (
        value,
        qualifier,
        normalized,
        valid,
    )


def test_compact_helpers_return_empty_for_invalid_numbers():
    assert compact_isbn("978-979-1234-56-6") == "9789791234566"
    assert compact_isbn("nonsense") == ""
    assert compact_issn("0317-8471") == "03178471"
    assert compact_issn("0317-8472") == ""


def test_format_isbn_hyphenates_a_valid_number_and_leaves_others_alone():
    assert format_isbn("9789791234566") == "978-979-1234-56-6"
    assert format_isbn("12") == "12"


def test_fold_casefolds_strips_accents_spaces_and_trailing_punctuation():
    assert fold("  García   MÁRQUEZ, Gabriel ,. ") == "garcia marquez, gabriel"
    assert fold("Pramoedya Ananta Toer /") == "pramoedya ananta toer"
    assert fold("") == ""


def test_contributor_key_joins_spelling_variants():
    assert contributor_key("Toer, Pramoedya Ananta,", "1925-2006.") == contributor_key(
        "toer, pramoedya  ananta", "1925-2006"
    )
    assert contributor_key("Hamka", "1908-1981") != contributor_key("Hamka", "")
    assert contributor_key("Hamka", "") == "hamka"


def test_subject_key_folds_each_subdivision():
    assert subject_key("Indonesia--History.") == "indonesia -- history"
    assert subject_key(" INDONESIA -- history -- 1945-1949 ") == (
        "indonesia -- history -- 1945-1949"
    )
    assert subject_key("Kebudayaan Jawa.") == subject_key("kebudayaan jawa")


def test_keys_fit_the_model_column():
    assert len(contributor_key("a" * 700, "1900-2000")) == 600
    assert len(subject_key("b" * 700)) == 600
