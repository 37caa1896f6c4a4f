"""A record as an APA 7th edition reference, and contributor names as citations write them.

Pure functions over ``RecordData`` (a ``Record`` is read into one first), so
they are tested without a database. The reference keeps APA's English
conventions whatever the page language: "(n.d.)", "(Ed.)", "(2nd ed.)".
The title is written as catalogued; APA asks for sentence case, which
catalogue titles already are, and re-casing would break proper names.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .marc.export import current_data
from .marc.mapping import strip_punctuation
from .marc.types import ContributorData, RecordData
from .models import Record

# APA lists up to 20 authors; from 21 on, the first 19, an ellipsis and the last.
MAX_LISTED_AUTHORS = 20
# Roles a main entry (1XX) may have and still be an author: the others are named elsewhere.
_NOT_AUTHORS = frozenset({"editor", "translator", "illustrator", "photographer"})
# A fuller form of the forenames in brackets, "Tarrant, James J. (James Joseph)".
_FULLER_FORM = re.compile(r"\([^)]*\)")
_GENERATIONAL_SUFFIXES = {"jr": "Jr.", "sr": "Sr."}
_ENDS_SENTENCE = re.compile(r"[.?!]$")
_ORDINAL_EDITION = re.compile(r"^(\d+)\s*(st|nd|rd|th|e)?\.?\s*(ed\.?|edition|edisi)$", re.I)
_ISBD_END = " \t/:;,=+"


@dataclass(frozen=True)
class PersonName:
    """A personal name taken apart: "King, Martin Luther, Jr." -> King / Martin Luther / Jr."""

    family: str
    given: str = ""
    suffix: str = ""

    @property
    def direct(self) -> str:
        """The name in reading order: "Martin Luther King, Jr."."""
        name = f"{self.given} {self.family}" if self.given else self.family
        return f"{name}, {self.suffix}" if self.suffix else name


def parse_person_name(name: str) -> PersonName:
    """Split a catalogue heading for a person at its commas.

    "Toer, Pramoedya Ananta," is inverted (surname first); a name without a
    comma ("Pramoedya Ananta Toer", "Soekarno") is kept whole as ``family``,
    since Indonesian names often have no surname to invert.
    """
    family, _comma, rest = strip_punctuation(name).partition(",")
    given, _comma, suffix = rest.partition(",")
    suffix = suffix.strip()
    suffix = _GENERATIONAL_SUFFIXES.get(suffix.rstrip(".").lower(), suffix)
    return PersonName(family=family.strip(), given=given.strip(), suffix=suffix)


def initials(given: str) -> str:
    """APA initials of forenames: "Pramoedya Ananta" -> "P. A.", "Jean-Paul" -> "J.-P.".

    Lower-case particles stay as written ("Ludwig van" -> "L. van").
    """
    letters = []
    for word in _FULLER_FORM.sub(" ", given).replace(".", ". ").split():
        if word.islower():
            letters.append(word)
            continue
        parts = [_first_letter(part) for part in word.strip(".").split("-")]
        if any(parts):
            letters.append("-".join(f"{part}." for part in parts if part))
    return " ".join(letters)


def _first_letter(text: str) -> str:
    return next((char.upper() for char in text if char.isalpha()), "")


def apa_name(name: str, *, kind: str = "person") -> str:
    """A contributor as an APA reference lists it: "Toer, Pramoedya Ananta," -> "Toer, P. A.".

    Organisations and meetings keep their full name; so does a personal name
    without a comma, which cannot be told apart into surname and forenames.
    """
    if kind != "person" or "," not in name:
        return strip_punctuation(name)
    person = parse_person_name(name)
    text = person.family
    if forenames := initials(person.given):
        text = f"{text}, {forenames}"
    return f"{text}, {person.suffix}" if person.suffix else text


def direct_name(name: str, *, kind: str = "person") -> str:
    """A contributor in reading order for people: "Toer, Pramoedya Ananta," -> "Pramoedya
    Ananta Toer". Organisations and meetings keep their heading."""
    if kind != "person":
        return strip_punctuation(name)
    return parse_person_name(name).direct


def _initials_first(contributor: ContributorData) -> str:
    """How APA names editors and translators after the title: "P. A. Toer"."""
    if contributor.kind != "person" or "," not in contributor.name:
        return strip_punctuation(contributor.name)
    person = parse_person_name(contributor.name)
    text = " ".join(part for part in (initials(person.given), person.family) if part)
    return f"{text}, {person.suffix}" if person.suffix else text


def _closed(text: str) -> str:
    """``text`` ended with a full stop, unless it already ends a sentence ("Toer, P. A.")."""
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def _listed(names: list[str]) -> str:
    """APA's list of names: "A, B, & C"; from 21 names: 19, an ellipsis, the last."""
    if len(names) > MAX_LISTED_AUTHORS:
        return ", ".join(names[: MAX_LISTED_AUTHORS - 1]) + ", . . . " + names[-1]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _listed_after_title(names: list[str]) -> str:
    """Editors in the bracket after a title: "A & B", "A, B, & C"."""
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return _listed(names)


def apa_edition(edition: str) -> str:
    """An edition statement as APA writes it in brackets: "2nd ed", "2 ed." -> "2nd ed.".

    Anything else ("Cet. 1", "Edisi revisi") stays as catalogued, without the
    ISBD punctuation at its end and without a full stop after a whole word.
    """
    text = edition.strip().rstrip(_ISBD_END)
    if text[:1] in "([" and text[-1:] in ")]":
        text = text[1:-1].strip().rstrip(_ISBD_END)
    if match := _ORDINAL_EDITION.match(text):
        number = int(match.group(1))
        suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
        return f"{number}{suffix or 'th'} ed."
    last_word = text.rsplit(" ", 1)[-1]
    is_abbreviation = last_word[:-1].isalpha() and len(last_word) <= 5
    if text.endswith(".") and not is_abbreviation:
        text = text[:-1].rstrip(_ISBD_END)
    return text


def _described(record: Record | RecordData) -> RecordData:
    return record if isinstance(record, RecordData) else current_data(record)


def _runs(record: Record | RecordData) -> list[tuple[str, bool]]:
    """The reference as runs of text, each with whether it is set in italics."""
    data = _described(record)
    contributors = sorted(data.contributors, key=lambda contributor: not contributor.is_main)
    authors = [
        c for c in contributors if c.role == "author" or (c.is_main and c.role not in _NOT_AUTHORS)
    ]
    editors = [c for c in contributors if c.role == "editor" and c not in authors]
    translators = [c for c in contributors if c.role == "translator" and c not in authors]

    after_title = []
    head = ""
    if authors:
        head = _closed(_listed([apa_name(c.name, kind=c.kind) for c in authors]))
    elif editors:
        label = "(Ed.)" if len(editors) == 1 else "(Eds.)"
        head = f"{_listed([apa_name(c.name, kind=c.kind) for c in editors])} {label}."
    if editors and authors:
        label = "Ed." if len(editors) == 1 else "Eds."
        after_title.append(f"{_listed_after_title([_initials_first(c) for c in editors])}, {label}")
    if translators:
        after_title.append(
            f"{_listed_after_title([_initials_first(c) for c in translators])}, Trans."
        )
    if data.edition and (edition := apa_edition(data.edition)):
        after_title.append(edition)

    title = strip_punctuation(data.title) or data.title.strip()
    if data.subtitle:
        title = f"{title}: {strip_punctuation(data.subtitle)}"
    title_runs = [(title, True)]
    if after_title:
        title_runs.append((f" ({'; '.join(after_title)}).", False))
    elif not _ENDS_SENTENCE.search(title):
        title_runs.append((".", False))

    date = f"({data.year})." if data.year else "(n.d.)."
    publisher = strip_punctuation(data.publisher)
    # APA leaves the publisher out when it is the author (a ministry publishing its own report).
    if publisher and len(authors) == 1 and publisher == strip_punctuation(authors[0].name):
        publisher = ""

    runs: list[tuple[str, bool]] = []
    if head:
        runs += [(f"{head} {date} ", False), *title_runs]
    else:
        runs += [*title_runs, (f" {date}", False)]
    if publisher:
        runs.append((f" {_closed(publisher)}", False))
    return runs


def apa_citation(record: Record | RecordData) -> str:
    """The record as an APA 7th edition reference in plain text:
    "Toer, P. A. (1980). Bumi manusia (2nd ed.). Hasta Mitra."."""
    return "".join(text for text, _italic in _runs(record))


def apa_citation_html(record: Record | RecordData) -> SafeString:
    """As :func:`apa_citation`, escaped for HTML, with the title in ``<i>``."""
    return mark_safe(  # noqa: S308 - every run is escaped here
        "".join(
            f"<i>{escape(text)}</i>" if italic else escape(text) for text, italic in _runs(record)
        )
    )
