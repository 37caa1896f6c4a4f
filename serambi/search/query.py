"""The query language patrons type, parsed into clauses the backends turn into SQL.

    sejarah jawa                 both words (in any field)
    "di bawah bendera revolusi"  the words side by side
    -novel                       not this word
    judul:laskar  title:laskar   a word in one field; also pengarang:/author:,
    subjek:/subject:, penerbit:/publisher:, isbn:, tahun:/year:
    pengarang:"ananta toer"      a phrase in one field
    tahun:1990-2000  tahun:1998  tahun:-1965  tahun:2000-   a year or a range

Nothing a patron types is an error: a field name we do not know, an empty
field, an unclosed quote or a year that is not a year is searched as plain
words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .analyzer import STOP_WORDS, Term, split_words, stem

FIELDS = {
    "judul": "title",
    "title": "title",
    "pengarang": "author",
    "author": "author",
    "penulis": "author",
    "subjek": "subject",
    "subject": "subject",
    "topik": "subject",
    "penerbit": "publisher",
    "publisher": "publisher",
    "isbn": "isbn",
    "issn": "isbn",
    "tahun": "year",
    "year": "year",
}
UNSTEMMED_FIELDS = {"author", "publisher"}
EARLIEST_YEAR, LATEST_YEAR = 1000, 2999

# -? field: ("phrase" | "unclosed phrase | word)
_TOKEN = re.compile(
    r"""(?P<neg>-)?
        (?:(?P<field>[^\W\d_]+):)?
        (?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))""",
    re.VERBOSE,
)
_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(-|–|\.\.)?\s*(\d{4})?$")


@dataclass(frozen=True)
class Words:
    """Words that must all appear (``phrase``: side by side), in one field or any."""

    terms: tuple[Term, ...]
    field: str | None = None
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class YearRange:
    start: int | None
    end: int | None
    negated: bool = False


@dataclass(frozen=True)
class Identifier:
    """``isbn:`` with a number, matched against the normalised ISBNs and ISSNs."""

    value: str
    negated: bool = False


Clause = Words | YearRange | Identifier


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]

    @property
    def words(self) -> list[Words]:
        return [c for c in self.clauses if isinstance(c, Words)]

    @property
    def positive_words(self) -> list[Words]:
        return [c for c in self.words if not c.negated]

    @property
    def negative_words(self) -> list[Words]:
        return [c for c in self.words if c.negated]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def text(self) -> str:
        """The query written back in the query language (for "did you mean" links)."""
        return " ".join(_clause_text(clause) for clause in self.clauses)


def _clause_text(clause: Clause) -> str:
    sign = "-" if clause.negated else ""
    if isinstance(clause, YearRange):
        if clause.start == clause.end:
            return f"{sign}tahun:{clause.start}"
        return f"{sign}tahun:{clause.start or ''}-{clause.end or ''}"
    if isinstance(clause, Identifier):
        return f"{sign}isbn:{clause.value}"
    prefix = {"title": "judul:", "author": "pengarang:", "subject": "subjek:"}.get(
        clause.field or "", "penerbit:" if clause.field == "publisher" else ""
    )
    words = " ".join(term.exact for term in clause.terms)
    if clause.phrase:
        return f'{sign}{prefix}"{words}"'
    if prefix or sign:
        return " ".join(f"{sign}{prefix}{term.exact}" for term in clause.terms)
    return words


def _terms(text: str, field: str | None, *, keep_stop_words: bool = False) -> tuple[Term, ...]:
    stemmed = field not in UNSTEMMED_FIELDS
    found = []
    for word in split_words(text):
        if word in STOP_WORDS and not keep_stop_words:
            continue
        found.append(Term(word, stem(word) if stemmed else word))
    return tuple(found)


def _year_range(text: str, negated: bool) -> YearRange | None:
    match = _YEAR_RANGE.match(text.strip())
    if not match or not (match.group(1) or match.group(3)):
        return None
    start = int(match.group(1)) if match.group(1) else None
    end = int(match.group(3)) if match.group(3) else None
    if not match.group(2):
        end = start
    if start is not None and end is not None and start > end:
        start, end = end, start
    for year in (start, end):
        if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
            return None
    return YearRange(start, end, negated)


def parse(text: str) -> Query:
    clauses: list[Clause] = []
    for match in _TOKEN.finditer(text or ""):
        negated = bool(match.group("neg"))
        raw_field = (match.group("field") or "").casefold()
        field = FIELDS.get(raw_field)
        is_phrase = match.group("phrase") is not None
        value = match.group("phrase") if is_phrase else match.group("word")
        if raw_field and field is None:
            # Not a field we know ("http:", "catatan:"): the words are words.
            value = f"{raw_field} {value}"
        if field == "year":
            if years := _year_range(value, negated):
                clauses.append(years)
                continue
            field = None
        if field == "isbn":
            digits = re.sub(r"[^0-9Xx]", "", value)
            if len(digits) >= 8:
                clauses.append(Identifier(digits.upper(), negated))
                continue
            field = None
        terms = _terms(value, field)
        if not terms:
            continue
        # "Al-Qur'an" or "kota2" typed as one word is two words side by side.
        phrase = is_phrase or len(terms) > 1
        clauses.append(Words(terms, field, phrase and len(terms) > 1, negated))
    return Query(tuple(clauses))
