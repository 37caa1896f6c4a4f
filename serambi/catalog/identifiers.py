"""ISBN and ISSN as catalogues write them: the number, a qualifier, and whether it checks out.

MARC 020 $a and 022 $a carry text such as ``0780363590 (softbound edition)``,
``978-979-1234-56-7 (pbk.) :`` or ``ISBN 979-8-12-345678-9``. These pure
functions split that text into the number as written and its qualifier, and
validate the number with python-stdnum. An invalid number is still returned
(flagged ``is_valid=False``), because it is what is printed on the book; the
staff form refuses it, the importer keeps it.
"""

import re

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError

from .marc.types import IdentifierData

# A number at the start of the text: digits with hyphens or spaces, ending in a
# digit or the check character X (ISBN-10 and ISSN).
_LEADING_NUMBER = re.compile(r"^[0-9][0-9\- ]*[0-9Xx]|^[0-9]")
_SCHEME_PREFIX = re.compile(r"^(?:isbn|issn)(?:-1[03])?\s*:?\s*", re.IGNORECASE)
# ISBD punctuation and brackets around a qualifier: " : (pbk.) ;" → "pbk."
_QUALIFIER_EDGES = " \t:;,/=+"


def _clean_qualifier(text: str) -> str:
    qualifier = text.strip(_QUALIFIER_EDGES)
    while qualifier.startswith("(") and qualifier.endswith(")"):
        qualifier = qualifier[1:-1].strip(_QUALIFIER_EDGES)
    return qualifier


def _split_number(text: str, lengths: tuple[int, ...]) -> tuple[str, str]:
    """Split ``text`` into (number as written, qualifier)."""
    text = _SCHEME_PREFIX.sub("", (text or "").strip())
    match = _LEADING_NUMBER.match(text)
    if match is None:
        # No number at all ("(pbk.)", "lihat sampul"): keep the words as the value
        # so nothing is lost; it will not validate.
        return text.strip(_QUALIFIER_EDGES), ""
    number = match.group(0).strip(" -")
    rest = text[match.end() :]
    compact = re.sub(r"[\s-]", "", number)
    if len(compact) not in lengths and " " in number:
        # A space-separated word that is not part of the number ("0780363590 1999 ed.").
        number, _space, more = number.partition(" ")
        rest = f"{more}{rest}"
    return number, _clean_qualifier(rest)


def compact_isbn(text: str) -> str:
    """The ISBN-13 digits of ``text`` when it is a valid ISBN, else ``""``."""
    try:
        return stdnum_isbn.to_isbn13(stdnum_isbn.validate(text))
    except (ValidationError, TypeError):
        return ""


def compact_issn(text: str) -> str:
    """The eight characters of ``text`` when it is a valid ISSN, else ``""``."""
    try:
        return stdnum_issn.validate(text)
    except (ValidationError, TypeError):
        return ""


def parse_isbn(text: str, *, cancelled: bool = False) -> IdentifierData:
    """Parse one ISBN as written (020 $a, or a line of the staff form).

    ``value`` is the number as written without its qualifier (hyphens kept),
    ``qualifier`` the words after it without brackets ("pbk."), ``normalized``
    the ISBN-13 digits when the number is valid. Blank text gives an empty
    ``value`` with ``is_valid=False``; callers skip those. ``cancelled`` marks
    a number from 020 $z.
    """
    value, qualifier = _split_number(text, lengths=(10, 13))
    normalized = compact_isbn(value) if value else ""
    return IdentifierData(
        scheme="isbn",
        value=value,
        normalized=normalized,
        qualifier=qualifier,
        is_valid=bool(normalized),
        is_cancelled=cancelled,
    )


def parse_issn(text: str, *, cancelled: bool = False) -> IdentifierData:
    """Parse one ISSN as written (022 $a, or the staff form); as :func:`parse_isbn`.

    ``normalized`` is the eight characters of a valid ISSN ("03178471").
    ``cancelled`` marks a number from 022 $y or $z.
    """
    value, qualifier = _split_number(text, lengths=(8,))
    normalized = compact_issn(value) if value else ""
    return IdentifierData(
        scheme="issn",
        value=value,
        normalized=normalized,
        qualifier=qualifier,
        is_valid=bool(normalized),
        is_cancelled=cancelled,
    )


def format_isbn(normalized: str) -> str:
    """A valid ISBN hyphenated at the agency boundaries, for display; anything else unchanged."""
    if not stdnum_isbn.is_valid(normalized):
        return normalized
    return stdnum_isbn.format(normalized)
