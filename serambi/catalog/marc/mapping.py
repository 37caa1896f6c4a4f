"""MARC 21 bibliographic record -> RecordData: a pure function, tested with golden files.

The mapping reads what a patron and a librarian need to find and describe a
title; the original record is kept whole beside it (``marc_to_dict``) so
nothing else is lost.
"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable

import pymarc
from django.utils.translation import gettext as _

from serambi.catalog.identifiers import parse_isbn, parse_issn

from .types import ContributorData, HoldingData, IdentifierData, RecordData, SubjectData


class MappingError(ValueError):
    """The record cannot become a catalogue record (it has no title, say)."""


# Control characters (other than tab/newline) occur in real data, e.g. a
# stray subfield delimiter inside 001; they are never kept in mapped text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILING_PUNCTUATION = " \t/:;,=+"
# A final full stop after an initial or abbreviation ("Jr.", "A."), which stays.
_INITIAL_AT_END = re.compile(r"(\b\w|\.\w)\.$")
_YEAR = re.compile(r"(1[0-9]{3}|20[0-9]{2})")

# Leader 06 (type of record) -> MaterialType; language material is refined below.
_TYPE_OF_RECORD = {
    "a": "book",
    "t": "manuscript",
    "c": "score",
    "d": "score",
    "e": "map",
    "f": "map",
    "g": "video",
    "i": "audio",
    "j": "audio",
    "k": "visual",
    "m": "computer_file",
    "o": "kit",
    "p": "kit",
    "r": "other",
}
# 008/22 target audience -> Audience, for the record types that define it.
_AUDIENCE = {
    "a": "children",
    "b": "children",
    "c": "children",
    "j": "children",
    "d": "young_adult",
    "e": "adult",
    "f": "specialized",
    "g": "general",
}
_AUDIENCE_TYPES = set("acdgijkmort")

# Relator terms ($e, English and Indonesian) and codes ($4) -> RecordContributor.Role.
_RELATOR_TERMS = {
    "author": "author",
    "pengarang": "author",
    "penulis": "author",
    "editor": "editor",
    "ed": "editor",
    "eds": "editor",
    "penyunting": "editor",
    "translator": "translator",
    "tr": "translator",
    "trans": "translator",
    "penerjemah": "translator",
    "alih bahasa": "translator",
    "illustrator": "illustrator",
    "ill": "illustrator",
    "ilustrator": "illustrator",
    "compiler": "compiler",
    "comp": "compiler",
    "penyusun": "compiler",
    "photographer": "photographer",
    "fotografer": "photographer",
}
_RELATOR_CODES = {
    "aut": "author",
    "cre": "author",
    "edt": "editor",
    "trl": "translator",
    "ill": "illustrator",
    "com": "compiler",
    "pht": "photographer",
    "ctb": "contributor",
}
_NAME_KIND = {"00": "person", "10": "organization", "11": "meeting"}
_SUBJECT_KIND = {
    "600": "person",
    "610": "organization",
    "611": "organization",
    "630": "other",
    "648": "other",
    "650": "topic",
    "651": "place",
    "653": "topic",
    "655": "genre",
}
# Subfields that subdivide a heading (form, general, chronological, geographic).
_SUBDIVISIONS = set("vxyz")


def clean(text: str | None) -> str:
    """Text without control characters, with spaces collapsed."""
    if not text:
        return ""
    if not text.isascii():  # ASCII is in NFC already
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = _CONTROL_CHARS.sub("", text)
    elif "  " not in text and text[0] != " " and text[-1] != " ":
        # Printable text holds no whitespace but spaces; single ones inside it
        # are already as they should be. Most subfields are such text, and this
        # runs some thirty times a record.
        return text
    return " ".join(text.split())


def strip_punctuation(text: str | None) -> str:
    """Drop the ISBD punctuation that MARC leaves at the end of a subfield."""
    return _strip_cleaned(clean(text))


def _strip_cleaned(text: str) -> str:
    """``strip_punctuation`` of text that ``clean`` has given."""
    text = text.rstrip(_TRAILING_PUNCTUATION)
    # A final full stop goes, unless it ends an initial or abbreviation ("Jr.", "A.").
    # The search starts where such an ending can: this runs for every subfield.
    if text.endswith(".") and not _INITIAL_AT_END.search(text, max(0, len(text) - 3)):
        text = text[:-1].rstrip(_TRAILING_PUNCTUATION)
    return text


def marc_to_dict(record: pymarc.Record) -> dict:
    """The whole record as MARC-in-JSON: leader, every field, indicators, subfields."""
    return record.as_dict()


def marc_hash(marc: dict) -> str:
    return hashlib.sha256(
        json.dumps(marc, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


_CODE_SETS: dict[str, frozenset[str]] = {}


def _subfields(field: pymarc.Field, codes: str) -> list[str]:
    """The cleaned, non-empty values of the subfields with these codes, in order."""
    wanted = _CODE_SETS.get(codes)
    if wanted is None:
        wanted = _CODE_SETS[codes] = frozenset(codes)
    values = []
    for code, value in field.subfields:
        if code in wanted and (text := clean(value)):
            values.append(text)
    return values


def _first_field(record: "_Fields", *tags: str) -> pymarc.Field | None:
    return record.first(tags)


def _join(parts: Iterable[str], separator: str = " ") -> str:
    return separator.join([part for part in map(strip_punctuation, parts) if part])


def _heading(parts: Iterable[str]) -> str:
    """Subfields of one heading as written (inner punctuation kept), end punctuation dropped."""
    return strip_punctuation(" ".join([text for text in map(clean, parts) if text]))


def _balance_brackets(text: str) -> str:
    """'[Japan' (the bracket closes in another subfield) -> '[Japan]'."""
    if text.count("[") > text.count("]"):
        return text + "]" * (text.count("[") - text.count("]"))
    return text


def _qualifier(parts: Iterable[str]) -> str:
    """'(15th :', '1999 :', 'San Diego, California)' -> '15th : 1999 : San Diego, California'."""
    text = _heading(parts)
    if text.startswith("(") and text.endswith(")"):
        text = strip_punctuation(text[1:-1])
    return text


def _control(record: "_Fields", tag: str) -> str:
    """A control field's data, positions intact (spaces are meaningful in 008)."""
    field = _first_field(record, tag)
    if field is None or not field.is_control_field():
        return ""
    return _CONTROL_CHARS.sub("", field.data or "")


def _fixed(record: "_Fields") -> str:
    """008, padded so positions can be read without bounds checks."""
    return (_control(record, "008") if _first_field(record, "008") else "").ljust(40)


class _Fields:
    """A record's fields by tag: the mapping asks for some twenty tags per record,
    and pymarc answers each by scanning every field."""

    def __init__(self, record: pymarc.Record) -> None:
        self.leader = record.leader
        self._fields = record.fields
        self._by_tag: dict[str, list[pymarc.Field]] = {}
        for field in record.fields:
            self._by_tag.setdefault(field.tag, []).append(field)

    def get_fields(self, *tags: str) -> list[pymarc.Field]:
        found = [self._by_tag[tag] for tag in tags if tag in self._by_tag]
        if len(found) <= 1:
            return found[0] if found else []
        # Fields of several tags, in the record's order.
        wanted = set(tags)
        return [field for field in self._fields if field.tag in wanted]

    def first(self, tags: tuple[str, ...]) -> pymarc.Field | None:
        """The first field of the first of these tags that the record has."""
        for tag in tags:
            fields = self._by_tag.get(tag)
            if fields:
                return fields[0]
        return None


def map_record(marc_record: pymarc.Record) -> RecordData:
    record = _Fields(marc_record)
    leader = str(record.leader or "").ljust(24)
    fixed = _fixed(record)
    title, subtitle, responsibility = _title(record)
    place, publisher, date_text = _publication(record)
    data = RecordData(
        title=title,
        subtitle=subtitle,
        responsibility=responsibility,
        edition=_edition(record),
        publisher=publisher,
        publication_place=place,
        year=_year(fixed, date_text),
        physical_description=_physical_description(record),
        series=_series(record),
        notes="\n".join(
            _join(values)
            for field in record.get_fields("500", "504")
            if (values := _subfields(field, "a"))
        ),
        summary="\n".join(
            _join(values)
            for field in record.get_fields("520")
            if (values := _subfields(field, "ab"))
        ),
        language=_language(record, fixed),
        material_type=_material_type(leader, fixed, _control(record, "007").strip()),
        audience=_AUDIENCE.get(fixed[22], "") if leader[6] in _AUDIENCE_TYPES else "",
        ddc=_ddc(record),
        control_number=_control(record, "001").strip(),
        control_number_source=_control(record, "003").strip(),
        contributors=_contributors(record),
        subjects=_subjects(record),
        identifiers=_identifiers(record),
        holdings=_holdings(record),
    )
    data.call_number = _call_number(record, data)
    data.warnings.extend(
        _("%(scheme)s %(value)r is not valid")
        % {"scheme": identifier.scheme.upper(), "value": identifier.value}
        for identifier in data.identifiers
        if not identifier.is_valid and not identifier.is_cancelled
    )
    return data


def _title(record: "_Fields") -> tuple[str, str, str]:
    field = _first_field(record, "245")
    if field is None:
        # No 245: fall back on a uniform or varying title rather than lose the record.
        fallback = _first_field(record, "130", "240", "246", "740")
        if fallback is None or not _subfields(fallback, "a"):
            raise MappingError(_("the record has no title (245)"))
        return _join(_subfields(fallback, "anp")), "", ""
    title = _join(_subfields(field, "anp"))
    if not title:
        # 245 with only $k (form) or $b still names the work.
        title = _join(_subfields(field, "kb"))
        if not title:
            raise MappingError(_("the title field (245) is empty"))
        return title, "", _join(_subfields(field, "c"))
    return title, _join(_subfields(field, "b")), _join(_subfields(field, "c"))


def _edition(record: "_Fields") -> str:
    field = _first_field(record, "250")
    return _join(_subfields(field, "ab")) if field is not None else ""


def _publication(record: "_Fields") -> tuple[str, str, str]:
    """Place, publisher and date text from 264 (second indicator 1) or 260."""
    field = next(
        (f for f in record.get_fields("264") if f.indicator2 == "1"),
        None,
    ) or _first_field(record, "260", "264")
    if field is None:
        return "", "", ""
    place = _balance_brackets(_join(_subfields(field, "a"), " ; "))
    publisher = _join(_subfields(field, "b"), " ; ")
    date_text = " ".join(_subfields(field, "c"))
    return place, publisher, date_text


def _year(fixed: str, date_text: str) -> int | None:
    date1 = fixed[7:11]
    if date1.isdigit() and 1000 <= int(date1) <= 2100:
        return int(date1)
    match = _YEAR.search(date_text)
    return int(match.group(1)) if match else None


def _physical_description(record: "_Fields") -> str:
    """300 as written, ISBD punctuation kept inside ("xv, 91 p. : ill. ; 18 cm")."""
    field = _first_field(record, "300")
    if field is None:
        return ""
    return " ".join(_subfields(field, "abcefg")).rstrip(_TRAILING_PUNCTUATION + ".")


def _series(record: "_Fields") -> str:
    field = _first_field(record, "490", "830", "440")
    if field is None:
        return ""
    title = _join(_subfields(field, "anp"), ". ")
    volume = _join(_subfields(field, "v"))
    return f"{title} ; {volume}" if title and volume else title or volume


def _language(record: "_Fields", fixed: str) -> str:
    code = fixed[35:38].strip().lower()
    if len(code) == 3 and code.isalpha() and code not in {"und", "zxx", "mul"}:
        return code
    field = _first_field(record, "041")
    if field is not None:
        for value in _subfields(field, "a"):
            value = value.lower()[:3]
            if len(value) == 3 and value.isalpha():
                return value
    return code if len(code) == 3 and code.isalpha() else ""


def _material_type(leader: str, fixed: str, physical: str = "") -> str:
    record_type, level = leader[6], leader[7]
    if record_type == "a":
        if level in {"s", "b", "i"}:
            return "serial"
        # 008/23 form of item: o online, q direct electronic (a disc), s electronic;
        # for "s", 007 tells a disc or cartridge (c + o/j/b…) from online (c + r).
        if fixed[23] == "o" or (fixed[23] == "s" and physical[:2] in {"", "c", "cr", "cu", "c|"}):
            return "ebook"
        if fixed[23] in {"q", "s"}:
            return "computer_file"
        return "book"
    if record_type == "g":
        return "video" if fixed[33] in {"v", "m", "f"} else "visual"
    return _TYPE_OF_RECORD.get(record_type, "other")


def _ddc(record: "_Fields") -> str:
    field = _first_field(record, "082", "092")
    numbers = _subfields(field, "a") if field is not None else []
    if not numbers:
        return ""
    # "959.8/02" and "899'.2213" carry segmentation and prime marks that are not part of the number.
    return numbers[0].replace("/", "").replace("'", "").strip()


def _call_number(record: "_Fields", data: RecordData) -> str:
    """Nomor panggil: DDC class, three letters of the main entry, first letter of the title.

    Without a DDC number the record's LC call number (050/090) is used as it is.
    """
    if data.ddc:
        main = next((c for c in data.contributors if c.is_main), None)
        entry = _filing_letters(main.name if main else _filing_title(record, data.title), 3)
        title_letter = _filing_letters(_filing_title(record, data.title), 1).lower()
        return " ".join(part for part in (data.ddc, entry.upper(), title_letter) if part)
    field = _first_field(record, "090", "050")
    return _join(_subfields(field, "ab")) if field is not None else ""


def _filing_title(record: "_Fields", title: str) -> str:
    field = _first_field(record, "245")
    skip = int(field.indicator2) if field is not None and (field.indicator2 or "").isdigit() else 0
    return title[skip:]


def _filing_letters(text: str, count: int) -> str:
    letters = []
    for char in unicodedata.normalize("NFKD", text):
        if char.isalpha() and not unicodedata.combining(char):
            letters.append(char)
            if len(letters) == count:
                break
    return "".join(letters)


def _contributors(record: "_Fields") -> list[ContributorData]:
    found: list[ContributorData] = []
    seen: set[tuple[str, str, str]] = set()
    for field in record.get_fields("100", "110", "111", "700", "710", "711"):
        is_main = field.tag.startswith("1")
        kind = _NAME_KIND[field.tag[1:]]
        if kind == "person":
            name = _heading(_subfields(field, "abcq"))
            dates = _join(_subfields(field, "d"))
        elif kind == "organization":
            name = _join(_subfields(field, "ab"), ". ")
            dates = _qualifier(_subfields(field, "ndc"))
        else:
            name = _heading(_subfields(field, "aeq"))
            dates = _qualifier(_subfields(field, "ndc"))
        if not name:
            continue
        for role in _roles(field, default="author" if is_main else "contributor"):
            if (name, dates, role) in seen:
                continue
            seen.add((name, dates, role))
            found.append(
                ContributorData(name=name, dates=dates, kind=kind, role=role, is_main=is_main)
            )
    return found


_RELATOR_SEPARATOR = re.compile(r"\s*(?:,|&|\band\b|\bdan\b)\s*")


def _roles(field: pymarc.Field, *, default: str) -> list[str]:
    roles: list[str] = []
    for code in _subfields(field, "4"):
        if (role := _RELATOR_CODES.get(code.lower().strip(". "))) and role not in roles:
            roles.append(role)
    if roles:
        return roles
    # 111/711 use $e for subordinate units, not relators; $j is their relator.
    relator_codes = "j" if field.tag in {"111", "711"} else "e"
    for text in _subfields(field, relator_codes):
        for term in _RELATOR_SEPARATOR.split(text.lower()):
            if (role := _RELATOR_TERMS.get(term.strip(" .,"))) and role not in roles:
                roles.append(role)
    return roles or [default]


def _subjects(record: "_Fields") -> list[SubjectData]:
    found: list[SubjectData] = []
    seen: set[str] = set()
    for field in record.get_fields(*_SUBJECT_KIND):
        if field.tag == "653":
            # Uncontrolled terms: each $a is a heading of its own.
            for term in (strip_punctuation(value) for value in _subfields(field, "a")):
                if term and term.casefold() not in seen:
                    seen.add(term.casefold())
                    found.append(SubjectData(heading=term, kind="topic"))
            continue
        main_codes = "abcdqt" if field.tag == "600" else "abcdgnpt"
        main = _heading([value for code, value in field.subfields if code in main_codes])
        subdivisions = [
            _strip_cleaned(text)
            for code, value in field.subfields
            if code in _SUBDIVISIONS and (text := clean(value))
        ]
        heading = " -- ".join(part for part in (main, *subdivisions) if part)
        folded = heading.casefold()
        if not heading or folded in seen:
            continue
        seen.add(folded)
        found.append(SubjectData(heading=heading, kind=_SUBJECT_KIND[field.tag]))
    return found


def _identifiers(record: "_Fields") -> list[IdentifierData]:
    found: list[IdentifierData] = []
    for field in record.get_fields("020"):
        qualifiers = " ".join(_subfields(field, "q"))
        for value in _subfields(field, "a"):
            identifier = parse_isbn(value)
            if qualifiers and not identifier.qualifier:
                identifier.qualifier = qualifiers
            found.append(identifier)
        for value in _subfields(field, "z"):
            identifier = parse_isbn(value)
            identifier.is_cancelled = True
            found.append(identifier)
    for field in record.get_fields("022"):
        found.extend(parse_issn(value) for value in _subfields(field, "a"))
        for value in _subfields(field, "yz"):
            identifier = parse_issn(value)
            identifier.is_cancelled = True
            found.append(identifier)
    return found


def _holdings(record: "_Fields") -> list[HoldingData]:
    """Copies from 852 (MARC holdings) and 952 (Koha, and SLiMS exports modelled on it)."""
    holdings: list[HoldingData] = []
    for field in record.get_fields("852"):
        barcode = next(iter(_subfields(field, "p")), "")
        if barcode:
            holdings.append(
                HoldingData(
                    barcode=barcode,
                    call_number=_join(_subfields(field, "hijk")),
                    shelf_location=_join(_subfields(field, "c")),
                    branch_code=next(iter(_subfields(field, "b")), ""),
                )
            )
    for field in record.get_fields("952"):
        barcode = next(iter(_subfields(field, "p")), "")
        if barcode:
            holdings.append(
                HoldingData(
                    barcode=barcode,
                    call_number=_join(_subfields(field, "o")),
                    shelf_location=_join(_subfields(field, "c")),
                    branch_code=next(iter(_subfields(field, "ab")), ""),
                    price=_rupiah(next(iter(_subfields(field, "gv")), "")),
                )
            )
    return holdings


def _rupiah(text: str) -> int | None:
    """'85000', 'Rp 85.000', '85000.00' -> 85000; anything else -> None."""
    text = re.sub(r"[.,]00$", "", text.strip())
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits and len(digits) <= 10 else None
