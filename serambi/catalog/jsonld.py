"""A record as schema.org JSON-LD, for search engines reading the OPAC's record page."""

import json
import re
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from .citation import direct_name, parse_person_name
from .marc.export import current_data
from .marc.mapping import strip_punctuation
from .marc.types import ContributorData, RecordData
from .models import Record

# MaterialType -> schema.org type; what has no closer type is a CreativeWork.
SCHEMA_TYPES = {
    "book": "Book",
    "ebook": "Book",
    "serial": "Periodical",
    "map": "Map",
    "score": "MusicComposition",
    "audio": "AudioObject",
    "video": "VideoObject",
}
# MARC language code -> BCP 47 tag, for the languages the catalogue holds most.
BCP47_LANGUAGES = {
    "ind": "id",
    "eng": "en",
    "jav": "jv",
    "sun": "su",
    "min": "min",
    "msa": "ms",
    "may": "ms",
    "ara": "ar",
    "nld": "nl",
    "dut": "nl",
}
# Codes that name no language: undetermined, multiple, no linguistic content.
_NO_LANGUAGE = frozenset({"", "und", "mul", "zxx", "|||"})
# Role -> schema.org property; authors are "author", anyone else without one is a "contributor".
ROLE_PROPERTIES = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "illustrator": "illustrator",
}
# "xiv, 529 hlm.", "64 p.", "312 pages", "120 halaman": the first arabic page count.
_PAGES = re.compile(
    r"(?<![\[\d])(\d+)\s*(?:p\b\.?|pp\b\.?|pages?\b|hlm\b\.?|halaman\b|h\b\.)", re.IGNORECASE
)
# Django's json_script escapes these so that JSON cannot close the <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def bcp47_language(code: str) -> str:
    """A MARC language code as a BCP 47 tag ("ind" -> "id"); other codes as they are."""
    code = code.strip().lower()
    if code in _NO_LANGUAGE:
        return ""
    return BCP47_LANGUAGES.get(code, code)


def number_of_pages(physical_description: str) -> int | None:
    """The page count in a physical description ("xiv, 529 hlm. ; 20 cm" -> 529), if any."""
    match = _PAGES.search(physical_description or "")
    return int(match.group(1)) if match else None


def _agent(contributor: ContributorData) -> dict[str, str]:
    if contributor.kind == "person":
        person = parse_person_name(contributor.name)
        agent = {"@type": "Person", "name": person.direct}
        if person.given:
            agent |= {"givenName": person.given, "familyName": person.family}
        return agent
    return {"@type": "Organization", "name": direct_name(contributor.name, kind=contributor.kind)}


def _one_or_many(values: list) -> Any:
    return values[0] if len(values) == 1 else values


def record_json_ld(record: Record | RecordData, *, url: str, image: str = "") -> dict[str, Any]:
    """schema.org description of ``record`` (a Book, Periodical, Map …) as a JSON-LD dict.

    ``url`` is the absolute address of the record's public page, ``image`` the
    absolute address of its cover. Empty values are left out.
    """
    data = record if isinstance(record, RecordData) else current_data(record)
    schema_type = SCHEMA_TYPES.get(data.material_type, "CreativeWork")
    description: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": url,
        "url": url,
        "name": strip_punctuation(data.title) or data.title,
        "alternativeHeadline": strip_punctuation(data.subtitle),
    }
    people: dict[str, list[dict[str, str]]] = {}
    for contributor in data.contributors:
        role = ROLE_PROPERTIES.get(contributor.role)
        if role is None:
            role = "author" if contributor.is_main else "contributor"
        if role == "illustrator" and schema_type != "Book":
            role = "contributor"
        people.setdefault(role, []).append(_agent(contributor))
    description |= {role: _one_or_many(agents) for role, agents in people.items()}
    if data.year is not None:
        description["datePublished"] = str(data.year)
    if data.publisher:
        publisher: dict[str, Any] = {
            "@type": "Organization",
            "name": strip_punctuation(data.publisher),
        }
        if data.publication_place:
            publisher["location"] = strip_punctuation(data.publication_place)
        description["publisher"] = publisher
    description["inLanguage"] = bcp47_language(data.language)
    description["about"] = [{"@type": "Thing", "name": s.heading} for s in data.subjects]
    description["description"] = data.summary
    description["image"] = image
    if schema_type == "Book":
        isbns = [
            identifier.normalized
            for identifier in data.identifiers
            if identifier.scheme == "isbn"
            and identifier.is_valid
            and not identifier.is_cancelled
            and identifier.normalized
        ]
        description["isbn"] = _one_or_many(isbns) if isbns else ""
        description["bookEdition"] = data.edition
        description["numberOfPages"] = number_of_pages(data.physical_description)
        if data.material_type == "ebook":
            description["bookFormat"] = "https://schema.org/EBook"
    elif schema_type == "Periodical":
        issns = [
            f"{i.normalized[:4]}-{i.normalized[4:]}"
            for i in data.identifiers
            if i.scheme == "issn" and i.is_valid and not i.is_cancelled and len(i.normalized) == 8
        ]
        description["issn"] = _one_or_many(issns) if issns else ""
    return {key: value for key, value in description.items() if value not in ("", None, [])}


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">`` element, escaped as Django's
    ``json_script`` does: ``<``, ``>`` and ``&`` become ``\\u003C`` …, so a title holding
    "</script>" cannot end the element early."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308
