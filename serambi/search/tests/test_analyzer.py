"""The analyzer on its own: no database."""

from hypothesis import given
from hypothesis import strategies as st

from serambi.search.analyzer import index_text, split_words, stem, terms


def test_words_are_folded_and_stripped_of_accents_and_punctuation():
    assert split_words("Sejarah INDONESIA: Ḥadīth, «Café»!") == [
        "sejarah",
        "indonesia",
        "hadith",
        "cafe",
    ]


def test_apostrophes_join_a_word():
    assert split_words("Al-Qur'an dan Qur’an") == ["al", "quran", "dan", "quran"]


def test_reduplication_is_undone_but_rhyming_pairs_keep_both_words():
    assert split_words("kota-kota anak-anak buku-bukunya") == ["kota", "anak", "buku"]
    assert split_words("sayur-mayur") == ["sayur", "mayur"]


def test_indonesian_words_are_stemmed_and_the_exact_form_kept():
    found = terms("Perekonomian pembangunan kebudayaan")
    assert [(t.exact, t.stem) for t in found] == [
        ("perekonomian", "ekonomi"),
        ("pembangunan", "bangun"),
        ("kebudayaan", "budaya"),
    ]


def test_english_words_and_numbers_are_left_alone():
    assert stem("politics") == "politics"
    assert stem("history") == "history"
    assert stem("1998") == "1998"


def test_function_words_are_dropped_but_title_words_are_not():
    # PySastrawi's own stop list drops "ibu", "orang" and "baru"; ours keeps them.
    assert [t.exact for t in terms("Ibu dan orang baru di kota")] == [
        "ibu",
        "orang",
        "baru",
        "kota",
    ]
    assert [t.exact for t in terms("The history of Java")] == ["history", "java"]


def test_names_are_not_stemmed():
    assert index_text("Toer, Pramoedya Ananta; Pemberton", stemmed=False) == (
        "toer pramoedya ananta pemberton"
    )


def test_index_text_keeps_both_streams_only_when_they_differ():
    assert index_text("sejarah kota") == "sejarah kota"
    assert index_text("perekonomian kota") == "ekonomi kota _ perekonomian kota"


@given(st.text(max_size=200))
def test_any_text_gives_plain_space_separated_tokens(text):
    indexed = index_text(text)
    assert "  " not in indexed
    assert all(token.isalnum() or token == "_" for token in indexed.split())
