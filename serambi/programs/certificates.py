"""The certificate of attendance as a PDF: A4 landscape, with a code and a QR code to verify it.

fpdf2's built-in fonts cover Latin-1 only; :func:`latin1` turns any name
into text they can print (accents kept where Latin-1 has them, other letters
by their base letter), so no name ever breaks the PDF.
"""

import io
import unicodedata

import segno
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from . import policies
from .models import Certificate
from .notices import absolute_url

# Typography that is not in Latin-1, and what to print instead.
_REPLACEMENTS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "•": "-",
        "\u00a0": " ",
    }
)


def latin1(text: str) -> str:
    """``text`` printable with a Latin-1 font: "Nguyễn Thị Ánh" → "Nguyen Thi Ánh"."""
    out = []
    for char in (text or "").translate(_REPLACEMENTS):
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            try:
                out.append(base.encode("latin-1").decode("latin-1"))
            except UnicodeEncodeError:
                out.append("?")
        else:
            out.append(char)
    return "".join(out)


def verification_url(certificate: Certificate) -> str:
    try:
        return absolute_url(reverse("programs:verify", args=[certificate.code]))
    except NoReverseMatch:
        return ""


def _qr_png(text: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(certificate: Certificate, *, language: str | None = None) -> bytes:
    """The PDF of ``certificate`` in ``language`` (the library's language by default)."""
    with translation.override(language or settings.LANGUAGE_CODE or "id"):
        return _render(certificate)


def _render(certificate: Certificate) -> bytes:
    library = getattr(settings, "LIBRARY_NAME", "")
    url = verification_url(certificate)
    code = policies.display_code(certificate.code)

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(latin1(_("Certificate") + " " + code))
    pdf.set_author(latin1(library))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    width = pdf.w - 40

    # A double frame.
    pdf.set_draw_color(40, 70, 110)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    pdf.set_text_color(40, 70, 110)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 24)
    pdf.cell(width, 8, latin1(library.upper()), align="C")

    pdf.set_font("Helvetica", "B", 40)
    pdf.set_xy(20, 42)
    pdf.cell(width, 18, latin1(_("Certificate").upper()), align="C")

    pdf.set_text_color(30, 30, 30)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_xy(20, 68)
    pdf.cell(width, 8, latin1(_("This certifies that")), align="C")

    pdf.set_font("Helvetica", "B", 28)
    pdf.set_xy(20, 80)
    pdf.multi_cell(width, 13, latin1(certificate.name), align="C")

    pdf.set_font("Helvetica", "", 14)
    pdf.set_x(20)
    pdf.cell(width, 10, latin1(_("attended")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(width, 9, latin1(certificate.event_title), align="C")
    pdf.set_font("Helvetica", "", 14)
    pdf.set_x(20)
    pdf.cell(
        width,
        9,
        latin1(_("on %(date)s") % {"date": date_format(certificate.event_date, "j F Y")}),
        align="C",
    )

    # Verification: the code, the address and a QR code of the address.
    qr_size = 32
    bottom = pdf.h - 20 - qr_size
    if url:
        pdf.image(_qr_png(url), x=pdf.w - 20 - qr_size, y=bottom, w=qr_size, h=qr_size)
    pdf.set_font("Helvetica", "", 10)
    pdf.set_text_color(70, 70, 70)
    pdf.set_xy(20, bottom + 6)
    pdf.cell(0, 6, latin1(_("Verification code: %(code)s") % {"code": code}))
    if url:
        pdf.set_xy(20, bottom + 13)
        pdf.cell(0, 6, latin1(_("Check this certificate at %(url)s") % {"url": url}))
    pdf.set_xy(20, bottom + 20)
    pdf.cell(
        0,
        6,
        latin1(
            _("Issued on %(date)s")
            % {"date": date_format(timezone.localtime(certificate.issued_at), "j F Y")}
        ),
    )
    return bytes(pdf.output())
