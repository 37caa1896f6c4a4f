"""The query language: every input parses; nothing is an error."""

from hypothesis import given
from hypothesis import strategies as st

from serambi.search.query import Identifier, Words, YearRange, parse


def only(text):
    (clause,) = parse(text).clauses
    return clause


def test_plain_words_are_one_clause_each():
    clauses = parse("sejarah jawa").clauses
    assert [c.terms[0].exact for c in clauses] == ["sejarah", "jawa"]
    assert all(isinstance(c, Words) and not c.phrase and c.field is None for c in clauses)


def test_a_quoted_phrase_keeps_its_words_together():
    clause = only('"di bawah bendera revolusi"')
    assert clause.phrase
    assert [t.exact for t in clause.terms] == ["bawah", "bendera", "revolusi"]


def test_a_minus_excludes_a_word():
    clause = parse("ekonomi -indonesia").clauses[1]
    assert clause.negated and clause.terms[0].exact == "indonesia"


def test_indonesian_and_english_field_names():
    for text, field in [
        ("judul:laskar", "title"),
        ("title:laskar", "title"),
        ("pengarang:toer", "author"),
        ("author:toer", "author"),
        ("subjek:ekonomi", "subject"),
        ("subject:ekonomi", "subject"),
        ("penerbit:gramedia", "publisher"),
    ]:
        assert only(text).field == field, text


def test_author_words_are_not_stemmed():
    assert only("pengarang:pemberton").terms[0].stem == "pemberton"
    assert only("judul:perekonomian").terms[0].stem == "ekonomi"


def test_year_ranges():
    assert only("tahun:1990-2000") == YearRange(1990, 2000)
    assert only("year:1998") == YearRange(1998, 1998)
    assert only("tahun:-1965") == YearRange(None, 1965)
    assert only("tahun:2000-") == YearRange(2000, None)
    assert only("tahun:2000-1990") == YearRange(1990, 2000)


def test_isbn_field():
    assert only("isbn:979-428-191-6") == Identifier("9794281916")


def test_what_cannot_be_parsed_is_searched_as_words():
    assert [t.exact for t in only("tahun:abad").terms] == ["abad"]
    assert [t.exact for t in only("catatan:hujan").terms] == ["catatan", "hujan"]
    assert [t.exact for t in only("judul:").terms] == ["judul"]
    assert [t.exact for t in only('"hujan bulan').terms] == ["hujan", "bulan"]
    assert parse('- -- :: ""').is_empty


def test_a_word_with_a_hyphen_is_a_phrase_unless_it_is_reduplicated():
    assert only("Al-Qur'an").phrase
    clause = only("kota-kota")
    assert not clause.phrase and [t.exact for t in clause.terms] == ["kota"]


def test_query_text_round_trips():
    text = 'judul:sejarah "kota lama" -jawa tahun:1990-2000'
    assert parse(parse(text).text()) == parse(text)


@given(st.text(max_size=300))
def test_every_input_parses(text):
    parsed = parse(text)
    assert isinstance(parsed.clauses, tuple)
