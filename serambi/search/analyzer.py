"""Text to search terms: the one analyzer that both indexing and querying use.

A word is case-folded, stripped of accents, apostrophes and punctuation, and
reduplication is undone (``kota-kota`` is ``kota``). Stop words are dropped.
Each remaining word gives two forms: its *exact* (folded) form and its *stem*
from PySastrawi (``perekonomian`` -> ``ekonomi``). The index keeps a stream
of stems and, where it differs, a stream of exact forms, so that a query word
matches a document holding either form and a phrase still matches words that
stand side by side. Names (authors) are never stemmed.

Stemming is the costly part (PySastrawi looks words up in its dictionary and
tries affix after affix), so stems are cached per word: an import of a
quarter of a million records stems each distinct word once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from serambi.catalog.keys import fold_letters

# Function words only. PySastrawi's own list (809 words) also drops words such
# as "ibu", "orang", "kerja", "bulan" and "baru", which are the subject of
# many a book title; a catalogue must find "Ibu" and "Orang-Orang Biasa".
INDONESIAN_STOP_WORDS = frozenset(
    """
    ada adalah agar akan antara atas atau bagi bahwa dalam dan dari daripada
    dengan di ialah ini itu jika juga ke kepada maka namun nya oleh pada para
    per secara serta suatu tentang terhadap tetapi untuk yaitu yakni yang
    """.split()
)
ENGLISH_STOP_WORDS = frozenset(
    """
    a an and are as at be by for from in into is it its of on or the to with
    """.split()
)
STOP_WORDS = INDONESIAN_STOP_WORDS | ENGLISH_STOP_WORDS

# A word, with inner hyphens kept so that reduplication can be seen.
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Apostrophes and their look-alikes join a word: "Qur'an" -> "quran".
_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u02bb\u0060\u00b4]")
_SHORTEST_STEMMED = 4
# The affixes PySastrawi's rules take off (every prefix rule begins with one of
# these; the infixes -el-, -em-, -er-, -in- are left alone: on names, which they
# mostly meet, they do harm, "deliana" -> "ana").
_PREFIXES = ("di", "ke", "se", "be", "me", "pe", "te")
_SUFFIXES = ("lah", "kah", "tah", "pun", "ku", "mu", "nya", "i", "kan", "an", "is", "isme")
# Between the stem and exact streams of a field: the analyzer never makes a
# word of "_", so it stands between two words that a phrase must not join.
STREAM_SEPARATOR = "_"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer:
    # The plain stemmer, not the factory's cached one: that cache is an
    # unbounded dict, ours is the bounded LRU on stem() below.
    return Stemmer(ArrayDictionary(StemmerFactory().get_words_from_file()))


@lru_cache(maxsize=300_000)
def stem(word: str) -> str:
    """The Indonesian root of a folded word; the word itself when it has none.

    Words with digits and very short words are left alone: PySastrawi would
    strip the digits, and a three-letter word has no affix to take off.
    """
    if len(word) < _SHORTEST_STEMMED or not word.isalpha() or not word.isascii():
        return word
    if not word.startswith(_PREFIXES) and not word.endswith(_SUFFIXES):
        # No affix PySastrawi knows: nothing to take off, and the costliest case
        # to let it find that out (names, English words).
        return word
    root = _stemmer().stem_word(word)
    return root or word


def split_words(text: str) -> list[str]:
    """Folded words, reduplication undone, stop words kept (a query may need them)."""
    words: list[str] = []
    # fold_letters, not fold: fold's clean-up of spaces and final punctuation
    # removes nothing a word is made of.
    for word in _WORD.findall(_APOSTROPHES.sub("", fold_letters(text))):
        if "-" not in word:
            words.append(word)
            continue
        parts = word.split("-")
        if _is_reduplication(parts):
            words.append(parts[0])
        else:
            words.extend(parts)
    return words


def _is_reduplication(parts: list[str]) -> bool:
    """kota-kota, buku-bukunya, anak-anak: the second part repeats the first.

    Rhyming reduplication (sayur-mayur, lauk-pauk) keeps both words: each is
    a word a patron might type.
    """
    first, second = parts[0], parts[1]
    return len(parts) == 2 and (second == first or stem(second) == stem(first))


@dataclass(frozen=True)
class Term:
    """One query or document word in both of its forms."""

    exact: str
    stem: str


def terms(text: str, *, stemmed: bool = True, keep_stop_words: bool = False) -> list[Term]:
    """The terms of a text, in order; ``stemmed=False`` for names."""
    result = []
    for word in split_words(text):
        if not keep_stop_words and word in STOP_WORDS:
            continue
        result.append(Term(word, stem(word) if stemmed else word))
    return result


def analyze(text: str, *, stemmed: bool = True) -> tuple[list[str], list[str]]:
    """The exact forms and the stems of the words ``terms`` finds, as two lists.

    The same analysis without an object per word, for indexing: a quarter of a
    million records hold some ten million words. Unstemmed, both are one list.
    """
    exact = [word for word in split_words(text) if word not in STOP_WORDS]
    return exact, ([stem(word) for word in exact] if stemmed else exact)


# MARC codes of the languages PySastrawi's rules fit: Indonesian, Malay and the
# regional languages written with the same affixes (and "" when not recorded).
STEMMED_LANGUAGES = frozenset(
    {"", "ind", "may", "msa", "jav", "sun", "min", "ban", "bug", "mad", "ace", "bjn", "bbc"}
)


def stems_language(language: str) -> bool:
    """Whether text in this MARC language is stemmed when indexed.

    Stemming an English title with Indonesian rules gains nothing and costs the
    most (an English word is never in PySastrawi's dictionary, so every affix
    rule is tried). The query side still stems, and matches the exact form too.
    """
    return (language or "").strip().lower() in STEMMED_LANGUAGES


def index_text(text: str, *, stemmed: bool = True) -> str:
    """What the index stores for a field: the stem stream, then the exact stream if it differs.

    Both streams keep the words' order, so a phrase matches within either; the
    separator between them is a token no query can produce, so no phrase
    matches across the join.
    """
    return index_terms(terms(text, stemmed=stemmed))


def index_terms(found: list[Term]) -> str:
    """``index_text`` of terms already found."""
    return index_streams([term.exact for term in found], [term.stem for term in found])


def index_streams(exact: list[str], stems: list[str]) -> str:
    """``index_text`` of words already analyzed (``analyze``)."""
    stem_text = " ".join(stems)
    exact_text = " ".join(exact)
    return stem_text if exact_text == stem_text else f"{stem_text} {STREAM_SEPARATOR} {exact_text}"
