"""The OPAC's record page and its downloads: open to everyone, no sign-in."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import selectors
from .citation import apa_citation, apa_citation_html, direct_name
from .crosswalks import record_to_dublin_core, record_to_mods
from .jsonld import json_ld_script, record_json_ld
from .marc.export import current_data, write_records
from .marc.mapping import strip_punctuation
from .marc.types import RecordData
from .models import Record, RecordContributor

# Where the search page lives until its URL name resolves (the search app is being built).
SEARCH_FALLBACK_URL = "/cari/"


def _marc(record: Record, *, url: str) -> bytes:
    out = io.BytesIO()
    if not write_records([record], out, fmt="marc"):
        # Too long for ISO 2709 (99,999 bytes); MARCXML has no such limit.
        raise Http404("This record is too long for ISO 2709; download MARCXML instead.")
    return out.getvalue()


def _marcxml(record: Record, *, url: str) -> bytes:
    out = io.BytesIO()
    write_records([record], out, fmt="marcxml")
    return out.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    label: str | Promise
    content_type: str
    extension: str
    render: Callable[..., bytes]  # (record, *, url) -> the file


# MARC goes through the catalogue's exporter, so staff edits are laid over the original.
EXPORT_FORMATS = {
    "marc": ExportFormat(_("MARC 21 (ISO 2709)"), "application/marc", "mrc", _marc),
    "marcxml": ExportFormat(_("MARCXML"), "application/marcxml+xml", "marcxml.xml", _marcxml),
    "mods": ExportFormat(_("MODS"), "application/mods+xml", "mods.xml", record_to_mods),
    "dc": ExportFormat(_("Dublin Core"), "application/xml", "dc.xml", record_to_dublin_core),
}


def search_url() -> str:
    try:
        return reverse("search:results")
    except NoReverseMatch:
        return SEARCH_FALLBACK_URL


def subject_search_url(heading: str) -> str:
    """A search for the records under one subject heading: /cari/?q=subjek:"Heading"."""
    # The search syntax has no escape for a quote inside a phrase; headings rarely hold one.
    phrase = " ".join(heading.replace('"', " ").split())
    query = urlencode({"q": 'subjek:"' + phrase + '"'})
    return f"{search_url()}?{query}"


def _authors(data: RecordData) -> list[str]:
    """Authors (and a main entry) in reading order, for link previews."""
    return [
        direct_name(c.name, kind=c.kind)
        for c in data.contributors
        if c.role == "author" or c.is_main
    ]


def _contributors(data: RecordData) -> list[tuple[str, str, str]]:
    """(name as catalogued without MARC's closing comma, dates, role label) for the page."""
    roles = dict(RecordContributor.Role.choices)
    return [
        (strip_punctuation(c.name), c.dates, str(roles.get(c.role, c.role)))
        for c in data.contributors
    ]


def _byline(authors: list[str], data: RecordData) -> str:
    """Authors · year · publisher, as link previews show a book."""
    parts = (", ".join(authors), data.year, strip_punctuation(data.publisher))
    return " · ".join(str(part) for part in parts if part)


def _isbns(data: RecordData) -> list[str]:
    return [
        i.normalized
        for i in data.identifiers
        if i.scheme == "isbn" and i.is_valid and not i.is_cancelled and i.normalized
    ]


@require_safe
def record(request, pk: int):
    record = selectors.public_record(pk)
    url = request.build_absolute_uri(reverse("opac:record", args=[record.pk]))
    cover = request.build_absolute_uri(record.cover.url) if record.cover else ""
    data = current_data(record)
    holdings = selectors.record_holdings(record)
    authors = _authors(data)
    return render(
        request,
        "catalog/public/record.html",
        {
            "record": record,
            "holdings": holdings,
            "availability": selectors.availability_summary([h.availability for h in holdings]),
            "contributors": _contributors(data),
            "subjects": [(s.heading, subject_search_url(s.heading)) for s in data.subjects],
            "citation": apa_citation(data),
            "citation_html": apa_citation_html(data),
            "json_ld": json_ld_script(record_json_ld(data, url=url, image=cover)),
            "canonical_url": url,
            "cover_url": cover,
            "byline": _byline(authors, data),
            "authors": authors,
            "isbns": _isbns(data),
            "search_url": search_url(),
            "exports": [
                (fmt, export, reverse("opac:record_export", args=[record.pk, fmt]))
                for fmt, export in EXPORT_FORMATS.items()
            ],
        },
    )


@require_safe
def record_export(request, pk: int, fmt: str):
    export = EXPORT_FORMATS.get(fmt)
    if export is None:
        raise Http404("No such format.")
    record = selectors.public_record(pk)
    url = request.build_absolute_uri(reverse("opac:record", args=[record.pk]))
    response = HttpResponse(export.render(record, url=url), content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"serambi-{record.pk}.{export.extension}"
    )
    return response
