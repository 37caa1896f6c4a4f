"""The MARC importer: damaged files, matching, batches and interruptions, items, the CLI.

Small files are built here with pymarc; the damaged ones are pymarc's own test
files in ``../shared/data/marc/malformed`` and the real catalogue is the
Library of Congress file beside them (see ``../shared/data/README.md``).
"""

import json
import marshal
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from io import StringIO
from pathlib import Path
from unittest import mock

import pymarc
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from pymarc import Field, Indicators, Subfield

from serambi.catalog.marc import batches, reader
from serambi.catalog.marc.importer import ERROR, WARNING, import_marc
from serambi.catalog.marc.mapping import marc_hash, marc_to_dict
from serambi.catalog.marc.prepare import marc_json_and_hash
from serambi.catalog.marc.writer import BatchWriter
from serambi.catalog.models import (
    Contributor,
    Identifier,
    ImportRun,
    Item,
    Record,
    RecordContributor,
    RecordSubject,
    Subject,
)
from serambi.catalog.tests.factories import BranchFactory, ItemFactory
from serambi.core.errors import DomainError
from serambi.core.models import AuditEntry

PROJECT = Path(__file__).resolve().parents[3]
SHARED_MARC = PROJECT.parent / "shared" / "data" / "marc"
MALFORMED = SHARED_MARC / "malformed"
LOC_INDONESIAN = SHARED_MARC / "loc-indonesian.mrc"
LOC_RECORDS = 2828
# The files of ../shared/data: beside the project in development and CI, absent
# from a clone on its own, where the tests that read them are skipped.
needs_shared_data = pytest.mark.skipif(
    not MALFORMED.is_dir() or not LOC_INDONESIAN.is_file(),
    reason="reads ../shared/data/marc, which is not beside this checkout",
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages asserted below are the English source strings."""
    with translation.override("en"):
        yield


# --- building MARC files ---------------------------------------------------------------


def book(
    number: str | None = "0001",
    *,
    source: str = "JKPN",
    title: str = "Sejarah Jawa Barat",
    isbn: str | None = None,
    author: str = "Toer, Pramoedya Ananta,",
    subjects: tuple[str, ...] = ("Sejarah",),
    copies: tuple[tuple[str, str], ...] = (),
) -> pymarc.Record:
    """A small MARC 21 book record; ``copies`` are 952 holdings as (branch code, barcode)."""
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 a 4500")
    if number is not None:
        record.add_field(Field(tag="001", data=number), Field(tag="003", data=source))
    record.add_field(Field(tag="008", data="200101s2019    io            000 0 ind d"))
    if isbn:
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    record.add_field(
        Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]),
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[Subfield("a", title), Subfield("c", "Tim Penyusun.")],
        ),
        Field(
            tag="260",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", "Bandung :"),
                Subfield("b", "Pustaka Jaya,"),
                Subfield("c", "2019."),
            ],
        ),
        Field(
            tag="090",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", "959.82"), Subfield("b", "SEJ")],
        ),
    )
    for heading in subjects:
        record.add_field(
            Field(tag="650", indicators=Indicators(" ", "4"), subfields=[Subfield("a", heading)])
        )
    for branch_code, barcode in copies:
        record.add_field(
            Field(
                tag="952",
                indicators=Indicators(" ", " "),
                subfields=[
                    Subfield("a", branch_code),
                    Subfield("b", branch_code),
                    Subfield("p", barcode),
                    Subfield("o", "959.82 SEJ s"),
                    Subfield("g", "85000"),
                ],
            )
        )
    return record


def write_marc(path: Path, *records: pymarc.Record) -> Path:
    path.write_bytes(b"".join(record.as_marc() for record in records))
    return path


def problems_of(report, severity=None) -> list[tuple[int | None, str]]:
    return [
        (problem.record_number, problem.message)
        for problem in report.errors
        if severity is None or problem.severity == severity
    ]


# --- pymarc's damaged and unusual files --------------------------------------------------

# file: (records read, records created, {record number: words its error must contain},
#        {record number: words its warning must contain})
MALFORMED_FILES = {
    "1251.dat": (
        6,
        0,
        {number: "not valid MARC-8" for number in range(1, 7)},
        {},
    ),
    "bad_indicator.dat": (1, 1, {}, {1: "invalid tag '0 2' was left out"}),
    "bad_marc8_escape.dat": (1, 1, {}, {1: "invalid MARC-8 escape sequences"}),
    # Its good records 1 and 8 are one record twice (no 001, no ISBN, the same MARC).
    "bad_records.mrc": (
        9,
        1,
        {
            2: "base address of data (99937) lies beyond the end of the record",
            3: "no valid base address of data",
            4: "directory is damaged: its length (13) is not a multiple of 12",
            5: "directory is damaged: it contains bytes that are not ASCII",
            6: "base address of data in the leader ('f0037') is not a number",
            7: "the record has no fields",
            9: "the file ends in the middle of this record",
        },
        {},
    ),
    "bad_subfield_code.dat": (1, 1, {}, {1: "subfield code 'á' is not a letter or digit"}),
    "bad_tag.xml": (1, 0, {1: "the leader is 17 characters long instead of 24"}, {}),
    "diacritic.dat": (1, 1, {}, {}),
    "marc8.dat": (1, 1, {}, {}),
    "testunimarc.dat": (1, 0, {1: "not MARC 21"}, {}),
    "utf8_errors.dat": (1, 1, {}, {}),
    "utf8_invalid.mrc": (1, 1, {}, {1: "subfield code '\N{REPLACEMENT CHARACTER}'"}),
}


@needs_shared_data
def test_every_malformed_file_is_covered():
    on_disk = {path.name for path in MALFORMED.iterdir() if path.name != "PYMARC_LICENSE"}
    assert on_disk == set(MALFORMED_FILES)


@needs_shared_data
@pytest.mark.parametrize("name", sorted(MALFORMED_FILES))
def test_malformed_file_imports_its_good_records_and_reports_the_bad_ones(name):
    read, created, errors, warnings = MALFORMED_FILES[name]

    report = import_marc([MALFORMED / name])

    assert (report.read, report.created, Record.objects.count()) == (read, created, created)
    found_errors = problems_of(report, ERROR)
    assert [number for number, _message in found_errors] == sorted(errors)
    for number, message in found_errors:
        assert errors[number] in message
    for number, words in warnings.items():
        assert any(words in message for n, message in problems_of(report, WARNING) if n == number)
    assert report.read == report.created + report.skipped + report.rejected
    assert all(problem.file == name for problem in report.errors)


@needs_shared_data
def test_broken_records_keep_their_control_number_in_the_report():
    report = import_marc([MALFORMED / "1251.dat"])
    assert [problem.control_number for problem in report.errors] == [
        f"ru03-00000{number}RKP" for number in range(1, 7)
    ]


@needs_shared_data
def test_marc8_records_come_out_as_unicode():
    import_marc(
        [MALFORMED / "marc8.dat", MALFORMED / "diacritic.dat", MALFORMED / "utf8_errors.dat"]
    )

    marc8 = Record.objects.get(control_number="2")
    assert "Translation of De la solitude à la communauté" in marc8.notes
    uniform_title = next(f["240"] for f in marc8.marc["fields"] if "240" in f)
    assert uniform_title["subfields"][0] == {"a": "De la solitude à la communauté."}
    assert marc8.marc["leader"][9] == "a"  # the stored MARC holds Unicode
    # UTF-8 with combining accents, kept as written in the MARC, composed in the catalogue.
    assert "Hemmungs Wirte\u0301n" in json.dumps(
        Record.objects.get(control_number="17091269").marc, ensure_ascii=False
    )
    assert "Ṣanʻāʾ" in Record.objects.get(control_number="2001700030").title


def test_utf8_record_marked_marc8_is_read_as_utf8(tmp_path):
    raw = bytearray(book("0002", title="Cerita rakyat dari Aceh — édisi baru").as_marc())
    raw[9] = ord(" ")
    path = tmp_path / "mislabelled.mrc"
    path.write_bytes(bytes(raw))

    report = import_marc([path])

    assert Record.objects.get().title == "Cerita rakyat dari Aceh — édisi baru"
    assert problems_of(report) == [
        (1, "leader/09 says MARC-8 but the record is UTF-8; read as UTF-8")
    ]


def test_invalid_utf8_is_replaced_and_reported_with_its_field(tmp_path):
    raw = book("0003", title="Sejarah Jawa", subjects=("Babad",)).as_marc()
    raw = raw.replace(b"Sejarah", b"Sej\xffrah")
    path = tmp_path / "invalid.mrc"
    path.write_bytes(raw)

    report = import_marc([path])

    assert Record.objects.get().title == "Sej\N{REPLACEMENT CHARACTER}rah Jawa"
    assert problems_of(report, WARNING) == [
        (1, "invalid UTF-8 in field 245; the bad bytes are shown as \N{REPLACEMENT CHARACTER}")
    ]


def test_wrong_record_length_costs_a_warning_not_the_rest_of_the_file(tmp_path):
    first = bytearray(book("0004").as_marc())
    first[0:5] = b"99999"
    path = tmp_path / "lengths.mrc"
    path.write_bytes(bytes(first) + b"\r\n" + book("0005").as_marc() + b"\n")

    report = import_marc([path])

    assert (report.read, report.created) == (2, 2)
    assert problems_of(report) == [
        (1, f"the record length in the leader (99999) is not its real length ({len(first)})")
    ]


def test_a_stray_end_of_record_byte_does_not_split_the_record(tmp_path):
    damaged = book("0006", title="Babad\x1dTanah Jawi")
    path = write_marc(tmp_path / "stray.mrc", damaged, book("0007"))

    report = import_marc([path])

    assert report.read == 2
    assert sorted(Record.objects.values_list("control_number", flat=True)) == ["0006", "0007"]


def test_directory_counted_in_characters_is_rebuilt_from_the_field_marks(tmp_path):
    """SLiMS-style exports count characters, not bytes: every accent shifts what follows."""
    record = book("0008", title="Kumpulan puisi Chairil Anwar", author="Anwar, Chaíril,")
    raw = record.as_marc()
    base = int(raw[12:17])
    directory = raw[24 : base - 1]
    data = raw[base:]
    # The same directory with lengths and positions counted in characters.
    entries = []
    offset = 0
    for start in range(0, len(directory), 12):
        tag = directory[start : start + 3]
        length = int(directory[start + 3 : start + 7])
        position = int(directory[start + 7 : start + 12])
        characters = len(data[position : position + length].decode("utf-8"))
        entries.append(b"%s%04d%05d" % (tag, characters, offset))
        offset += characters
    path = tmp_path / "slims.mrc"
    path.write_bytes(raw[:24] + b"".join(entries) + raw[base - 1 :])

    report = import_marc([path])

    imported = Record.objects.get()
    assert imported.title == "Kumpulan puisi Chairil Anwar"
    assert imported.publisher == "Pustaka Jaya"
    assert [(c.contributor.name, c.role) for c in imported.contributions.all()] == [
        ("Anwar, Chaíril", "author")
    ]
    assert any("read by their end-of-field marks" in message for _n, message in problems_of(report))


def test_marcxml_is_recognised_by_its_content_whatever_the_file_is_called(tmp_path):
    namespaced = pymarc.record_to_xml(book("0010", title="Laskar Pelangi"), namespace=True)
    plain = pymarc.record_to_xml(book("0011", title="Bumi Manusia"))
    path = tmp_path / "catalogue.mrc"  # MARCXML, despite the name
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">'
        + namespaced
        + b"<record><leader>short</leader><controlfield tag='001'>0012</controlfield></record>"
        + b"</collection>"
    )
    other = tmp_path / "plain.xml"
    other.write_bytes(b"<collection>" + plain + b"</collection>")

    report = import_marc([path, other])

    assert sorted(Record.objects.values_list("title", flat=True)) == [
        "Bumi Manusia",
        "Laskar Pelangi",
    ]
    assert [(p.file, p.record_number, p.control_number) for p in report.errors] == [
        ("catalogue.mrc", 2, "0012")
    ]


def test_xml_that_breaks_off_reports_where_and_keeps_what_came_before(tmp_path):
    whole = pymarc.record_to_xml(book("0013"))
    path = tmp_path / "cut.xml"
    path.write_bytes(b"<collection>" + whole + b"<record><leader>00000nam a22")

    report = import_marc([path])

    assert report.created == 1
    ((number, message),) = problems_of(report, ERROR)
    assert number == 2
    assert "the XML is not well-formed" in message


def test_a_file_that_is_not_marc_is_refused_before_anything_is_written(tmp_path):
    text = tmp_path / "notes.mrc"
    text.write_text("Daftar buku baru bulan ini\n")
    with pytest.raises(DomainError) as refused:
        import_marc([text])
    assert refused.value.code == "catalog.import_not_marc"
    with pytest.raises(DomainError) as missing:
        import_marc([tmp_path / "missing.mrc"])
    assert missing.value.code == "catalog.import_unreadable_file"
    assert not ImportRun.objects.exists()


def test_an_empty_file_is_reported(tmp_path):
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    report = import_marc([empty])
    assert report.read == 0
    assert [(p.record_number, p.message) for p in report.errors] == [
        (None, "the file holds no MARC records")
    ]


@needs_shared_data
def test_the_marc_json_is_what_marc_hash_hashes():
    """prepare.marc_json_and_hash writes the JSON itself; it must stay mapping.marc_hash's."""
    for path in (LOC_INDONESIAN, *sorted(MALFORMED.glob("*.dat"))):
        for result in reader.read_marc(path):
            if result.record is None:
                continue
            text, digest = marc_json_and_hash(result.record)
            marc = marc_to_dict(result.record)
            assert json.loads(text) == marc
            assert digest == marc_hash(marc)


# --- the Library of Congress file ------------------------------------------------------


def catalogue_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Record, Contributor, Subject, Identifier, RecordContributor, RecordSubject)
    }


@needs_shared_data
@pytest.mark.slow
def test_loc_file_imports_every_record_and_a_second_import_changes_nothing():
    first = import_marc([LOC_INDONESIAN])

    assert first.summary() == {
        "read": LOC_RECORDS,
        "created": LOC_RECORDS,
        "updated": 0,
        "skipped": 0,
        "errors": 0,
    }
    counts = catalogue_counts()
    assert counts["Record"] == LOC_RECORDS
    assert counts["Identifier"] > 1000 and counts["RecordSubject"] > LOC_RECORDS
    record = Record.objects.get(control_number="00281478", control_number_source="DLC")
    assert record.marc_hash == marc_hash(record.marc)

    second = import_marc([LOC_INDONESIAN])

    assert second.summary() == {
        "read": LOC_RECORDS,
        "created": 0,
        "updated": 0,
        "skipped": LOC_RECORDS,
        "errors": 0,
    }
    assert catalogue_counts() == counts
    runs = list(ImportRun.objects.order_by("created_at", "pk"))
    assert [(run.state, run.created, run.skipped) for run in runs] == [
        ("finished", LOC_RECORDS, 0),
        ("finished", 0, LOC_RECORDS),
    ]
    audits = AuditEntry.objects.filter(action="catalog.marc_imported")
    assert sorted(int(entry.target_id) for entry in audits) == [run.pk for run in runs]


@needs_shared_data
@pytest.mark.slow
def test_worker_processes_give_the_same_catalogue_as_one_process(monkeypatch, tmp_path):
    in_process = import_marc([LOC_INDONESIAN], batch_size=500)
    counts = catalogue_counts()
    titles = dict(Record.objects.values_list("control_number", "title"))
    Record.objects.all().delete()

    monkeypatch.setattr(batches, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(batches, "MAX_WORKERS", 2)
    with mock.patch.object(
        batches, "_batches_from_workers", wraps=batches._batches_from_workers
    ) as workers:
        parallel = import_marc([LOC_INDONESIAN], batch_size=500)

    workers.assert_called_once()
    assert (parallel.read, parallel.created) == (in_process.read, in_process.created)
    assert dict(Record.objects.values_list("control_number", "title")) == titles
    assert catalogue_counts()["RecordSubject"] == counts["RecordSubject"]


def test_a_batch_crosses_from_a_worker_unchanged(tmp_path):
    path = write_marc(
        tmp_path / "two.mrc",
        book("B-1", isbn="9789799731234", title="Sejarah Jawa Barat"),
        book("B-2", isbn="978-0-00-000000-0", title="Kota-kota pesisir"),
    )
    path.write_bytes(path.read_bytes() + b"00042nam  2200025   4500\x1e\x1d")  # a broken third
    (batch,) = batches.share_of_batches([path], 10, share=0, shares=1)
    assert len(batch.records) == 2 and batch.problems  # an invalid ISBN, a broken record

    kind, payload = marshal.loads(batches.to_wire(batch))  # noqa: S302

    assert kind == batches.BATCH
    assert batches._batch_from_wire(payload) == batch


def test_a_failing_worker_stops_the_import_with_its_traceback(tmp_path):
    missing = tmp_path / "gone.mrc"  # the worker cannot open it
    with pytest.raises(RuntimeError, match="MARC worker process failed:(?s:.*)FileNotFoundError"):
        list(batches._batches_from_workers([missing], batch_size=10, workers=1))


# --- matching -----------------------------------------------------------------------------


def test_a_record_from_another_catalogue_matches_by_isbn(tmp_path):
    import_marc(
        [
            write_marc(
                tmp_path / "perpusnas.mrc",
                book("PN-1", source="JKPN", isbn="9789799731234", title="Sejarah Jawa Barat"),
            )
        ]
    )

    report = import_marc(
        [
            write_marc(
                tmp_path / "loc.mrc",
                book(
                    "2001000001",
                    source="DLC",
                    isbn="978-979-97312-3-4 (pbk.)",
                    title="Sejarah Jawa Barat, edisi revisi",
                ),
            )
        ]
    )

    assert (report.created, report.updated) == (0, 1)
    record = Record.objects.get()
    assert record.title == "Sejarah Jawa Barat, edisi revisi"
    assert (record.control_number_source, record.control_number) == ("DLC", "2001000001")


def test_records_of_one_catalogue_sharing_an_isbn_stay_apart(tmp_path):
    """Two volumes of a set with the set's ISBN and their own 001s are two records."""
    volumes = write_marc(
        tmp_path / "set.mrc",
        book("V1", isbn="9789799731234", title="Ensiklopedi Sunda, jilid 1"),
        book("V2", isbn="9789799731234", title="Ensiklopedi Sunda, jilid 2"),
    )
    report = import_marc([volumes])
    assert (report.created, Record.objects.count()) == (2, 2)


def test_a_record_without_001_matches_by_isbn_and_keeps_the_identity_it_had(tmp_path):
    import_marc([write_marc(tmp_path / "a.mrc", book("A-1", isbn="9789799731234"))])

    report = import_marc(
        [
            write_marc(
                tmp_path / "b.mrc", book(None, isbn="9789799731234", title="Judul yang diperbaiki")
            )
        ]
    )

    assert report.updated == 1
    record = Record.objects.get()
    assert (record.title, record.control_number, record.control_number_source) == (
        "Judul yang diperbaiki",
        "A-1",
        "JKPN",
    )


def test_the_same_record_twice_in_one_file_is_created_once(tmp_path):
    path = write_marc(
        tmp_path / "twice.mrc",
        book("D-1", title="Judul pertama"),
        book("D-1", title="Judul pertama"),
        book("D-1", title="Judul kedua"),
    )

    report = import_marc([path])

    assert (report.created, report.skipped, report.updated) == (1, 1, 1)
    assert list(Record.objects.values_list("title", flat=True)) == ["Judul kedua"]


def test_records_without_001_or_isbn_are_not_imported_twice(tmp_path):
    """Nothing identifies them but their MARC: the same MARC again is the same record."""
    unnumbered = [book(None, title=f"Kumpulan cerita {n}") for n in range(3)]
    # Twice in one batch (of two), and once more in a later one.
    path = write_marc(tmp_path / "unnumbered.mrc", unnumbered[0], *unnumbered, unnumbered[1])

    first = import_marc([path], batch_size=2)
    again = import_marc([path], batch_size=2)

    assert (first.created, first.skipped) == (3, 2)
    assert (again.created, again.updated, again.skipped) == (0, 0, 5)
    assert sorted(Record.objects.values_list("title", flat=True)) == [
        f"Kumpulan cerita {n}" for n in range(3)
    ]


def test_a_changed_record_without_001_or_isbn_is_a_new_record(tmp_path):
    import_marc([write_marc(tmp_path / "first.mrc", book(None, title="Cerita rakyat"))])

    report = import_marc([write_marc(tmp_path / "second.mrc", book(None, title="Cerita rakyat."))])

    # Nothing says the two are one record, so the second is kept apart rather than
    # written over the first.
    assert report.created == 1
    assert Record.objects.count() == 2


def test_an_update_replaces_contributors_subjects_and_identifiers_and_keeps_the_items(tmp_path):
    import_marc(
        [
            write_marc(
                tmp_path / "v1.mrc",
                book("U-1", isbn="9789799731234", subjects=("Sejarah", "Jawa Barat")),
            )
        ]
    )
    record = Record.objects.get()
    item = ItemFactory(record=record, barcode="B0000001")

    report = import_marc(
        [
            write_marc(
                tmp_path / "v2.mrc",
                book(
                    "U-1", isbn="9786020312347", author="Rosidi, Ajip,", subjects=("Sastra Sunda",)
                ),
            )
        ]
    )

    assert report.updated == 1
    record.refresh_from_db()
    assert [c.contributor.name for c in record.contributions.all()] == ["Rosidi, Ajip"]
    assert [link.subject.heading for link in record.subject_links.all()] == ["Sastra Sunda"]
    assert list(record.identifiers.values_list("normalized", flat=True)) == ["9786020312347"]
    assert list(record.items.all()) == [item]
    # The old contributor and subjects stay in the catalogue; other records may use them.
    assert Contributor.objects.count() == 2


def test_contributors_and_subjects_are_shared_across_records_by_their_key(tmp_path):
    path = write_marc(
        tmp_path / "shared.mrc",
        book("K-1", author="Toer, Pramoedya Ananta,", subjects=("Sejarah -- Indonesia",)),
        book("K-2", author="TOER, PRAMOEDYA ANANTA", subjects=("sejarah--Indonesia.",)),
    )

    import_marc([path])

    assert Contributor.objects.count() == 1
    assert Subject.objects.count() == 1
    assert RecordContributor.objects.count() == RecordSubject.objects.count() == 2


def test_new_records_get_their_own_links_after_the_highest_records_were_deleted(tmp_path):
    """On SQLite the writer works out new records' ids instead of asking for them
    (``writer._Table``); every link and search document must reach its own record,
    also when the ids given last are gone and are not given again."""
    import_marc([write_marc(tmp_path / "old.mrc", *(book(f"D-{n}") for n in range(5)))])
    Record.objects.filter(control_number__in=["D-3", "D-4"]).delete()
    new = [
        book(f"E-{n}", title=f"Judul {n}", author=f"Pengarang {n}", subjects=(f"Topik {n}",))
        for n in range(5)
    ]

    import_marc([write_marc(tmp_path / "new.mrc", *new)], batch_size=2)

    records = Record.objects.filter(control_number__startswith="E-").order_by("pk")
    assert [record.control_number for record in records] == [f"E-{n}" for n in range(5)]
    assert min(record.pk for record in records) > 5
    for record in records:
        n = record.control_number[2:]
        assert record.title == f"Judul {n}"
        assert [link.contributor.name for link in record.contributions.all()] == [f"Pengarang {n}"]
        assert [link.subject.heading for link in record.subject_links.all()] == [f"Topik {n}"]
        assert record.search_document.title.split() == ["judul", n]


def test_over_long_values_are_cut_to_fit_and_reported(tmp_path):
    report = import_marc([write_marc(tmp_path / "long.mrc", book("L-1", title="Panjang " * 200))])

    assert len(Record.objects.get().title) == Record._meta.get_field("title").max_length
    assert problems_of(report, WARNING) == [
        (1, "the title was longer than 1000 characters and was shortened")
    ]


# --- batches, interruptions ------------------------------------------------------------------


def numbered_books(count: int) -> list[pymarc.Record]:
    return [
        book(
            f"N-{n:03d}",
            title=f"Cerita rakyat {n}",
            author=f"Penulis {n % 7},",
            subjects=(f"Topik {n % 5}",),
        )
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_import_keeps_whole_batches_and_a_second_run_finishes(tmp_path):
    path = write_marc(tmp_path / "many.mrc", *numbered_books(35))
    write = BatchWriter.write
    calls = []

    def interrupted_after_the_first_batch(self, batch):
        calls.append(batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return write(self, batch)

    with mock.patch.object(BatchWriter, "write", interrupted_after_the_first_batch):
        with pytest.raises(KeyboardInterrupt):
            import_marc([path], batch_size=10)

    assert Record.objects.count() == 10
    assert RecordContributor.objects.count() == RecordSubject.objects.count() == 10
    run = ImportRun.objects.get()
    assert (run.state, run.read, run.created) == ("failed", 10, 10)
    assert "interrupted" in run.report["note"]
    assert (
        AuditEntry.objects.filter(action="catalog.marc_imported", target_id=str(run.pk)).count()
        == 1
    )

    again = import_marc([path], batch_size=10)

    assert (again.created, again.skipped) == (25, 10)
    assert Record.objects.count() == 35
    assert RecordSubject.objects.count() == 35


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads processes from /proc")
def test_kill_9_in_the_middle_leaves_whole_batches_and_no_worker_behind(tmp_path):
    """A real import process, killed with SIGKILL while its worker processes are busy."""
    env = {
        **os.environ,
        "SERAMBI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "serambi.settings",
    }
    env.pop("DATABASE_URL", None)
    serambi = [sys.executable, "-m", "serambi"]
    migrate = [*serambi, "migrate", "--no-input"]
    subprocess.run(migrate, env=env, check=True, capture_output=True)  # noqa: S603 (our own command)
    total = 8000
    path = write_marc(tmp_path / "many.mrc", *numbered_books(total))
    with_workers = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from serambi.catalog.marc import batches\n"
        "batches.PARALLEL_MIN_BYTES, batches.MAX_WORKERS = 0, 2\n"
        "if __name__ == '__main__':\n"
        "    call_command('import-marc', sys.argv[1], '--batch-size', '100')\n"
    )
    database = tmp_path / "serambi.sqlite3"
    importing = subprocess.Popen([sys.executable, "-c", with_workers, str(path)], env=env)  # noqa: S603
    try:
        written = 0
        deadline = time.monotonic() + 120
        while written < 300 and time.monotonic() < deadline:
            time.sleep(0.02)
            written = records_in(database)
        workers = [
            pid for pid in child_processes(importing.pid) if "spawn_main" in command_line(pid)
        ]
        importing.send_signal(signal.SIGKILL)
        importing.wait(10)
    finally:
        if importing.poll() is None:
            importing.kill()

    kept = records_in(database)
    assert 300 <= kept < total
    assert kept % 100 == 0  # whole batches only
    assert len(workers) == 2
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]

    finished = subprocess.run(  # noqa: S603 (our own command)
        [*serambi, "import-marc", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(finished.stdout) == {
        "read": total,
        "created": total - kept,
        "updated": 0,
        "skipped": kept,
        "errors": 0,
    }
    assert records_in(database) == total


def records_in(database: Path) -> int:
    """Records committed so far, read beside the importer (WAL lets readers in)."""
    with closing(sqlite3.connect(database, timeout=10)) as connection:
        return connection.execute("SELECT count(*) FROM catalog_record").fetchone()[0]


def child_processes(pid: int) -> list[int]:
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        if f"PPid:\t{pid}" in lines:
            children.append(int(status.parent.name))
    return children


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running, neither gone nor a zombie waiting for its (killed) parent to reap it."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


# --- items -------------------------------------------------------------------------------------


def test_items_per_record_get_new_barcodes_after_the_highest_existing_one(tmp_path, branch):
    ItemFactory(barcode="PUSAT-00000041", branch=branch)
    path = write_marc(tmp_path / "new.mrc", book("I-1"), book("I-2"))

    report = import_marc([path], items_per_record=2, branch=branch)

    assert report.created == 2
    items = Item.objects.filter(record__control_number__in=["I-1", "I-2"]).order_by("barcode")
    assert [(item.barcode, item.record.control_number) for item in items] == [
        ("PUSAT-00000042", "I-1"),
        ("PUSAT-00000043", "I-1"),
        ("PUSAT-00000044", "I-2"),
        ("PUSAT-00000045", "I-2"),
    ]
    assert {(item.branch, item.status, item.call_number) for item in items} == {
        (branch, Item.Status.AVAILABLE, "959.82 SEJ")
    }

    import_marc([path], items_per_record=2, branch=branch)

    assert Item.objects.count() == 5  # records already there get no more items


def test_items_per_record_needs_a_branch(tmp_path):
    with pytest.raises(DomainError) as refused:
        import_marc([write_marc(tmp_path / "a.mrc", book())], items_per_record=1)
    assert refused.value.code == "catalog.import_branch_required"


def test_holdings_become_items_in_their_branch_and_taken_barcodes_are_reported(tmp_path, branch):
    north = BranchFactory(code="utara", name="Cabang Utara")
    ItemFactory(barcode="B0009999", branch=north)
    path = write_marc(
        tmp_path / "slims.mrc",
        book("H-1", copies=(("UTARA", "B0000001"), ("PUSAT", "B0000002"))),
        book("H-2", copies=(("GUDANG", "B0000003"), ("UTARA", "B0009999"), ("UTARA", "b0000001"))),
    )

    report = import_marc([path], barcodes_from_holdings=True, branch=branch)

    imported = Item.objects.exclude(barcode="B0009999").values_list(
        "barcode", "branch__code", "record__control_number", "price"
    )
    assert sorted(imported) == [
        ("B0000001", "utara", "H-1", 85000),
        ("B0000002", "pusat", "H-1", 85000),
        ("B0000003", "pusat", "H-2", 85000),  # an unknown branch code: the chosen branch
    ]
    assert problems_of(report) == [
        (2, "copy B0009999 was not created: another record's item already has this barcode"),
        (2, "copy b0000001 was not created: another record's item already has this barcode"),
    ]

    again = import_marc([path], barcodes_from_holdings=True, branch=branch)

    assert again.skipped == 2
    assert Item.objects.count() == 4


def test_a_holding_without_a_branch_is_reported_and_the_record_kept(tmp_path):
    report = import_marc(
        [write_marc(tmp_path / "h.mrc", book("H-3", copies=(("GUDANG", "B0000005"),)))],
        barcodes_from_holdings=True,
    )
    assert report.created == 1
    assert not Item.objects.exists()
    assert problems_of(report) == [
        (
            1,
            "copy B0000005 was not created: no branch has the code 'GUDANG' and no branch "
            "was chosen for new items",
        )
    ]


def test_an_updated_record_gets_its_new_holdings(tmp_path, branch):
    first = book("H-4", copies=(("PUSAT", "B0000010"),))
    import_marc([write_marc(tmp_path / "v1.mrc", first)], barcodes_from_holdings=True)
    second = book("H-4", title="Edisi baru", copies=(("PUSAT", "B0000010"), ("PUSAT", "B0000011")))

    report = import_marc([write_marc(tmp_path / "v2.mrc", second)], barcodes_from_holdings=True)

    assert (report.updated, report.errors) == (1, [])
    barcodes = Record.objects.get().items.values_list("barcode", flat=True)
    assert sorted(barcodes) == ["B0000010", "B0000011"]


# --- the command line ----------------------------------------------------------------------------


@needs_shared_data
def test_cli_prints_only_the_counts_with_json_and_writes_the_report(tmp_path):
    report_path = tmp_path / "laporan.json"
    out = StringIO()

    call_command(
        "import-marc",
        str(MALFORMED / "bad_records.mrc"),
        "--json",
        "--report",
        str(report_path),
        stdout=out,
    )

    # Records 1 and 8 are one record twice: the second is skipped.
    assert json.loads(out.getvalue()) == {
        "read": 9,
        "created": 1,
        "updated": 0,
        "skipped": 1,
        "errors": 7,
    }
    written = json.loads(report_path.read_text(encoding="utf-8"))
    assert written["created"] == 1
    assert [problem["record_number"] for problem in written["errors"]] == [2, 3, 4, 5, 6, 7, 9]
    assert written["errors"][0] == {
        "file": "bad_records.mrc",
        "record_number": 2,
        "control_number": "",
        "message": "the base address of data (99937) lies beyond the end of the record (127 bytes)",
        "severity": "error",
    }


@needs_shared_data
def test_cli_without_json_lists_each_problem_with_its_record_number():
    out = StringIO()

    call_command(
        "import_marc", str(MALFORMED / "1251.dat"), str(MALFORMED / "marc8.dat"), stdout=out
    )

    text = out.getvalue()
    assert "7 records read: 1 created, 0 updated, 0 unchanged, 6 not imported; 0 warnings." in text
    assert "1251.dat, record 3 (ru03-000003RKP): error: not valid MARC-8" in text


def test_cli_refuses_missing_files_and_unknown_branches(tmp_path, branch):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import-marc", str(tmp_path / "hilang.mrc"))
    path = write_marc(tmp_path / "a.mrc", book())
    with pytest.raises(
        CommandError, match=r"No branch has the code selatan\. Known codes: pusat\."
    ):
        call_command("import-marc", str(path), "--items-per-record", "1", "--branch", "selatan")
    with pytest.raises(CommandError, match="needs --branch"):
        call_command("import-marc", str(path), "--items-per-record", "1")
    assert not Record.objects.exists()


def test_cli_makes_items_in_the_branch_named_by_its_code(tmp_path, branch):
    path = write_marc(tmp_path / "a.mrc", book("C-1"))

    call_command(
        "import-marc", str(path), "--items-per-record", "1", "--branch", "PUSAT", stdout=StringIO()
    )

    assert list(Item.objects.values_list("barcode", "branch__code")) == [
        ("PUSAT-00000001", "pusat")
    ]


def test_the_hyphenated_command_name_works_from_the_shell():
    result = subprocess.run(
        [sys.executable, "-m", "serambi", "import-marc", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--barcodes-from-holdings" in result.stdout


@needs_shared_data
def test_the_run_keeps_the_counts_and_every_problem():
    report = import_marc([MALFORMED / "bad_records.mrc"])

    run = ImportRun.objects.get()
    assert run == report.import_run
    assert (run.state, run.read, run.created, run.error_count) == ("finished", 9, 1, 7)
    assert run.report == report.as_json()
    assert run.report["errors"][0]["record_number"] == 2
    assert run.finished_at is not None
    assert AuditEntry.objects.get(action="catalog.marc_imported").data == {
        "state": "finished",
        **report.summary(),
    }
