"""The member card's machine-readable parts: Code 128 and QR code of the card number, as SVG.

Code 128 comes from the catalogue's label helper so cards and item labels
print with the same, scanner-tested settings; here it only gains a viewBox
so that a phone screen can show it larger than its printed size.
"""

import io

import segno
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from serambi.catalog.labels import barcode_svg

_SVG_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_LENGTHS = ("x", "y", "width", "height")


def _millimetres(value: str) -> str:
    return value[:-2] if value.endswith("mm") else value


def code128_svg(text: str) -> SafeString | str:
    """The Code 128 barcode of ``text`` as a scalable inline <svg>, or "" if it cannot be drawn.

    The drawing keeps its printed size (width and height in mm) and gains a
    viewBox in the same millimetres, so CSS may stretch it on a screen.
    """
    markup = barcode_svg(text)
    if not markup:
        return ""
    svg = etree.fromstring(str(markup), parser=_SVG_PARSER)
    width, height = _millimetres(svg.get("width", "")), _millimetres(svg.get("height", ""))
    for element in svg.iter("{http://www.w3.org/2000/svg}rect"):
        for name in _LENGTHS:
            value = element.get(name)
            if value and value.endswith("mm"):
                element.set(name, _millimetres(value))
    svg.set("viewBox", f"0 0 {width} {height}")
    svg.set("preserveAspectRatio", "none")
    # Built by python-barcode from the card number and re-serialised by lxml.
    return mark_safe(etree.tostring(svg, encoding="unicode"))  # noqa: S308


def qr_svg(text: str, *, scale: int = 6) -> SafeString | str:
    """A regular (never Micro) QR code of ``text`` as an inline <svg>, or "" for no text.

    Micro QR would be smaller, but many phone and desk scanners do not read
    it. The light modules are painted white so the code reads on a dark screen.
    """
    if not text:
        return ""
    code = segno.make_qr(text, error="m")
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    markup = out.getvalue().decode("ascii")
    markup = markup.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # Drawn by segno from the card number: no markup from people.
    return mark_safe(markup)  # noqa: S308
