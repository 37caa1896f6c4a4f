"""The catalogue's facet columns held in memory, as arrays, for counting.

A result of 46,000 records out of 250,000 is counted by type, language,
decade, audience and subject on every search. In SQL that is a look-up per
record per table, 80–250 ms whichever database; over arrays in memory it is
a few milliseconds, and exact (no sample of the subjects). So each process
keeps, for every record, its position in a sorted array of ids and a small
integer code per facet column, plus every (record, subject) link, and a
search turns its set of records into a boolean mask over those positions.

The copy is current when its token equals ``search_state.token``, which the
database's own triggers change in the transaction that inserts or deletes a
record or a subject link or changes a faceted column (``models.State``). A
search reads the token first and loads the columns again when it differs:
about a third of a second at 250,000 records, once per change per process.
Copies, and their state of loan, are not held here: they change with every
loan, and are counted in SQL (``services._item_counts``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connection

# Between values of a text column in one aggregated string (ASCII unit separator).
_SEPARATOR = "\x1f"
NO_YEAR = -1  # as the SQL below writes an unknown year


@dataclass(frozen=True)
class Coded:
    """A text column as one code per record and the distinct values the codes stand for."""

    codes: np.ndarray  # int32, per record position
    values: list[str]

    def code_of(self, value: str) -> int | None:
        try:
            return self.values.index(value)
        except ValueError:
            return None

    def mask(self, values) -> np.ndarray:
        """Positions whose value is one of ``values``."""
        wanted = [code for value in values if (code := self.code_of(value)) is not None]
        return np.isin(self.codes, wanted)

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        """How many of the masked positions hold each value (values held by none left out)."""
        found = np.bincount(self.codes[mask], minlength=len(self.values))
        return {self.values[code]: int(n) for code in np.flatnonzero(found) for n in [found[code]]}


@dataclass(frozen=True)
class Columns:
    token: int | None
    ids: np.ndarray  # int64, sorted: record id at each position
    material_type: Coded
    language: Coded
    audience: Coded
    year: np.ndarray  # int32, NO_YEAR when unknown
    # Every (record, subject) link: the record's position and the subject's code,
    # an index into subjects (the distinct subject ids, sorted). By position.
    subject_positions: np.ndarray  # int64
    subject_codes: np.ndarray  # int64
    subjects: np.ndarray  # int64

    @property
    def size(self) -> int:
        return len(self.ids)

    def none(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def every(self) -> np.ndarray:
        return np.ones(self.size, dtype=bool)

    def mask_of(self, record_ids: np.ndarray) -> np.ndarray:
        """The positions of these record ids (ids this copy does not hold are left out)."""
        mask = self.none()
        mask[self.positions_of(record_ids)[0]] = True
        return mask

    def positions_of(self, record_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where these record ids are, and which of them this copy holds (a mask over them).

        ``positions`` has one entry per id held, in the order of ``record_ids``.
        """
        held = np.zeros(len(record_ids), dtype=bool)
        if not len(record_ids) or not self.size:
            return np.zeros(0, dtype=np.int64), held
        positions = np.searchsorted(self.ids, record_ids)
        held = positions < self.size
        held[held] = self.ids[positions[held]] == record_ids[held]
        return positions[held], held

    def ids_of(self, mask: np.ndarray) -> np.ndarray:
        return self.ids[mask]

    def years_between(self, start: int | None, end: int | None) -> np.ndarray:
        mask = self.year != NO_YEAR
        if start is not None:
            mask &= self.year >= start
        if end is not None:
            mask &= self.year <= end
        return mask

    def decade_counts(self, mask: np.ndarray) -> dict[int, int]:
        years = self.year[mask]
        found = np.bincount(years[years != NO_YEAR] // 10)
        return {int(decade) * 10: int(found[decade]) for decade in np.flatnonzero(found)}

    def with_subjects(self, subject_ids) -> np.ndarray:
        """Positions of the records linked to any of these subjects."""
        wanted = np.asarray(list(subject_ids), dtype=np.int64)
        codes = np.searchsorted(self.subjects, wanted)
        codes = codes[codes < len(self.subjects)]
        codes = codes[np.isin(self.subjects[codes], wanted)]
        mask = self.none()
        mask[self.subject_positions[np.isin(self.subject_codes, codes)]] = True
        return mask

    @cached_property
    def subject_starts(self) -> np.ndarray:
        """Where each position's links begin among the links, and (last) where they end."""
        return np.searchsorted(self.subject_positions, np.arange(self.size + 1))

    def linked_subject_codes(self, mask: np.ndarray) -> np.ndarray:
        """The subject codes of every link of the masked records."""
        positions = np.flatnonzero(mask)
        if len(positions) * 8 > self.size:
            # A large set: one look at every link is cheaper than gathering the ranges.
            return self.subject_codes[mask[self.subject_positions]]
        # A smaller one: each record's range of links (about 2 µs a record fewer
        # than looking at all 580,000 links at 250,000 records).
        starts = self.subject_starts[positions]
        lengths = self.subject_starts[positions + 1] - starts
        ends = np.cumsum(lengths)
        # For link k of the result: its record's start, plus how far it is into the range.
        offsets = np.repeat(starts - (ends - lengths), lengths)
        return self.subject_codes[offsets + np.arange(int(ends[-1]) if len(ends) else 0)]

    def subject_counts(self, mask: np.ndarray, size: int) -> list[tuple[int, int]]:
        """The ``size`` subjects most linked to the masked records: (subject id, count)."""
        counts = np.bincount(self.linked_subject_codes(mask), minlength=len(self.subjects))
        # The size-th largest count, found from how many subjects have each count
        # (small numbers): a common word links 100,000 subjects, and partitioning
        # their counts took 4 ms. Every subject with more, and enough of those with as many.
        subjects_with = np.bincount(counts, minlength=2)
        subjects_with[0] = 0  # not linked at all
        with_at_least = np.cumsum(subjects_with[::-1])[::-1]
        cut = 1  # fewer linked subjects than asked for: all of them
        if 0 < size <= with_at_least[1]:
            cut = int(np.flatnonzero(with_at_least >= size)[-1])
        linked = np.flatnonzero(counts >= cut)
        # Most linked first, then the lower id (codes follow the ids' order).
        order = linked[np.lexsort((linked, -counts[linked]))][:size]
        return [(int(self.subjects[code]), int(counts[code])) for code in order]


_lock = threading.Lock()
_current: Columns | None = None


def current_token() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM search_state WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def columns() -> Columns:
    """The columns as this connection sees them now, loaded again if they changed."""
    global _current
    token = current_token()
    held = _current
    # Without its row (a test database flushed) there is no telling: load every time.
    if held is not None and token is not None and held.token == token:
        return held
    with _lock:
        if _current is not None and token is not None and _current.token == token:
            return _current
        loaded = load(token)
        _current = loaded
        return loaded


def forget() -> None:
    """Drop the copy held (the next search loads the columns again)."""
    global _current
    _current = None


# Each column in one statement, so that all are read from the same state of the
# table, and (SQLite) from the index that holds them: the rows also hold the MARC.
# SQLite joins the values in the order its subquery gives the rows.
_RECORDS_SQL = {
    "postgresql": """
        SELECT string_agg(id::text, ',' ORDER BY id),
               string_agg(COALESCE(year, -1)::text, ',' ORDER BY id),
               string_agg(material_type, chr(31) ORDER BY id),
               string_agg(language, chr(31) ORDER BY id),
               string_agg(audience, chr(31) ORDER BY id)
        FROM catalog_record""",
    "sqlite": """
        SELECT group_concat(id), group_concat(COALESCE(year, -1)),
               group_concat(material_type, char(31)), group_concat(language, char(31)),
               group_concat(audience, char(31))
        FROM (SELECT id, year, material_type, language, audience
              FROM catalog_record INDEXED BY record_facet_columns ORDER BY id)""",
}
_LINKS_SQL = {
    "postgresql": """
        SELECT string_agg(record_id::text, ',' ORDER BY record_id, subject_id),
               string_agg(subject_id::text, ',' ORDER BY record_id, subject_id)
        FROM catalog_recordsubject""",
    "sqlite": """
        SELECT group_concat(record_id), group_concat(subject_id)
        FROM (SELECT record_id, subject_id FROM catalog_recordsubject
              ORDER BY record_id, subject_id)""",
}


def numbers(text: str | None, dtype=np.int64) -> np.ndarray:
    """The numbers of a comma-separated string (an aggregate's), as an array."""
    if not text:
        return np.zeros(0, dtype=dtype)
    # Parsed in C: ten times faster than splitting the string in Python.
    return np.fromstring(text, dtype=dtype, sep=",")


def _coded(text: str | None) -> Coded:
    values: dict[str, int] = {}
    # None: no records; "" is one record with an empty value.
    parts = text.split(_SEPARATOR) if text is not None else []
    codes = np.fromiter(
        (values.setdefault(part, len(values)) for part in parts), dtype=np.int32, count=len(parts)
    )
    return Coded(codes, list(values))


def load(token: int | None) -> Columns:
    """Read the columns from the database: two queries, each answering a few long strings."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORDS_SQL[connection.vendor])
        ids_text, years, types, languages, audiences = cursor.fetchone()
        cursor.execute(_LINKS_SQL[connection.vendor])
        links_text, subjects_text = cursor.fetchone()
    ids = numbers(ids_text, np.int64)
    linked = numbers(links_text, np.int64)
    positions = np.searchsorted(ids, linked)
    # A link written after the records were read, to a record this copy does not hold.
    known = positions < len(ids)
    known[known] = ids[positions[known]] == linked[known]
    subjects, codes = np.unique(numbers(subjects_text, np.int64), return_inverse=True)
    return Columns(
        token=token,
        ids=ids,
        material_type=_coded(types),
        language=_coded(languages),
        audience=_coded(audiences),
        year=numbers(years, np.int32),
        subject_positions=positions[known],
        subject_codes=codes[known],
        subjects=subjects,
    )
