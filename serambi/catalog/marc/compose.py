"""Catalogue values -> MARC 21 fields: the inverse of ``mapping.py``, pure and free of Django.

Each function builds the fields for one part of the description from a
``RecordData`` (or a part of it), with the ISBD punctuation that MARC
records carry, so that ``map_record`` reads back the values it was given.
The exporter uses them for records catalogued by staff, and for the parts of
an imported record that staff have edited since.
"""

import datetime
import re

from pymarc import Field, Indicators, Leader, Subfield

from .types import ContributorData, IdentifierData, RecordData, SubjectData

# MaterialType -> leader 06 (type of record) and 07 (bibliographic level).
LEADER_TYPE = {
    "book": ("a", "m"),
    "serial": ("a", "s"),
    "ebook": ("a", "m"),
    "map": ("e", "m"),
    "score": ("c", "m"),
    "audio": ("i", "m"),
    "video": ("g", "m"),
    "visual": ("k", "m"),
    "manuscript": ("t", "m"),
    "computer_file": ("m", "m"),
    "kit": ("o", "m"),
    "other": ("r", "m"),
}
# Audience -> 008/22 target audience.
AUDIENCE_CODE = {
    "children": "j",
    "young_adult": "d",
    "adult": "e",
    "general": "g",
    "specialized": "f",
}
# Record types whose 008/22 is the target audience (books, music, computer files, visual).
AUDIENCE_RECORD_TYPES = frozenset("acdgijkmort")
# Where 008 holds "form of item": 23 for books, music, computer files and mixed
# materials; 29 for maps and visual materials.
FORM_OF_ITEM_POSITION = {
    **dict.fromkeys("acdijmpt", 23),
    **dict.fromkeys("efgkor", 29),
}
FORM_OF_ITEM = {"ebook": "o", "computer_file": "q"}
# 008/33 type of visual material for the visual record types.
VISUAL_TYPE = {"video": "v", "visual": "i"}
# RecordContributor.Role -> RDA relator term ($e, $j for meetings) and MARC relator code ($4).
RELATORS = {
    "author": ("author", "aut"),
    "editor": ("editor", "edt"),
    "translator": ("translator", "trl"),
    "illustrator": ("illustrator", "ill"),
    "compiler": ("compiler", "com"),
    "photographer": ("photographer", "pht"),
    "contributor": ("contributor", "ctb"),
}
# Subject.Kind -> tag and first indicator. Second indicator 4: "source not specified",
# since headings typed by staff need not come from LCSH.
SUBJECT_TAGS = {
    "topic": ("650", " "),
    "place": ("651", " "),
    "person": ("600", "1"),
    "organization": ("610", "2"),
    "genre": ("655", " "),
}
# Leading articles skipped in filing (245 second indicator), by language.
_ARTICLES = {
    "eng": ("the ", "an ", "a "),
    "fre": ("les ", "la ", "le ", "l'", "une ", "un "),
    "ger": ("der ", "die ", "das ", "ein ", "eine "),
    "dut": ("de ", "het ", "een "),
    "spa": ("los ", "las ", "el ", "la ", "una ", "un "),
    "ita": ("gli ", "il ", "lo ", "la ", "l'", "una ", "un "),
}
_ENDS_SENTENCE = re.compile(r"[.?!]$")
_ENDS_HEADING = re.compile(r"[.?!)\-]$")


def data_field(tag: str, indicators: str, *pairs: tuple[str, str]) -> Field:
    """A data field from (code, value) pairs, leaving out empty values."""
    return Field(
        tag=tag,
        indicators=Indicators(indicators[0], indicators[1]),
        subfields=[Subfield(code, value) for code, value in pairs if value],
    )


def ending(text: str, mark: str = ".") -> str:
    """``text`` closed with ``mark`` unless it already ends a sentence ("Apa kabar?")."""
    text = text.rstrip()
    if not text or _ENDS_SENTENCE.search(text):
        return text
    return text + mark


def _followed_by(text: str, mark: str) -> str:
    """ISBD punctuation before the next element: "Judul" + " :" -> "Judul :"."""
    return f"{text.rstrip()}{mark}" if text else text


# ------------------------------------------------------------------ leader and 008


def leader(data: RecordData) -> Leader:
    """A new record's leader: status n, UTF-8, minimal level (7), ISBD punctuation (i)."""
    record_type, level = LEADER_TYPE.get(data.material_type, ("a", "m"))
    return Leader(f"00000n{record_type}{level} a22000007i 4500")


def set_material_type(marc_leader: Leader, material_type: str) -> None:
    record_type, level = LEADER_TYPE.get(material_type, ("a", "m"))
    marc_leader.type_of_record = record_type
    marc_leader.bibliographic_level = level


def fixed_field(data: RecordData, *, entered: datetime.date) -> str:
    """008 for a new record; what the catalogue does not know is filled with "|"."""
    record_type, _level = LEADER_TYPE.get(data.material_type, ("a", "m"))
    positions = list(entered.strftime("%y%m%d") + "nuuuu    xx " + "|" * 17 + "und d")
    positions[32] = " "  # undefined in the book format; "|" would be wrong there
    value = "".join(positions)
    return patch_fixed_field(
        value,
        record_type=record_type,
        year=data.year,
        language=data.language,
        audience=data.audience,
        material_type=data.material_type,
    )


def patch_fixed_field(
    value: str,
    *,
    record_type: str,
    year: int | None | object = ...,
    language: str | object = ...,
    audience: str | object = ...,
    material_type: str | object = ...,
) -> str:
    """Set the parts of an existing 008 given by keyword; everything else is kept as it is."""
    positions = list(value.ljust(40)[:40])
    if year is not ...:
        if year is None:
            positions[7:11] = "uuuu"
            if positions[6] in {"s", " ", "|"}:
                positions[6] = "n"
        else:
            positions[7:11] = f"{year:04d}"
            if positions[6] in {"n", " ", "|"}:
                positions[6] = "s"
    if language is not ...:
        positions[35:38] = (str(language).lower() or "und")[:3].ljust(3)
    if audience is not ... and record_type in AUDIENCE_RECORD_TYPES:
        positions[22] = AUDIENCE_CODE.get(str(audience), " ")
    if material_type is not ...:
        position = FORM_OF_ITEM_POSITION.get(record_type)
        if position is not None:
            positions[position] = FORM_OF_ITEM.get(str(material_type), " ")
        if record_type in {"g", "k"}:
            positions[33] = VISUAL_TYPE.get(str(material_type), positions[33])
    return "".join(positions)


# ------------------------------------------------------------------------ fields


def identifier_fields(identifiers: list[IdentifierData]) -> list[Field]:
    """020/022: a valid number normalised in $a with its qualifier in $q; others in $z/$y.

    MARC keeps a cancelled number and an invalid one in the same place (020 $z,
    022 $z/$y), since neither identifies the resource.
    """
    fields = []
    for identifier in identifiers:
        if not identifier.value:
            continue
        if identifier.scheme == "isbn":
            if identifier.is_valid and not identifier.is_cancelled and identifier.normalized:
                pairs = [("a", identifier.normalized), ("q", identifier.qualifier)]
            else:
                pairs = [("z", identifier.value), ("q", identifier.qualifier)]
            fields.append(data_field("020", "  ", *pairs))
        elif identifier.scheme == "issn":
            if identifier.is_valid and not identifier.is_cancelled and identifier.normalized:
                number = identifier.normalized
                pairs = [("a", f"{number[:4]}-{number[4:]}")]
            else:
                pairs = [("z" if identifier.is_cancelled else "y", identifier.value)]
            fields.append(data_field("022", "  ", *pairs))
    return fields


def name_field(contributor: ContributorData) -> Field:
    """100/110/111 for the main entry, 700/710/711 otherwise, with relator term and code."""
    prefix = "1" if contributor.is_main else "7"
    term, code = RELATORS.get(contributor.role, RELATORS["contributor"])
    name = contributor.name.strip()
    if contributor.kind == "organization":
        tag, indicators, relator_code = f"{prefix}10", "2 ", "e"
        qualifier = f"({contributor.dates})" if contributor.dates else ""
    elif contributor.kind == "meeting":
        # Meetings keep $e for a subordinate unit; their relator goes in $j.
        tag, indicators, relator_code = f"{prefix}11", "2 ", "j"
        qualifier = f"({contributor.dates})" if contributor.dates else ""
    else:
        # Surname first ("Toer, Pramoedya Ananta") or forename only ("Pramoedya Ananta Toer").
        tag, indicators, relator_code = f"{prefix}00", ("1 " if "," in name else "0 "), "e"
        qualifier = contributor.dates.strip()
    if not qualifier:
        pairs = [("a", _followed_by(name, ","))]
    elif tag.endswith("00"):
        # "Hirata, Andrea, 1967- author.": an open date takes no comma after its hyphen.
        dates = qualifier if qualifier.endswith("-") else _followed_by(qualifier, ",")
        pairs = [("a", _followed_by(name, ",")), ("d", dates)]
    else:
        # "Kongres Bahasa Indonesia (8th : 2003 : Jakarta), editor."
        pairs = [("a", name), ("d", _followed_by(qualifier, ","))]
    pairs += [(relator_code, ending(term)), ("4", code)]
    return data_field(tag, indicators, *pairs)


def title_field(data: RecordData, *, has_main_entry: bool, nonfiling: int | None = None) -> Field:
    """245 $a $b $c with ISBD punctuation: "Judul : anak judul / pengarang."."""
    title, subtitle, responsibility = data.title, data.subtitle, data.responsibility
    if subtitle:
        title = _followed_by(title, " :")
        subtitle = _followed_by(subtitle, " /") if responsibility else ending(subtitle)
    elif responsibility:
        title = _followed_by(title, " /")
    else:
        title = ending(title)
    if nonfiling is None:
        nonfiling = nonfiling_characters(data.title, data.language)
    indicators = ("1" if has_main_entry else "0") + str(min(nonfiling, 9))
    return data_field(
        "245", indicators, ("a", title), ("b", subtitle), ("c", ending(responsibility))
    )


def nonfiling_characters(title: str, language: str) -> int:
    lowered = title.lower()
    for article in _ARTICLES.get(language, ()):
        if lowered.startswith(article) and len(title) > len(article):
            return len(article)
    return 0


def edition_field(edition: str) -> list[Field]:
    return [data_field("250", "  ", ("a", ending(edition)))] if edition else []


def publication_field(data: RecordData, *, tag: str = "264") -> list[Field]:
    """264 _1 (or 260 when replacing one): "Tempat : Penerbit, 2019."."""
    place, publisher = data.publication_place, data.publisher
    date = str(data.year) if data.year is not None else ""
    if not (place or publisher or date):
        return []
    if place:
        place = _followed_by(place, " :" if publisher else ("," if date else ""))
    if publisher:
        publisher = _followed_by(publisher, ",") if date else ending(publisher)
    indicators = " 1" if tag == "264" else "  "
    return [data_field(tag, indicators, ("a", place), ("b", publisher), ("c", ending(date)))]


def physical_field(description: str) -> list[Field]:
    """300 split at its ISBD marks: "xv, 291 p. : ill. ; 21 cm + 1 CD" -> $a $b $c $e."""
    if not description:
        return []
    main, _plus, accompanying = description.partition(" + ")
    before_dimensions, semicolon, dimensions = main.rpartition(" ; ")
    if not semicolon:
        before_dimensions, dimensions = main, ""
    extent, colon, details = before_dimensions.partition(" : ")
    if not colon:
        details = ""
    after_dimensions = " +" if accompanying else ""
    after_details = " ;" if dimensions else after_dimensions
    after_extent = " :" if details else after_details
    pairs = [
        ("a", _followed_by(extent, after_extent)),
        ("b", _followed_by(details, after_details)),
        ("c", _followed_by(dimensions, after_dimensions)),
        ("e", accompanying),
    ]
    return [data_field("300", "  ", *pairs)]


def series_field(series: str) -> list[Field]:
    """490 0_ (series not traced): "Seri sastra ; no. 12" -> $a "Seri sastra ;" $v "no. 12"."""
    if not series:
        return []
    title, _separator, volume = series.rpartition(" ; ")
    if not title:
        title, volume = series, ""
    return [
        data_field(
            "490", "0 ", ("a", _followed_by(title, " ;") if volume else title), ("v", volume)
        )
    ]


def note_fields(text: str, tag: str = "500") -> list[Field]:
    """One 500 (or 520) per line of the note."""
    return [
        data_field(tag, "  ", ("a", ending(line.strip())))
        for line in text.splitlines()
        if line.strip()
    ]


def subject_field(subject: SubjectData) -> Field:
    """6XX by kind; " -- " subdivisions become $x after the $a of the heading."""
    if subject.kind not in SUBJECT_TAGS:
        # Neither topic, place, name nor genre: an uncontrolled term, kept whole.
        return data_field("653", "  ", ("a", subject.heading))
    tag, first_indicator = SUBJECT_TAGS[subject.kind]
    parts = [part.strip() for part in subject.heading.split(" -- ") if part.strip()]
    if tag == "600" and "," not in parts[0]:
        first_indicator = "0"
    parts[-1] = parts[-1] if _ENDS_HEADING.search(parts[-1]) else parts[-1] + "."
    pairs = [("a", parts[0])] + [("x", part) for part in parts[1:]]
    return data_field(tag, first_indicator + "4", *pairs)


def classification_field(ddc: str) -> list[Field]:
    """082 04: full edition, number assigned by this library (not by LC)."""
    return [data_field("082", "04", ("a", ddc))] if ddc else []


def call_number_field(call_number: str) -> list[Field]:
    """090: the call number the library writes on the spine (nomor panggil)."""
    return [data_field("090", "  ", ("a", call_number))] if call_number else []


def item_field(
    *,
    barcode: str,
    branch_code: str,
    call_number: str = "",
    shelf_location: str = "",
    price: int | None = None,
    acquired_on: datetime.date | None = None,
    not_for_loan: bool = False,
    lost: bool = False,
    damaged: bool = False,
    withdrawn: bool = False,
) -> Field:
    """952 as Koha writes it: $a home and $b holding branch, $c shelving location,
    $d date acquired, $g price, $o call number, $p barcode, and the 0/1 flags
    $0 withdrawn, $1 lost, $4 damaged, $7 not for loan."""
    pairs = [
        ("a", branch_code),
        ("b", branch_code),
        ("c", shelf_location),
        ("d", acquired_on.isoformat() if acquired_on else ""),
        ("g", str(price) if price is not None else ""),
        ("o", call_number),
        ("p", barcode),
        ("0", "1" if withdrawn else ""),
        ("1", "1" if lost else ""),
        ("4", "1" if damaged else ""),
        ("7", "1" if not_for_loan else ""),
    ]
    return data_field("952", "  ", *pairs)
