"""Folded keys that make one Contributor or Subject out of its spelling variants.

"Toer, Pramoedya Ananta," from one MARC file and "toer, pramoedya ananta" typed
by a cataloguer are the same person; the key is what the database keeps unique.
Pure functions: the staff forms and the MARC importer call the same ones.
"""

import re
import unicodedata

# Longest key the models keep (Contributor.key and Subject.key are max_length=600).
KEY_MAX_LENGTH = 600

# ISBD punctuation that MARC leaves at the end of a field or subfield.
_TRAILING_PUNCTUATION = ",./:;"
_SPACES = re.compile(r"\s+")
_SUBDIVISION = re.compile(r"\s*--\s*")


def fold(text: str) -> str:
    """Case-fold, strip accents, collapse whitespace and drop trailing ISBD punctuation."""
    collapsed = _SPACES.sub(" ", fold_letters(text)).strip()
    return collapsed.rstrip(_TRAILING_PUNCTUATION + " ")


def fold_letters(text: str) -> str:
    """Case-fold and strip accents, and nothing else: ``fold`` without its clean-up of
    spaces and punctuation, for the search analyzer, which keeps only words."""
    text = text or ""
    if not text.isascii():
        # Most names and headings are ASCII: nothing to decompose, and this is the
        # import's hot path.
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text.casefold()


def contributor_key(name: str, dates: str = "") -> str:
    """Key of a contributor: folded name, and folded dates when there are any.

    Dates keep two people of the same name apart ("Hamka, 1908-1981" is not a
    namesake born in 1990); without dates the name alone is the key.
    """
    folded_name = fold(name)
    folded_dates = fold(dates)
    key = f"{folded_name} | {folded_dates}" if folded_dates else folded_name
    return key[:KEY_MAX_LENGTH]


def subject_key(heading: str) -> str:
    """Key of a subject heading; each subdivision is folded on its own.

    "Indonesia--History." and "indonesia -- history" give the same key, so
    headings written with or without spaces round the "--" are one subject.
    """
    parts = [fold(part) for part in _SUBDIVISION.split(fold(heading))]
    return " -- ".join(part for part in parts if part)[:KEY_MAX_LENGTH]
