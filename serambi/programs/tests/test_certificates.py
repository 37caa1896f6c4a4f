"""Certificates of attendance: only for attendees, with a code anyone can verify, as a real PDF."""

import re
import zlib

import pytest

from serambi.core.errors import DomainError
from serambi.members.tests.factories import MemberFactory
from serambi.programs import policies, selectors, services
from serambi.programs.certificates import certificate_pdf, latin1
from serambi.programs.models import Certificate, Program

from .factories import EventFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(db):
    return ProgramFactory(
        title="Bengkel Penulisan Kreatif",
        category=Program.Category.WORKSHOP,
        gives_certificate=True,
    )


@pytest.fixture
def session(workshop, branch):
    return EventFactory(program=workshop, branch=branch, capacity=5)


def attend(event, member, by):
    registration = services.register(event=event, member=member, by=None)
    return services.check_in(token=registration.token, event=event, by=by)


def test_a_certificate_only_for_attendees_and_it_verifies(session, branch, coordinator):
    came = attend(session, MemberFactory(home_branch=branch, full_name="Ayu Lestari"), coordinator)
    absent = services.register(event=session, member=MemberFactory(home_branch=branch), by=None)

    with pytest.raises(DomainError) as refused:
        services.issue_certificate(registration=absent)
    assert refused.value.code == "programs.not_attended"

    certificate = services.issue_certificate(registration=came, by=coordinator)
    assert services.issue_certificate(registration=came) == certificate  # once per attendee
    assert certificate.name == "Ayu Lestari"
    assert certificate.event_title == "Bengkel Penulisan Kreatif"
    assert len(certificate.code) == 10
    assert set(certificate.code) <= set(policies.CROCKFORD)

    shown = policies.display_code(certificate.code)
    assert selectors.verify_certificate(certificate.code) == certificate
    assert selectors.verify_certificate(f"  {shown.lower()} ") == certificate
    assert selectors.verify_certificate(" ".join(certificate.code)) == certificate
    assert selectors.verify_certificate("ZZZZZZZZZZ") is None
    assert selectors.verify_certificate("") is None


def test_no_certificate_when_the_program_gives_none(event, member, coordinator):
    registration = attend(event, member, coordinator)
    with pytest.raises(DomainError) as refused:
        services.issue_certificate(registration=registration)
    assert refused.value.code == "programs.no_certificates"


def test_closing_an_event_issues_the_attendees_certificates(session, branch, coordinator):
    came = attend(session, MemberFactory(home_branch=branch), coordinator)
    services.register(event=session, member=MemberFactory(home_branch=branch), by=None)
    services.close_event(event=session, by=coordinator, now=session.ends_at)
    assert list(Certificate.objects.values_list("registration", flat=True)) == [came.pk]


def test_guests_get_certificates_too(session, coordinator):
    registration = services.register(
        event=session, by=None, guest_name="Tamu Undangan", guest_email="tamu@contoh.id"
    )
    services.check_in(token=registration.token, event=session, by=coordinator)
    assert services.issue_certificate(registration=registration).name == "Tamu Undangan"


def test_verification_reads_confusable_letters():
    assert policies.clean_certificate_code("ab1-oil-23") == "AB10112" + "3"


def _pdf_text(pdf: bytes) -> bytes:
    """The page content of an fpdf2 PDF, its compressed streams inflated."""
    parts = [pdf]
    # Up to "endstream", the line break before it included: compressed data may
    # itself end in a byte 0x0D, which a pattern for "\r\n" would take away
    # (so the name went missing from one PDF in some hundreds). A decompressor
    # object stops at the end of the zlib data and leaves the line break over.
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_certificate_pdf_is_a_real_pdf_with_the_name_code_and_qr(session, branch, coordinator):
    came = attend(session, MemberFactory(home_branch=branch, full_name="Ayu Lestari"), coordinator)
    certificate = services.issue_certificate(registration=came)
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = _pdf_text(pdf)
    assert b"Ayu Lestari" in text
    assert policies.display_code(certificate.code).encode() in text
    assert b"Bengkel Penulisan Kreatif" in text
    assert b"/Subtype /Image" in pdf  # the QR code


def test_any_name_prints(session, coordinator):
    registration = services.register(
        event=session, by=None, guest_name="Nguyễn Thị Ánh “Ánh” 王小明", guest_phone="081299990000"
    )
    services.check_in(token=registration.token, event=session, by=coordinator)
    certificate = services.issue_certificate(registration=registration)
    pdf = certificate_pdf(certificate, language="en")
    assert pdf.startswith(b"%PDF-")
    assert b"Nguyen Thi \xc1nh" in _pdf_text(pdf)


def test_latin1():
    assert latin1("Nguyễn Thị Ánh") == "Nguyen Thi Ánh"
    assert latin1("“Ayu” – Śrī") == '"Ayu" - Sri'
    assert latin1("王") == "?"
    latin1("😀 Ayu").encode("latin-1")


def test_certificates_for_an_event_go_to_every_attendee_who_has_none(session, branch, coordinator):
    first = attend(session, MemberFactory(home_branch=branch), coordinator)
    second = attend(session, MemberFactory(home_branch=branch), coordinator)
    services.register(event=session, member=MemberFactory(home_branch=branch), by=None)
    already = services.issue_certificate(registration=first, by=coordinator)

    issued = services.issue_certificates(event=session, by=coordinator)

    assert [certificate.registration_id for certificate in issued] == [second.pk]
    assert Certificate.objects.filter(registration__event=session).count() == 2
    assert services.issue_certificates(event=session, by=coordinator) == []
    assert Certificate.objects.get(registration=first) == already


def test_certificates_are_refused_for_a_program_that_gives_none(branch, coordinator):
    talk = EventFactory(program=ProgramFactory(gives_certificate=False), branch=branch)
    with pytest.raises(DomainError) as refused:
        services.issue_certificates(event=talk, by=coordinator)
    assert refused.value.code == "programs.no_certificates"
