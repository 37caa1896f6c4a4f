"""The reader's own decoding of sound UTF-8 records gives what pymarc's decoding gives.

``reader._decode_sound_utf8`` stands in for ``pymarc.Record(data)`` on most
records because it is faster; every record read through it must come out
exactly as pymarc would have read it, warnings and errors included.
"""

from io import BytesIO
from unittest import mock

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from serambi.catalog.marc import reader
from serambi.catalog.tests.test_import import LOC_INDONESIAN, MALFORMED, SHARED_MARC

LOC_SAMPLE = SHARED_MARC / "loc-sample-5000.mrc"


def as_read(result: reader.ReadResult) -> tuple:
    """Everything a read result says, pymarc objects as plain values."""
    record = result.record
    fields = None
    if record is not None:
        fields = (
            str(record.leader),
            [(f.tag, f.data, f.indicators, f.subfields) for f in record.fields],
            # What equality of plain tuples would not tell: the same classes, the same
            # kind of field, the same record written out again.
            [
                (type(f), f.is_control_field(), type(f.indicators), {type(s) for s in f.subfields})
                for f in record.fields
            ],
            record.as_marc(),
        )
    return result.number, result.control_number, result.error, result.warnings, fields


def read_both_ways(raw: reader.RawRecord) -> tuple[tuple, tuple]:
    """The record read as the importer reads it, and read by pymarc alone."""
    fast = as_read(reader.decode_record(raw))
    with mock.patch.object(reader, "_decode_sound_utf8", return_value=None):
        plain = as_read(reader.decode_record(raw))
    return fast, plain


def written_and_read_both_ways(fields: list[Field]) -> tuple[tuple, tuple]:
    """A record of these fields, written out by pymarc, then read both ways."""
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    record.add_field(*fields)
    (raw,) = reader._split_iso2709(BytesIO(record.as_marc()))
    return read_both_ways(raw)


@pytest.mark.parametrize(
    "path",
    [
        LOC_INDONESIAN,
        LOC_SAMPLE,
        *sorted(path for path in MALFORMED.glob("*") if path.name != "PYMARC_LICENSE"),
    ]
    if MALFORMED.is_dir()
    else [],
    ids=lambda path: path.name,
)
def test_real_files_read_as_pymarc_reads_them(path):
    raws = list(reader.split_records(path))
    assert raws
    used = 0
    with mock.patch.object(reader, "_decode_sound_utf8", wraps=reader._decode_sound_utf8) as sound:
        for raw in raws:
            fast, plain = read_both_ways(raw)
            assert fast == plain, f"record {raw.number} of {path.name}"
        used = sound.call_count
    if path in (LOC_INDONESIAN, LOC_SAMPLE):
        # Most records of a clean file take the faster way.
        assert used > len(raws) * 0.9


_TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x1d\x1e\x1f"), max_size=40
)
_SUBFIELD = st.builds(Subfield, st.sampled_from("abcdefghxyz0123456789"), _TEXT)
_INDICATOR = st.sampled_from(" 0123456789abc")
_DATA_FIELD = st.builds(
    lambda tag, first, second, subfields: Field(tag, Indicators(first, second), subfields),
    st.sampled_from(["020", "100", "245", "260", "500", "650", "700", "852", "CAT"]),
    _INDICATOR,
    _INDICATOR,
    st.lists(_SUBFIELD, min_size=1, max_size=6),
)
_CONTROL_FIELD = st.builds(
    lambda tag, data: Field(tag=tag, data=data),
    st.sampled_from(["001", "003", "005", "008"]),
    _TEXT,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_CONTROL_FIELD, _DATA_FIELD), min_size=1, max_size=12))
def test_any_utf8_record_reads_as_pymarc_reads_it(fields):
    fast, plain = written_and_read_both_ways(fields)
    assert fast == plain
    assert fast[2] == ""  # read, not refused
    assert fast[4][1] == [(f.tag, f.data, f.indicators, f.subfields) for f in fields]


_ODD_DATA_FIELD = st.builds(
    lambda tag, first, second, subfields: Field(tag, Indicators(first, second), subfields),
    st.sampled_from(["245", "650", "C@T", "1 0", "9é9"]),
    st.sampled_from(" 0aZ#\u00e9"),
    st.sampled_from(" 1bz|"),
    st.lists(
        st.builds(Subfield, st.sampled_from(["a", "b", "\u00e1", "!", " "]), _TEXT),
        min_size=1,
        max_size=4,
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_CONTROL_FIELD, _DATA_FIELD, _ODD_DATA_FIELD), min_size=1, max_size=8))
def test_records_with_odd_tags_indicators_and_codes_read_as_pymarc_reads_them(fields):
    """Invalid tags and indicators and non-ASCII subfield codes, which the faster way
    must leave to the checks and to pymarc, come out as pymarc and the checks make them."""
    fast, plain = written_and_read_both_ways(fields)
    assert fast == plain


def test_invalid_utf8_is_left_to_pymarc():
    record = pymarc.Record(force_utf8=True)
    record.add_field(Field("245", Indicators("1", "0"), [Subfield("a", "Sejarah")]))
    data = record.as_marc().replace(b"Sejarah", b"Sej\xffrah")
    (raw,) = reader._split_iso2709(BytesIO(data))
    fast, plain = read_both_ways(raw)
    assert fast == plain
    assert "invalid UTF-8" in " ".join(fast[3])
