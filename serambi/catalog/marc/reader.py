"""Read MARC files one record at a time: ISO 2709 (MARC-8 or UTF-8) and MARCXML.

A damaged record never stops the file. Every record comes out as a
:class:`ReadResult` with its number in the file (1-based) and either a
``pymarc.Record`` or the reason it could not be read, in words a librarian can
act on, with the control number (001) whenever it can still be found.

Reading happens in two steps so that the importer can spread the second one
over several processes: :func:`split_records` only finds where each record
starts and ends (cheap), :func:`decode_record` turns one of them into a
``pymarc.Record`` (the expensive part). :func:`read_marc` does both.

The format is sniffed from the first bytes, never taken from the file name.
ISO 2709 records are found by their end-of-record mark (``0x1D``) rather than
by the length in the leader, so a wrong length costs one warning, not the rest
of the file. The character set follows leader/09 (``a`` UTF-8, blank MARC-8),
with one correction: a record marked MARC-8 whose bytes are valid UTF-8 is
read as UTF-8, a common fault of exports. Every record that comes out holds
Unicode, so its leader/09 is set to ``a``.
"""

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pymarc
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree
from pymarc.exceptions import BadSubfieldCodeWarning, PymarcException
from pymarc.marc8_mapping import CODESETS
from pymarc.record import normalize_subfield_code

ISO2709 = "iso2709"
MARCXML = "marcxml"

MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"

_END_OF_RECORD = 0x1D
_UTF8 = ord("a")  # leader/09
_END_OF_FIELD = 0x1E
_LEADER_LENGTH = 24
_ENTRY_LENGTH = 12
# The longest record ISO 2709 can describe: its length has five digits.
_MAX_RECORD_LENGTH = 99_999
_READ_BLOCK = 1 << 20
# Bytes some exporters put between records (line breaks, block padding).
_PADDING = frozenset(b" \t\r\n\x00")

_VALID_TAG = re.compile(r"[0-9A-Za-z]{3}")
# MARC 21 indicators are a digit, a lowercase letter or a blank.
_INDICATOR_CHARACTERS = "0123456789abcdefghijklmnopqrstuvwxyz "
_VALID_INDICATORS = frozenset(_INDICATOR_CHARACTERS)
_VALID_INDICATOR_BYTES = frozenset(_INDICATOR_CHARACTERS.encode("ascii"))
# A directory entry: a tag of three characters, four digits of length, five of position.
_ENTRY = re.compile(r"(.{3})([0-9]{4})([0-9]{5})")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# A MARC-8 escape sequence that designates a character set (G0 or G1, one or
# three bytes per character), or one of the single-byte shifts to Greek
# symbols, subscripts, superscripts and back to ASCII.
_MARC8_ESCAPE = re.compile(rb"\x1b(?:\$?[(,)\-]|\$)[\x21-\x7e]|\x1b[12348BENQSbgps]")
# Bytes that ANSEL (MARC-8's default G1 set) does not define. C1 controls
# (0x81-0x9F) are left out: pymarc drops them, and NSB/NSE are among them.
_NOT_ANSEL = (frozenset(range(0xA0, 0x100)) - frozenset(CODESETS[0x45])) | {0x80}
_NON_ASCII_CODE = re.compile(rb"\x1f[\x80-\xff]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_UNIMARC_TITLE = "200"
_PYMARC_LOGGER = logging.getLogger("pymarc")


class MarcFileError(Exception):
    """The file as a whole cannot be read as MARC (its records are not even looked at)."""


@dataclass(slots=True)
class RawRecord:
    """One record as found in the file, not decoded yet.

    ``data`` is the ISO 2709 record (leader to end-of-record mark) or the
    serialised MARCXML ``<record>`` element. ``problem`` is set when the
    record is known to be broken before decoding (a file that ends in the
    middle of it, XML that is not well-formed). ``end`` is the byte offset in
    the file after the record, for progress bars.
    """

    number: int
    format: str
    data: bytes
    end: int
    problem: str = ""


@dataclass(slots=True)
class ReadResult:
    """A record read from a file: the record, or why it could not be read."""

    number: int
    record: pymarc.Record | None = None
    control_number: str = ""
    error: str = ""
    # What was wrong but did not stop the record (a repaired directory, an
    # invalid indicator, invalid UTF-8 replaced by U+FFFD …).
    warnings: list[str] = field(default_factory=list)


class _Unreadable(Exception):
    """A record cannot be decoded; the message says why, for the report."""


def read_marc(path: Path | str) -> Iterator[ReadResult]:
    """Every record of the file at ``path``, in order, decoded."""
    for raw in split_records(path):
        yield decode_record(raw)


def sniff_format(head: bytes) -> str:
    """ISO2709 or MARCXML from the first bytes of a file; raise MarcFileError otherwise."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return MARCXML  # UTF-16 with a byte order mark: only XML is written that way
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(bytes(_PADDING))
    if not text:
        return ISO2709  # an empty file: no records, nothing wrong
    if text.startswith(b"<"):
        return MARCXML
    if text[:5].isdigit() or b"\x1d" in text or b"\x1e" in text:
        return ISO2709
    raise MarcFileError(_("The file is not MARC: it is neither ISO 2709 (.mrc) nor MARCXML."))


def split_records(path: Path | str) -> Iterator[RawRecord]:
    """The records of a file, in order, each still undecoded."""
    with open(path, "rb") as stream:
        file_format = sniff_format(stream.read(4096))
        stream.seek(0)
        if file_format == MARCXML:
            yield from _split_marcxml(stream)
        else:
            yield from _split_iso2709(stream)


def decode_record(raw: RawRecord) -> ReadResult:
    """Turn one raw record into a pymarc Record, or say why that is impossible."""
    result = ReadResult(raw.number)
    try:
        if raw.problem:
            raise _Unreadable(raw.problem)
        if raw.format == MARCXML:
            record = _decode_marcxml(raw.data, result.warnings)
        else:
            record = _decode_iso2709(raw.data, result.warnings)
        if not record.fields:
            raise _Unreadable(_("the record has no fields"))
    except _Unreadable as problem:
        result.error = str(problem)
        result.warnings.clear()
        result.control_number = _control_number_of_broken(raw)
        return result
    if record.leader[9] != "a":
        record.leader[9] = "a"  # the record now holds Unicode, whatever the file used
    result.record = record
    result.control_number = _control_number(record)
    return result


def _refuse_unimarc(tags: set[str]) -> None:
    if "245" not in tags and _UNIMARC_TITLE in tags:
        raise _Unreadable(
            _(
                "not MARC 21: the title is in field 200 and there is no 245, as in "
                "UNIMARC; convert the file to MARC 21 first"
            )
        )


# --- ISO 2709 -------------------------------------------------------------------------


def _split_iso2709(stream: BinaryIO) -> Iterator[RawRecord]:
    buffer = b""
    offset = 0  # where buffer[0] lies in the file
    position = 0  # where the next record starts in buffer
    at_end = False
    number = 0
    while True:
        # Keep a whole record's worth of bytes ahead, so that a record is never
        # judged on part of it.
        if not at_end and len(buffer) - position < _MAX_RECORD_LENGTH:
            block = stream.read(_READ_BLOCK)
            buffer = buffer[position:] + block
            offset += position
            position = 0
            at_end = not block
            continue
        while position < len(buffer) and buffer[position] in _PADDING:
            position += 1
        if position >= len(buffer):
            return
        end = buffer.find(b"\x1d", position)
        if end == -1 and not at_end:
            block = stream.read(_READ_BLOCK)
            buffer += block
            at_end = not block
            continue
        number += 1
        if end == -1:
            yield RawRecord(
                number,
                ISO2709,
                buffer[position:],
                offset + len(buffer),
                problem=_("the file ends in the middle of this record (no end-of-record mark)"),
            )
            return
        end = _end_by_declared_length(buffer, position, end)
        yield RawRecord(number, ISO2709, buffer[position : end + 1], offset + end + 1)
        position = end + 1


def _end_by_declared_length(buffer: bytes, start: int, end: int) -> int:
    """Where the record really ends when it holds a stray end-of-record byte.

    The first 0x1D normally ends the record. When the leader says the record
    is longer and its declared last byte is also 0x1D, the earlier one is
    damage inside the record: splitting there would turn one bad record into
    two and shift the numbers of all records after it.
    """
    declared = buffer[start : start + 5]
    if not declared.isdigit():
        return end
    declared_end = start + int(declared) - 1
    if declared_end > end and declared_end < len(buffer) and buffer[declared_end] == _END_OF_RECORD:
        return declared_end
    return end


# A directory entry: tag, length of the field (with its end-of-field mark), position.
_Entry = tuple[str, int, int]


def _read_directory(chunk: bytes) -> tuple[int, list[_Entry]]:
    """The base address of data and the directory entries, or _Unreadable saying what is wrong."""
    if len(chunk) < _LEADER_LENGTH + 2:
        raise _Unreadable(
            _("the record is too short to be MARC (%(length)d bytes)") % {"length": len(chunk)}
        )
    if not chunk[:_LEADER_LENGTH].isascii():
        raise _Unreadable(_("the leader contains bytes that are not ASCII"))
    base_text = chunk[12:17].decode("ascii")
    if not base_text.isdigit():
        raise _Unreadable(
            _("the base address of data in the leader (%(value)r) is not a number")
            % {"value": base_text}
        )
    base = int(base_text)
    if base <= _LEADER_LENGTH:
        raise _Unreadable(
            _("the leader gives no valid base address of data (%(value)s)") % {"value": base_text}
        )
    if base >= len(chunk):
        raise _Unreadable(
            _(
                "the base address of data (%(base)d) lies beyond the end of the record "
                "(%(length)d bytes)"
            )
            % {"base": base, "length": len(chunk)}
        )
    directory = chunk[_LEADER_LENGTH : base - 1]
    if not directory.isascii():
        raise _Unreadable(_("the directory is damaged: it contains bytes that are not ASCII"))
    if len(directory) % _ENTRY_LENGTH:
        raise _Unreadable(
            _("the directory is damaged: its length (%(length)d) is not a multiple of 12")
            % {"length": len(directory)}
        )
    if not directory:
        raise _Unreadable(_("the record has no fields"))
    text = directory.decode("ascii")
    entries = [(tag, int(length), int(offset)) for tag, length, offset in _ENTRY.findall(text)]
    # Entries fill the directory exactly only when every one of them is sound.
    if len(entries) * _ENTRY_LENGTH != len(text):
        bad = next(
            text[start : start + _ENTRY_LENGTH]
            for start in range(0, len(text), _ENTRY_LENGTH)
            if not _ENTRY.fullmatch(text[start : start + _ENTRY_LENGTH])
        )
        raise _Unreadable(
            _("the directory is damaged: the entry %(entry)r is not a tag, length and position")
            % {"entry": bad}
        )
    return base, entries


def _decode_iso2709(chunk: bytes, notes: list[str]) -> pymarc.Record:
    base, entries = _read_directory(chunk)
    _refuse_unimarc({tag for tag, _length, _offset in entries})
    chunk = _with_true_length(chunk, notes)
    chunk, entries = _with_aligned_directory(chunk, base, entries, notes)
    if chunk[9] == _UTF8 and not _NON_ASCII_CODE.search(chunk, base):
        # Most records: UTF-8 as declared, and nothing in them for the checks below.
        record = _decode_sound_utf8(chunk, base, entries)
        if record is not None:
            return record
    noted = len(notes)
    fields_to_mend = _check_data_fields(chunk, base, entries, notes)
    # pymarc logs and warns about the same oddities, without naming the field.
    quiet = fields_to_mend or len(notes) > noted
    coding = chr(chunk[9])
    utf8 = coding == "a"
    if not utf8:
        if coding != " ":
            notes.append(
                _("leader/09 is %(value)r, which MARC 21 does not define; read as MARC-8")
                % {"value": coding}
            )
        if _NON_ASCII.search(chunk) and _is_utf8(chunk):
            utf8 = True
            notes.append(_("leader/09 says MARC-8 but the record is UTF-8; read as UTF-8"))
        else:
            _check_marc8(chunk, base, entries, notes)
    record = _decode_sound_utf8(chunk, base, entries) if utf8 and not quiet else None
    if record is None:
        record = _parse_encoded(chunk, base, entries, utf8=utf8, notes=notes, quiet=quiet)
    if fields_to_mend:
        _mend_fields(record, notes)
    return record


def _decode_sound_utf8(chunk: bytes, base: int, entries: list[_Entry]) -> pymarc.Record | None:
    """The ``pymarc.Record`` that pymarc makes of a sound UTF-8 record, made faster; None if
    the record is not that sound after all (then pymarc reads it).

    Only for records in which ``_check_data_fields`` would find nothing to
    note or mend: it is not run for them, so this returns None on any field
    with an invalid tag, without two valid indicators, or (the caller makes
    sure) with a subfield code that is not ASCII. pymarc
    decodes each subfield on its own and reads leader/09 again for each;
    decoding a whole field at once and splitting it at the subfield
    delimiter, a byte that never occurs inside a UTF-8 sequence, gives the
    same fields in 60 % of the time. The fields are then made without
    ``pymarc.Field``'s constructor (``_data_field``), which took a third of
    what was left. The tests hold the records equal to pymarc's, field types
    included, on real files and on generated ones.
    """
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader(chunk[:_LEADER_LENGTH].decode("ascii"))
    fields = record.fields
    for tag, length, offset in entries:
        start = base + offset
        try:
            text = chunk[start : start + length - 1].decode("utf-8")
        except UnicodeDecodeError:
            return None
        if tag < "010" and tag.isdigit():
            fields.append(_control_field(tag, text))
            continue
        indicators, *subfields = text.split("\x1f")
        if (
            len(indicators) != 2
            or indicators[0] not in _VALID_INDICATORS
            or indicators[1] not in _VALID_INDICATORS
            or not (tag.isalnum() and tag.isascii())
        ):
            return None
        fields.append(
            _data_field(
                tag,
                _new_tuple(pymarc.Indicators, indicators),
                [_new_tuple(pymarc.Subfield, (part[0], part[1:])) for part in subfields if part],
            )
        )
    return record


# pymarc.Field's constructor normalises its tag, checks its subfields' type and
# rebuilds its indicators, a dozen steps for each of a record's twenty-odd
# fields. The two functions below make the same field from parts already in
# the form it keeps them in (a three-character tag, Indicators, a list of
# Subfield), setting the attributes its constructor sets (pymarc 5, whose
# Field has __slots__). test_marc_reader compares them with pymarc's own.
_new_field = object.__new__
_new_tuple = tuple.__new__


def _control_field(tag: str, data: str) -> pymarc.Field:
    field = _new_field(pymarc.Field)
    field.tag = tag
    field.data = data
    field.control_field = True
    field._indicators = None
    field.subfields = []
    return field


def _data_field(
    tag: str, indicators: pymarc.Indicators, subfields: list[pymarc.Subfield]
) -> pymarc.Field:
    field = _new_field(pymarc.Field)
    field.tag = tag
    field.data = None
    field.control_field = False
    field._indicators = indicators
    field.subfields = subfields
    return field


def _parse_encoded(
    chunk: bytes, base: int, entries: list[_Entry], *, utf8: bool, notes: list[str], quiet: bool
) -> pymarc.Record:
    try:
        return _parse(chunk, utf8=utf8, utf8_handling="strict", quiet=quiet)
    except UnicodeDecodeError:
        if not utf8:
            tags = _tags_failing(chunk, base, entries, _decodes_as_marc8)
            raise _Unreadable(
                ngettext(
                    "invalid MARC-8 in field %(tags)s (a broken multibyte character)",
                    "invalid MARC-8 in fields %(tags)s (broken multibyte characters)",
                    len(tags),
                )
                % {"tags": ", ".join(tags)}
            ) from None
    # Invalid UTF-8: keep the record and mark the bytes, which is easier to mend
    # in the catalogue than a record that is missing altogether.
    tags = _tags_failing(chunk, base, entries, _is_utf8)
    try:
        record = _parse(chunk, utf8=True, utf8_handling="replace", quiet=quiet)
    except UnicodeDecodeError:
        # pymarc decodes control fields (001-009) strictly whatever it is told.
        raise _Unreadable(
            ngettext(
                "invalid UTF-8 in field %(tags)s", "invalid UTF-8 in fields %(tags)s", len(tags)
            )
            % {"tags": ", ".join(tags)}
        ) from None
    notes.append(
        ngettext(
            "invalid UTF-8 in field %(tags)s; the bad bytes are shown as \N{REPLACEMENT CHARACTER}",
            "invalid UTF-8 in fields %(tags)s; the bad bytes are shown as "
            "\N{REPLACEMENT CHARACTER}",
            len(tags),
        )
        % {"tags": ", ".join(tags)}
    )
    return record


def _parse(chunk: bytes, *, utf8: bool, utf8_handling: str, quiet: bool) -> pymarc.Record:
    """pymarc's own decoding; ``quiet`` silences its log lines and warnings.

    They would repeat, without saying which field, what the checks before
    this one have noted; the checks also tell when there will be some.
    """
    if quiet:
        _PYMARC_LOGGER.addFilter(_drop)
    try:
        with warnings.catch_warnings() if quiet else contextlib.nullcontext():
            if quiet:
                warnings.simplefilter("ignore", BadSubfieldCodeWarning)
            return pymarc.Record(
                chunk,
                to_unicode=True,
                force_utf8=utf8,
                hide_utf8_warnings=True,
                utf8_handling=utf8_handling,
            )
    except PymarcException as error:
        raise _Unreadable(_("the record is damaged (%(error)s)") % {"error": error}) from None
    finally:
        if quiet:
            _PYMARC_LOGGER.removeFilter(_drop)


def _drop(_log_record: logging.LogRecord) -> bool:
    return False


def _with_true_length(chunk: bytes, notes: list[str]) -> bytes:
    """The record with the length in its leader corrected, when it was wrong."""
    declared = chunk[:5]
    if declared.isdigit() and int(declared) == len(chunk):
        return chunk
    notes.append(
        _("the record length in the leader (%(declared)s) is not its real length (%(length)d)")
        % {"declared": declared.decode("ascii", "replace"), "length": len(chunk)}
    )
    return b"%05d" % len(chunk) + chunk[5:]


def _with_aligned_directory(
    chunk: bytes, base: int, entries: list[_Entry], notes: list[str]
) -> tuple[bytes, list[_Entry]]:
    """The record with directory positions that match its end-of-field marks.

    Exporters that count characters instead of bytes (so that every accented
    letter in UTF-8 shifts what follows) write directories that cut fields in
    the wrong places. When the data holds exactly one end-of-field mark per
    directory entry, the directory is rebuilt from those marks.
    """
    last = len(chunk) - 1  # the end-of-record mark
    for _tag, length, offset in entries:
        end = base + offset + length
        if length == 0 or end > last or chunk[end - 1] != _END_OF_FIELD:
            break
    else:
        return chunk, entries
    pieces = chunk[base:last].split(b"\x1e")
    if pieces[-1] or len(pieces) - 1 != len(entries):
        notes.append(
            _("the directory does not match the fields; some fields may be cut or run together")
        )
        return chunk, entries
    aligned = []
    offset = 0
    for (tag, _length, _offset), piece in zip(entries, pieces, strict=False):
        aligned.append((tag, len(piece) + 1, offset))
        offset += len(piece) + 1
    notes.append(
        _(
            "the directory does not match the fields (positions counted in characters "
            "instead of bytes?); the fields were read by their end-of-field marks"
        )
    )
    directory = b"".join(
        b"%s%04d%05d" % (tag.encode("ascii"), length, offset) for tag, length, offset in aligned
    )
    return chunk[:_LEADER_LENGTH] + directory + chunk[base - 1 :], aligned


def _check_data_fields(chunk: bytes, base: int, entries: list[_Entry], notes: list[str]) -> bool:
    """Note fields without two indicators, and non-ASCII subfield codes.

    Say whether some field has an invalid tag or indicator, which
    ``_mend_fields`` then deals with once pymarc has read the record.
    """
    to_mend = False
    for tag, length, offset in entries:
        if not (tag.isalnum() and tag.isascii()):
            to_mend = True
            continue
        if tag < "010" and tag.isdigit():
            continue  # a control field, as pymarc decides: no indicators, no subfields
        start = base + offset
        end = start + length - 1
        first_subfield = chunk.find(b"\x1f", start, end)
        count = (first_subfield if first_subfield != -1 else end) - start
        if count == 0:
            notes.append(
                _("field %(tag)s has no indicators; they were read as blanks") % {"tag": tag}
            )
        elif count == 1:
            notes.append(
                _("field %(tag)s has one indicator; the second was read as a blank") % {"tag": tag}
            )
        else:
            if count > 2:
                notes.append(
                    _("field %(tag)s has more than two indicators; the extra ones were dropped")
                    % {"tag": tag}
                )
            to_mend = to_mend or not (
                chunk[start] in _VALID_INDICATOR_BYTES
                and chunk[start + 1] in _VALID_INDICATOR_BYTES
            )
    if _NON_ASCII_CODE.search(chunk, base):
        _note_subfield_codes(chunk, base, entries, notes)
    return to_mend


def _note_subfield_codes(chunk: bytes, base: int, entries: list[_Entry], notes: list[str]) -> None:
    """Note subfield codes that are not ASCII ("á", which pymarc reads as $a)."""
    for entry in entries:
        data = _field_data(chunk, base, entry)
        for match in _NON_ASCII_CODE.finditer(data):
            subfield = data[match.start() + 1 :]
            read_as, _length = normalize_subfield_code(subfield)
            notes.append(
                _(
                    "field %(tag)s: the subfield code %(code)r is not a letter or digit; "
                    "read as $%(read)s"
                )
                % {
                    "tag": entry[0],
                    "code": subfield[:4].decode("utf-8", "replace")[0],
                    "read": read_as,
                }
            )


def _check_marc8(chunk: bytes, base: int, entries: list[_Entry], notes: list[str]) -> None:
    """Refuse a MARC-8 record that uses bytes MARC-8 lacks; note broken escape sequences.

    Such bytes mean the record is in another character set (Windows-1251,
    Latin-1 …). ANSEL maps most high bytes to accents, so decoding it anyway
    would turn every non-ASCII letter into a plausible-looking wrong one.
    """
    data = chunk[base:]
    escapes = data.count(b"\x1b")
    valid_escapes = len(_MARC8_ESCAPE.findall(data))
    if escapes > valid_escapes:
        tags = _tags_failing(chunk, base, entries, _has_only_valid_escapes)
        notes.append(
            ngettext(
                "invalid MARC-8 escape sequences in field %(tags)s were ignored",
                "invalid MARC-8 escape sequences in fields %(tags)s were ignored",
                len(tags),
            )
            % {"tags": ", ".join(tags)}
        )
    if valid_escapes or not _NON_ASCII.search(data):
        return  # other scripts are designated: pymarc's tables decide
    if not _is_ansel(data):
        tags = _tags_failing(chunk, base, entries, _is_ansel)
        undefined = sorted({byte for byte in data if byte in _NOT_ANSEL})
        raise _Unreadable(
            ngettext(
                "not valid MARC-8: field %(tags)s holds bytes that MARC-8 does not define "
                "(%(bytes)s); the record is probably in another character set, such as "
                "Windows-1251 or Latin-1; convert the file to UTF-8 and import it again",
                "not valid MARC-8: fields %(tags)s hold bytes that MARC-8 does not define "
                "(%(bytes)s); the record is probably in another character set, such as "
                "Windows-1251 or Latin-1; convert the file to UTF-8 and import it again",
                len(tags),
            )
            % {
                "tags": ", ".join(tags),
                "bytes": " ".join(f"0x{byte:02x}" for byte in undefined[:5]),
            }
        )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_ansel(data: bytes) -> bool:
    return not any(byte in _NOT_ANSEL for byte in data)


def _has_only_valid_escapes(data: bytes) -> bool:
    return data.count(b"\x1b") == len(_MARC8_ESCAPE.findall(data))


def _decodes_as_marc8(data: bytes) -> bool:
    try:
        pymarc.marc8_to_unicode(data, hide_utf8_warnings=True)
    except UnicodeDecodeError:
        return False
    return True


def _tags_failing(chunk: bytes, base: int, entries: list[_Entry], check) -> list[str]:
    """The tags of the fields whose data fails ``check``, once each, in record order."""
    tags: list[str] = []
    for entry in entries:
        if entry[0] not in tags and not check(_field_data(chunk, base, entry)):
            tags.append(entry[0])
    return tags or ["?"]


def _field_data(chunk: bytes, base: int, entry: _Entry) -> bytes:
    """A field's bytes as pymarc takes them: by the directory, without the end-of-field mark."""
    _tag, length, offset = entry
    return chunk[base + offset : base + offset + length - 1]


def _control_number_of_broken(raw: RawRecord) -> str:
    """001 of a record that could not be decoded, when it can still be found; else ""."""
    if raw.format == MARCXML:
        return _control_number_from_xml(raw.data)
    try:
        base, entries = _read_directory(raw.data)
    except _Unreadable:
        return ""
    for entry in entries:
        if entry[0] == "001":
            data = _field_data(raw.data, base, entry).decode("utf-8", "replace")
            return _CONTROL_CHARACTERS.sub("", data).strip()
    return ""


# --- MARCXML --------------------------------------------------------------------------


def _split_marcxml(stream: BinaryIO) -> Iterator[RawRecord]:
    number = 0
    # No DTDs, entities or network: the file may come from anywhere.
    records = etree.iterparse(
        stream,
        events=("end",),
        tag=(f"{{{MARCXML_NAMESPACE}}}record", "record"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
    )
    try:
        for _event, element in records:
            number += 1
            yield RawRecord(number, MARCXML, etree.tostring(element), stream.tell())
            # Forget what has been read, so that a large file streams.
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        yield RawRecord(
            number + 1,
            MARCXML,
            b"",
            stream.tell(),
            problem=_(
                "the XML is not well-formed (line %(line)s: %(error)s); the rest of the file "
                "cannot be read"
            )
            % {"line": error.lineno, "error": error.msg},
        )


_XML_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def _decode_marcxml(data: bytes, notes: list[str]) -> pymarc.Record:
    element = etree.fromstring(data, parser=_XML_PARSER)
    children = [child for child in element if isinstance(child.tag, str)]
    _refuse_unimarc({child.get("tag", "") for child in children})
    leader = next((child.text or "" for child in children if _name(child) == "leader"), None)
    if leader is None:
        raise _Unreadable(_("the record has no leader"))
    if len(leader) != _LEADER_LENGTH:
        raise _Unreadable(
            _("the leader is %(length)d characters long instead of 24") % {"length": len(leader)}
        )
    record = pymarc.Record()
    record.leader = pymarc.Leader(leader)
    for child in children:
        kind = _name(child)
        if kind not in {"controlfield", "datafield"}:
            continue
        tag = child.get("tag", "")
        if not _VALID_TAG.fullmatch(tag):
            # Checked here: pymarc would quietly turn the tag "42" into "042".
            notes.append(
                _("a field with the invalid tag %(tag)r was left out (%(content)s)")
                % {"tag": tag, "content": _shorten(" ".join(child.itertext()))}
            )
        elif kind == "controlfield":
            record.add_field(pymarc.Field(tag=tag, data=child.text or ""))
        else:
            record.add_field(
                pymarc.Field(
                    tag=tag,
                    indicators=pymarc.Indicators(
                        (child.get("ind1") or " ")[:1], (child.get("ind2") or " ")[:1]
                    ),
                    subfields=_xml_subfields(child, tag, notes),
                )
            )
    _mend_fields(record, notes)
    return record


def _xml_subfields(datafield, tag: str, notes: list[str]) -> list[pymarc.Subfield]:
    subfields = []
    for subfield in datafield:
        if not isinstance(subfield.tag, str) or _name(subfield) != "subfield":
            continue
        code = subfield.get("code", "")
        if len(code) != 1:
            notes.append(
                _("field %(tag)s: the subfield code %(code)r is not one character; left out")
                % {"tag": tag, "code": code}
            )
            continue
        subfields.append(pymarc.Subfield(code=code, value=subfield.text or ""))
    return subfields


def _name(element) -> str:
    return etree.QName(element).localname


def _control_number_from_xml(data: bytes) -> str:
    try:
        element = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        return ""
    for child in element:
        if isinstance(child.tag, str) and child.get("tag") == "001":
            return _CONTROL_CHARACTERS.sub("", child.text or "").strip()
    return ""


# --- checks common to both formats -----------------------------------------------------


def _mend_fields(record: pymarc.Record, notes: list[str]) -> None:
    """Drop fields with impossible tags and blank out impossible indicators, noting each."""
    kept = []
    for marc_field in record.fields:
        tag = marc_field.tag
        if not _VALID_TAG.fullmatch(tag):
            notes.append(
                _("a field with the invalid tag %(tag)r was left out (%(content)s)")
                % {"tag": tag, "content": _shorten(_field_text(marc_field))}
            )
            continue
        if not marc_field.is_control_field():
            first, second = marc_field.indicators or (" ", " ")
            if first not in _VALID_INDICATORS or second not in _VALID_INDICATORS:
                notes.append(
                    _("field %(tag)s: invalid indicators %(indicators)r were read as blanks")
                    % {"tag": tag, "indicators": first + second}
                )
                marc_field.indicators = pymarc.Indicators(
                    first if first in _VALID_INDICATORS else " ",
                    second if second in _VALID_INDICATORS else " ",
                )
        kept.append(marc_field)
    record.fields = kept


def _field_text(marc_field: pymarc.Field) -> str:
    if marc_field.is_control_field():
        return marc_field.data or ""
    return " ".join(f"${code} {value}" for code, value in marc_field.subfields)


def _shorten(text: str, length: int = 60) -> str:
    text = " ".join(_CONTROL_CHARACTERS.sub(" ", text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _control_number(record: pymarc.Record) -> str:
    control = record.get("001")
    if control is None or not control.is_control_field():
        return ""
    return _CONTROL_CHARACTERS.sub("", control.data or "").strip()
