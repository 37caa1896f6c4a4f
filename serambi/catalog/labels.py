"""Spine and barcode labels: what is printed on each, and the Code 128 barcode as inline SVG."""

from dataclasses import dataclass

import barcode
from barcode.errors import BarcodeError
from barcode.writer import SVGWriter
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from .models import Item

# Sizes in millimetres. A 0.25 mm module reads well with the cheap CCD
# scanners branch desks use, and a ten-character barcode still fits a
# 60 mm label; the quiet zone is the ten modules Code 128 asks for.
BARCODE_OPTIONS = {
    "module_width": 0.25,
    "module_height": 12.0,
    "quiet_zone": 2.5,
    "write_text": False,  # the page prints the text itself, larger and selectable
}
SHORT_TITLE_LENGTH = 40

_SVG_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
)


@dataclass(frozen=True)
class Label:
    """Everything printed for one item: a spine label and a barcode label."""

    item: Item
    spine_lines: list[str]
    branch_code: str
    barcode: str
    barcode_svg: SafeString | str
    short_title: str


def spine_lines(call_number: str) -> list[str]:
    """A call number split over the lines of a spine label: "959.8 PRA b" → 959.8 / PRA / b."""
    return (call_number or "").split()


def short_title(title: str, length: int = SHORT_TITLE_LENGTH) -> str:
    """The title cut at a word boundary to fit a label, with an ellipsis when cut."""
    title = " ".join((title or "").split())
    if len(title) <= length:
        return title
    cut = title[: length - 1].rsplit(" ", 1)[0] or title[: length - 1]
    return f"{cut.rstrip(' :;,./')}…"


def barcode_svg(value: str) -> SafeString | str:
    """The Code 128 barcode of ``value`` as an inline <svg>, or "" if Code 128 cannot hold it.

    python-barcode draws the bars; the result is re-serialised without the XML
    prolog, comments and ids, so many can sit in one HTML page.
    """
    if not value:
        return ""
    try:
        rendered = barcode.Code128(value, writer=SVGWriter()).render(writer_options=BARCODE_OPTIONS)
    except BarcodeError:
        return ""
    svg = etree.fromstring(rendered, parser=_SVG_PARSER)
    for element in svg.iter():
        element.attrib.pop("id", None)
    svg.set("class", "barcode")
    svg.set("aria-hidden", "true")  # the barcode text is printed beside it
    svg.set("focusable", "false")
    markup = etree.tostring(svg, encoding="unicode")
    # Built by python-barcode from the item's barcode and escaped by lxml: no markup from people.
    return mark_safe(markup)  # noqa: S308


def label_for(item: Item) -> Label:
    """The label of an item; its call number falls back to the record's, then to the DDC."""
    call_number = item.call_number or item.record.call_number or item.record.ddc
    return Label(
        item=item,
        spine_lines=spine_lines(call_number),
        branch_code=item.branch.code.upper(),
        barcode=item.barcode,
        barcode_svg=barcode_svg(item.barcode),
        short_title=short_title(item.record.title),
    )


def labels_for(items: list[Item]) -> list[Label]:
    return [label_for(item) for item in items]
