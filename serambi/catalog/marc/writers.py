"""Writing MARC records: ISO 2709 and MARCXML that are always well formed.

Real catalogue data carries characters that break both formats: a ``\x1f``
inside 001 splits a field in ISO 2709 and makes XML ill-formed; indicators
and subfield codes outside MARC's sets fail the MARCXML schema. ``sanitize``
returns a copy free of them; the writers assume a sanitised record.
"""

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import pymarc
from lxml import etree

logger = logging.getLogger(__name__)

MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"
# Control fields whose meaning is in character positions.
POSITIONAL_TAGS = frozenset({"006", "007", "008"})
# ISO 2709 directory entries hold a field length in 4 digits and a record length in 5.
MAX_FIELD_BYTES = 9999
MAX_RECORD_BYTES = 99999

# Characters XML 1.0 cannot hold, the ISO 2709 delimiters (\x1d \x1e \x1f), the other
# C0 controls, DEL and the C1 controls: none of them carries meaning in UTF-8 MARC.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Tabs and line breaks are legal XML but not MARC: they become spaces, keeping 008 positions.
_LINE_BREAKS = re.compile("[\t\n\r]")
# Patterns of MARC21slim.xsd.
_CONTROL_TAG = re.compile(r"00[1-9A-Za-z]")
_DATA_TAG = re.compile(
    r"0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|[1-9a-z][0-9a-z]{2}"
)
_INDICATOR = re.compile(r"[0-9a-z ]")
_SUBFIELD_CODE = re.compile(r"[0-9A-Za-z!\"#$%&'()*+,\-./:;<=>?{}_^`~\[\]\\]")
_ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Leader positions 00-19 as the schema allows them, with the value that repairs one.
_LEADER_RULES = (
    *[("0123456789 ", "0")] * 5,  # 00-04 record length
    (_ALPHANUMERIC + " ", "n"),  # 05 record status
    (_ALPHANUMERIC, "a"),  # 06 type of record
    *[(_ALPHANUMERIC + " ", " ")] * 3,  # 07-09 level, control, coding scheme
    ("2", "2"),  # 10 indicator count
    ("2", "2"),  # 11 subfield code length
    *[("0123456789 ", "0")] * 5,  # 12-16 base address of data
    *[(_ALPHANUMERIC + " ", " ")] * 3,  # 17-19 encoding level, form, resource level
)


def clean_text(text: str | None, *, positional: bool = False) -> str:
    """``text`` without unwritable characters. In positional data (the leader, 006,
    007, 008) each becomes a blank instead, so the positions after it keep their
    meaning."""
    return _UNWRITABLE.sub(" " if positional else "", _LINE_BREAKS.sub(" ", text or ""))


def _clean_leader(text: str) -> str:
    value = clean_text(text, positional=True).ljust(24)[:24]
    repaired = [
        char if char in allowed else default
        for char, (allowed, default) in zip(value[:20], _LEADER_RULES, strict=True)
    ]
    repaired[9] = "a"  # we write UTF-8
    return "".join(repaired) + "4500"


def sanitize(marc: pymarc.Record) -> pymarc.Record:
    """A copy of ``marc`` that ISO 2709 and MARCXML can both hold.

    Control characters go from the leader, control fields and subfields;
    leader 09 says UTF-8; an indicator outside [0-9a-z ] becomes blank (or
    its lower case); a subfield whose code MARC cannot carry, a field whose
    tag it cannot carry and a data field left without subfields are dropped,
    with a warning naming the record.
    """
    clean = pymarc.Record(leader=_clean_leader(str(marc.leader)))
    number = clean_text(marc["001"].data).strip() if marc.get_fields("001") else ""
    for field in marc.fields:
        if field.is_control_field():
            if _CONTROL_TAG.fullmatch(field.tag or ""):
                positional = field.tag in POSITIONAL_TAGS
                data = clean_text(field.data, positional=positional)
                clean.add_field(pymarc.Field(tag=field.tag, data=data))
            else:
                logger.warning("Record %s: field with tag %r left out", number, field.tag)
            continue
        if not _DATA_TAG.fullmatch(field.tag or ""):
            logger.warning("Record %s: field with tag %r left out", number, field.tag)
            continue
        subfields = []
        for subfield in field.subfields:
            if _SUBFIELD_CODE.fullmatch(subfield.code or ""):
                subfields.append(pymarc.Subfield(subfield.code, clean_text(subfield.value)))
            else:
                logger.warning(
                    "Record %s: subfield code %r in %s left out", number, subfield.code, field.tag
                )
        if not subfields:
            continue
        indicators = pymarc.Indicators(
            _clean_indicator(field.indicator1), _clean_indicator(field.indicator2)
        )
        clean.add_field(pymarc.Field(tag=field.tag, indicators=indicators, subfields=subfields))
    return clean


def _clean_indicator(value: str | None) -> str:
    value = (value or " ")[:1]
    if _INDICATOR.fullmatch(value):
        return value
    return value.lower() if _INDICATOR.fullmatch(value.lower()) else " "


def to_iso2709(marc: pymarc.Record) -> bytes | None:
    """The record in ISO 2709, without fields too long for it; None when it cannot fit."""
    number = marc["001"].data if marc.get_fields("001") else ""
    for field in list(marc.fields):
        if len(field.as_marc("utf-8")) > MAX_FIELD_BYTES:
            logger.warning(
                "Record %s: field %s longer than ISO 2709 allows, left out", number, field.tag
            )
            marc.remove_field(field)
    data = marc.as_marc()
    if len(data) > MAX_RECORD_BYTES:
        logger.warning("Record %s is longer than ISO 2709 allows; not written", number)
        return None
    return data


@contextmanager
def marcxml_collection(out: BinaryIO) -> Iterator[Callable[[pymarc.Record], None]]:
    """Write a MARCXML ``<collection>`` to ``out`` incrementally.

    Yields a function that writes one sanitised record into the collection, so
    a whole catalogue streams through without being held in memory.
    """
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    with etree.xmlfile(out, encoding="UTF-8") as writer:
        collection = f"{{{MARCXML_NAMESPACE}}}collection"
        with writer.element(collection, nsmap={None: MARCXML_NAMESPACE}):

            def write(marc: pymarc.Record) -> None:
                writer.write("\n  ")
                _write_record(writer, marc)

            yield write
            writer.write("\n")
    out.write(b"\n")


def _write_record(writer, marc: pymarc.Record) -> None:
    def element(name: str, attributes: dict | None = None):
        return writer.element(f"{{{MARCXML_NAMESPACE}}}{name}", attributes or {})

    with element("record"):
        writer.write("\n    ")
        with element("leader"):
            writer.write(str(marc.leader))
        for field in marc.fields:
            writer.write("\n    ")
            if field.is_control_field():
                with element("controlfield", {"tag": field.tag}):
                    writer.write(field.data)
                continue
            attributes = {"tag": field.tag, "ind1": field.indicator1, "ind2": field.indicator2}
            with element("datafield", attributes):
                for subfield in field.subfields:
                    writer.write("\n      ")
                    with element("subfield", {"code": subfield.code}):
                        writer.write(subfield.value)
                writer.write("\n    ")
        writer.write("\n  ")
