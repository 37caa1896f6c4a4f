"""A catalogue record as MODS 3.7 and as OAI Dublin Core (``oai_dc``), built with lxml.

Both read the record as the catalogue holds it now (``current_data``), so a
staff edit shows at once. Text goes through ``writers.clean_text`` first:
real records carry control characters that XML 1.0 cannot hold, and lxml
refuses them rather than writing a broken file.
"""

import re

from lxml import etree

from .marc.compose import RELATORS
from .marc.export import current_data, organization_code
from .marc.mapping import strip_punctuation
from .marc.types import RecordData, SubjectData
from .marc.writers import clean_text
from .models import Record

MODS_NAMESPACE = "http://www.loc.gov/mods/v3"
MODS_SCHEMA_LOCATION = "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"
OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA_LOCATION = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"

# MaterialType -> MODS typeOfResource (a closed list; "other" has no term).
TYPE_OF_RESOURCE = {
    "book": "text",
    "serial": "text",
    "ebook": "text",
    "manuscript": "text",
    "map": "cartographic",
    "score": "notated music",
    "audio": "sound recording",
    "video": "moving image",
    "visual": "still image",
    "computer_file": "software, multimedia",
    "kit": "mixed material",
}
# MaterialType -> DCMI Type Vocabulary term for dc:type.
DCMI_TYPE = {
    "book": "Text",
    "serial": "Text",
    "ebook": "Text",
    "manuscript": "Text",
    "map": "Image",
    "score": "Text",
    "audio": "Sound",
    "video": "MovingImage",
    "visual": "StillImage",
    "computer_file": "Software",
    "kit": "Collection",
}
# Contributor.Kind -> MODS name type.
NAME_TYPE = {"person": "personal", "organization": "corporate", "meeting": "conference"}
# Form subdivisions ($v in LCSH) that end many headings: "Indonesia -- History -- Congresses".
FORM_SUBDIVISIONS = frozenset(
    {
        "bibliography",
        "biography",
        "case studies",
        "catalogs",
        "congresses",
        "dictionaries",
        "directories",
        "drama",
        "encyclopedias",
        "exhibitions",
        "fiction",
        "guidebooks",
        "handbooks, manuals, etc",
        "indexes",
        "interviews",
        "juvenile fiction",
        "juvenile literature",
        "maps",
        "periodicals",
        "pictorial works",
        "poetry",
        "sources",
        "statistics",
        "textbooks",
    }
)
# Places that stand alone as subdivisions of headings in Indonesian collections
# ("Research -- Indonesia"), and as qualifiers of smaller places ("Belitung (Indonesia)").
PLACES = frozenset(
    {
        "asia",
        "southeast asia",
        "indonesia",
        "malaysia",
        "singapore",
        "brunei",
        "timor-leste",
        "netherlands",
        "java",
        "sumatra",
        "bali",
        "borneo",
        "kalimantan",
        "sulawesi",
        "papua",
        "maluku",
        "nusa tenggara",
        "jakarta",
    }
)
_QUALIFIED_PLACE = re.compile(r"\(([^()]+)\)$")
# A chronological subdivision: "1945-1965", "20th century", "Japanese occupation, 1942-1945".
_PERIOD = re.compile(r"\b\d{3,4}\b|\bcentury\b", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _described(record: Record | RecordData) -> RecordData:
    return record if isinstance(record, RecordData) else current_data(record)


def _text(value: object) -> str:
    return clean_text(str(value)).strip() if value is not None else ""


def _add(parent: etree._Element, tag: str, text: object = None, **attributes: object):
    """A child element with cleaned text and the non-empty attributes; returns it.

    Without ``text`` the element is a container (``titleInfo``) and always
    added; with text that is empty once cleaned, nothing is added (None).
    """
    cleaned = None if text is None else _text(text)
    if cleaned == "":
        return None
    element = etree.SubElement(
        parent, tag, {key: _text(value) for key, value in attributes.items() if _text(value)}
    )
    element.text = cleaned
    return element


def _lines(text: str) -> list[str]:
    """Lines of a note. Not ``str.splitlines``: that also splits at \\x1c-\\x1e, which
    real MARC leaves inside text."""
    return [line for line in _LINE_BREAK.split(text) if line.strip()]


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ------------------------------------------------------------------------------ MODS


def subject_parts(subject: SubjectData) -> list[tuple[str, str]]:
    """A heading as MODS subject children: (element, text) for each " -- " part.

    The first part follows the subject's kind (a place is ``geographic``, a
    person a ``name``); subdivisions are ``temporal`` when they name a period,
    ``geographic`` for a known place, ``genre`` for a form subdivision
    ("Congresses") and ``topic`` otherwise. The catalogue keeps headings as
    text, so this is a reading of LCSH habits, not of MARC subfield codes.
    """
    parts = [part.strip() for part in subject.heading.split("--") if part.strip()]
    first = {
        "place": "geographic",
        "person": "name",
        "organization": "name",
        "genre": "genre",
    }.get(subject.kind, "topic")
    if first == "topic" and _is_place(parts[0] if parts else ""):
        first = "geographic"
    elements = [(first, parts[0])] if parts else []
    for part in parts[1:]:
        if _PERIOD.search(part):
            elements.append(("temporal", part))
        elif _is_place(part):
            elements.append(("geographic", part))
        elif part.lower().rstrip(".") in FORM_SUBDIVISIONS:
            elements.append(("genre", part))
        else:
            elements.append(("topic", part))
    return elements


def _is_place(text: str) -> bool:
    lowered = text.lower().rstrip(".")
    if lowered in PLACES:
        return True
    qualifier = _QUALIFIED_PLACE.search(lowered)
    return bool(qualifier) and qualifier.group(1).strip() in PLACES


def _mods(tag: str) -> str:
    return f"{{{MODS_NAMESPACE}}}{tag}"


def record_to_mods(record: Record | RecordData, *, url: str = "") -> bytes:
    """The record as one MODS 3.7 ``<mods>`` document (UTF-8 bytes with an XML declaration).

    ``url`` is the record's public page, written in ``location/url`` when given.
    """
    data = _described(record)
    root = etree.Element(_mods("mods"), nsmap={None: MODS_NAMESPACE, "xsi": XSI_NAMESPACE})
    root.set("version", "3.7")
    root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{MODS_NAMESPACE} {MODS_SCHEMA_LOCATION}")

    title_info = _add(root, _mods("titleInfo"))
    _add(title_info, _mods("title"), data.title)
    _add(title_info, _mods("subTitle"), data.subtitle)

    for contributor in data.contributors:
        name = _add(
            root,
            _mods("name"),
            type=NAME_TYPE.get(contributor.kind, "personal"),
            usage="primary" if contributor.is_main else "",
        )
        _add(name, _mods("namePart"), strip_punctuation(contributor.name))
        if contributor.dates:
            _add(name, _mods("namePart"), contributor.dates, type="date")
        term, code = RELATORS.get(contributor.role, RELATORS["contributor"])
        role = _add(name, _mods("role"))
        _add(role, _mods("roleTerm"), term, type="text", authority="marcrelator")
        _add(role, _mods("roleTerm"), code, type="code", authority="marcrelator")

    if resource_type := TYPE_OF_RESOURCE.get(data.material_type):
        _add(
            root,
            _mods("typeOfResource"),
            resource_type,
            manuscript="yes" if data.material_type == "manuscript" else "",
        )

    origin = _add(root, _mods("originInfo"), eventType="publication")
    if data.publication_place:
        place = _add(origin, _mods("place"))
        _add(place, _mods("placeTerm"), data.publication_place, type="text")
    _add(origin, _mods("publisher"), data.publisher)
    if data.year is not None:
        _add(origin, _mods("dateIssued"), data.year, encoding="w3cdtf", keyDate="yes")
    _add(origin, _mods("edition"), data.edition)
    _add(origin, _mods("issuance"), "serial" if data.material_type == "serial" else "monographic")

    if data.language:
        language = _add(root, _mods("language"))
        _add(language, _mods("languageTerm"), data.language, type="code", authority="iso639-2b")

    if data.physical_description:
        physical = _add(root, _mods("physicalDescription"))
        if data.material_type == "ebook":
            _add(physical, _mods("form"), "electronic", authority="marcform")
        _add(physical, _mods("extent"), data.physical_description)

    _add(root, _mods("abstract"), data.summary)
    for line in _lines(data.notes):
        _add(root, _mods("note"), line)

    for subject in data.subjects:
        element = _add(root, _mods("subject"))
        for tag, text in subject_parts(subject):
            if tag == "name":
                name_type = "corporate" if subject.kind == "organization" else "personal"
                name = _add(element, _mods("name"), type=name_type)
                _add(name, _mods("namePart"), text)
            else:
                _add(element, _mods(tag), text)

    _add(root, _mods("classification"), data.ddc, authority="ddc")

    if data.series:
        series = _add(root, _mods("relatedItem"), type="series")
        _add(_add(series, _mods("titleInfo")), _mods("title"), data.series)

    for identifier in data.identifiers:
        usable = identifier.is_valid and not identifier.is_cancelled and identifier.normalized
        value = _identifier_value(identifier.scheme, identifier.normalized) if usable else None
        _add(
            root,
            _mods("identifier"),
            value or identifier.value,
            type=identifier.scheme,
            invalid="" if usable else "yes",
        )

    if url or data.call_number:
        # The schema fixes the order inside location: shelfLocator before url.
        location = _add(root, _mods("location"))
        _add(location, _mods("shelfLocator"), data.call_number)
        _add(location, _mods("url"), url, usage="primary display", access="object in context")

    record_info = _add(root, _mods("recordInfo"))
    _add(record_info, _mods("recordContentSource"), organization_code(), authority="marcorg")
    if isinstance(record, Record):
        if record.created_at:
            _add(
                record_info,
                _mods("recordCreationDate"),
                record.created_at.date().isoformat(),
                encoding="w3cdtf",
            )
        if record.updated_at:
            _add(
                record_info,
                _mods("recordChangeDate"),
                record.updated_at.isoformat(timespec="seconds"),
                encoding="w3cdtf",
            )
    control_number = data.control_number or (
        f"serambi-{record.pk}" if isinstance(record, Record) and record.pk else ""
    )
    _add(
        record_info,
        _mods("recordIdentifier"),
        control_number,
        source=data.control_number_source or organization_code(),
    )
    _add(record_info, _mods("recordOrigin"), "Converted from the Serambi catalogue")
    return _serialise(root)


def _identifier_value(scheme: str, normalized: str) -> str:
    """ISBN-13 digits as they are; an ISSN with its hyphen (0317-8471)."""
    if scheme == "issn" and len(normalized) == 8:
        return f"{normalized[:4]}-{normalized[4:]}"
    return normalized


# -------------------------------------------------------------------------- Dublin Core


def _dc(tag: str) -> str:
    return f"{{{DC_NAMESPACE}}}{tag}"


def record_to_dublin_core(record: Record | RecordData, *, url: str = "") -> bytes:
    """The record as an OAI-PMH ``<oai_dc:dc>`` document (UTF-8 bytes with an XML declaration).

    Authors (and a main entry) are ``dc:creator``, everyone else
    ``dc:contributor``; valid ISBNs and ISSNs are URNs (``urn:isbn:978…``),
    and ``url``, the public page, is an identifier too when given.
    """
    data = _described(record)
    root = etree.Element(
        f"{{{OAI_DC_NAMESPACE}}}dc",
        nsmap={"oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE, "xsi": XSI_NAMESPACE},
    )
    root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA_LOCATION}")

    title = f"{data.title} : {data.subtitle}" if data.subtitle else data.title
    _add(root, _dc("title"), title)
    for contributor in data.contributors:
        tag = "creator" if contributor.role == "author" or contributor.is_main else "contributor"
        name = strip_punctuation(contributor.name)
        name = f"{name}, {contributor.dates}" if contributor.dates else name
        _add(root, _dc(tag), name)
    for subject in data.subjects:
        _add(root, _dc("subject"), subject.heading)
    _add(root, _dc("description"), data.summary)
    for line in _lines(data.notes):
        _add(root, _dc("description"), line)
    _add(root, _dc("publisher"), data.publisher)
    if data.year is not None:
        _add(root, _dc("date"), data.year)
    _add(root, _dc("type"), DCMI_TYPE.get(data.material_type, ""))
    _add(root, _dc("format"), data.physical_description)
    for identifier in data.identifiers:
        if identifier.is_valid and not identifier.is_cancelled and identifier.normalized:
            value = _identifier_value(identifier.scheme, identifier.normalized)
            _add(root, _dc("identifier"), f"urn:{identifier.scheme}:{value}")
    _add(root, _dc("identifier"), url)
    _add(root, _dc("language"), data.language)
    _add(root, _dc("relation"), data.series)
    return _serialise(root)
