"""Search: one function every door calls (OPAC pages, REST API, later SRU).

The backend finds the documents that match the words (full text, ranked);
everything else — filters, facet counts, sorting, paging — is plain SQL over
the catalogue's own tables, written once here for both databases. A result
page costs a fixed number of queries whatever its size: the hits, the total,
one per facet, and three to fetch the records, their names and their copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from serambi.catalog.identifiers import compact_isbn
from serambi.catalog.keys import fold
from serambi.catalog.languages import language_label
from serambi.catalog.models import (
    Audience,
    Contributor,
    Identifier,
    Item,
    MaterialType,
    Record,
    RecordContributor,
    Subject,
)
from serambi.catalog.selectors import availability_by_branch
from serambi.core.models import Branch

from . import columns
from . import query as q
from .analyzer import STOP_WORDS, split_words
from .backends import backend
from .types import FACETS, Completion, Facet, FacetValue, Hit, SearchRequest, SearchResult

SUGGEST_BELOW = 3  # hits under which a typo is suspected
# Corrections at the same distance go by how many documents have them, counted
# this far (beyond it, alphabetically): a commoner word is likelier meant.
FREQUENCY_CAP = 1000
SUBJECT_FACET_SIZE = 15
FACET_SIZE = 30
_DECADE = re.compile(r"^\d{3}0$")
# A database id in a URL: ASCII digits ("¹³" is a digit to str.isdigit), and no
# more than 18 of them (a longer one is garbage, not a 64-bit integer).
_ID = re.compile(r"^[0-9]{1,18}$")
_BARCODE = re.compile(r"^[A-Za-z0-9-]{3,50}$")


@dataclass
class _Sql:
    """FROM/WHERE of one search, built up clause by clause.

    ``ranked`` and ``matched`` are the backend's two forms of the full-text
    match: with a score (for the page of hits) and ids only (for the total and
    the facets, which need no score and are cheaper without one).
    """

    ranked: tuple[str, list] | None = None
    matched: tuple[str, list] | None = None
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, condition: str, params: list | tuple = ()) -> None:
        self.where.append(condition)
        self.params.extend(params)

    def copy(self) -> _Sql:
        return _Sql(self.ranked, self.matched, list(self.where), list(self.params))

    @property
    def is_ranked(self) -> bool:
        return self.ranked is not None

    def from_where(self, *, with_score: bool = False) -> tuple[str, list]:
        sql, params = f"FROM {backend().records}", []
        match = self.ranked if with_score else self.matched
        if match is not None:
            sql += f" JOIN ({match[0]}) m ON m.record_id = r.id"
            params += match[1]
        if self.where:
            sql += " WHERE " + " AND ".join(f"({c})" for c in self.where)
        return sql, [*params, *self.params]


def _in(column: str, values: list) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _query_sql(parsed: q.Query) -> _Sql:
    sql = _Sql()
    search = backend()
    positive, negative = parsed.positive_words, parsed.negative_words
    if positive:
        # "-word" goes into the full-text match, which checks it on the rows it finds.
        sql.ranked = search.matching(positive, negative)
        sql.matched = search.matching_ids(positive, negative)
    elif negative:
        excluded, params = search.matching_any(negative)
        sql.add(f"r.id NOT IN ({excluded})", params)
    for clause in parsed.clauses:
        if isinstance(clause, q.YearRange):
            bounds, params = [], []
            if clause.start is not None:
                bounds.append("r.year >= %s")
                params.append(clause.start)
            if clause.end is not None:
                bounds.append("r.year <= %s")
                params.append(clause.end)
            condition = " AND ".join(bounds)
            if clause.negated:
                condition = f"r.year IS NULL OR NOT ({condition})"
            sql.add(condition, params)
        elif isinstance(clause, q.Identifier):
            number = compact_isbn(clause.value) or clause.value
            scheme = Identifier.Scheme.ISBN if len(number) in (10, 13) else Identifier.Scheme.ISSN
            found = (
                "r.id IN (SELECT i.record_id FROM catalog_identifier i "
                "WHERE i.scheme = %s AND i.normalized = %s)"
            )
            sql.add(f"NOT ({found})" if clause.negated else found, [scheme, number])
    return sql


def _facet_condition(name: str, values: tuple[str, ...]) -> tuple[str, list] | None:
    """The WHERE condition of one facet filter; None when no value is usable."""
    if name == "type":
        return _in("r.material_type", list(values))
    if name == "language":
        return _in("r.language", list(values))
    if name == "audience":
        return _in("r.audience", list(values))
    if name == "decade":
        decades = [int(v) for v in values if _DECADE.match(v)]
        if not decades:
            return None
        ranges = " OR ".join("(r.year >= %s AND r.year <= %s)" for _ in decades)
        return ranges, [bound for d in decades for bound in (d, d + 9)]
    if name == "subject":
        ids = [int(v) for v in values if _ID.match(v)]
        if not ids:
            return None
        inside, params = _in("rs.subject_id", ids)
        return (
            "EXISTS (SELECT 1 FROM catalog_recordsubject rs "
            f"WHERE rs.record_id = r.id AND {inside})",
            params,
        )
    if name in ("branch", "available"):
        inside, params = _in("b.code", list(values))
        status = "i.status = %s" if name == "available" else "i.status <> %s"
        return (
            "EXISTS (SELECT 1 FROM catalog_item i JOIN core_branch b ON b.id = i.branch_id "
            f"WHERE i.record_id = r.id AND {status} AND {inside})",
            [Item.Status.AVAILABLE if name == "available" else Item.Status.WITHDRAWN, *params],
        )
    return None


def _filtered(base: _Sql, request: SearchRequest, *, leave_out: str | None = None) -> _Sql:
    sql = base.copy()
    for name, values in request.filters.items():
        if name == leave_out:
            continue
        if condition := _facet_condition(name, values):
            sql.add(*condition)
    return sql


def _order_by(request: SearchRequest, ranked: bool) -> str:
    if request.sort == "newest":
        return "r.year DESC NULLS LAST, r.id DESC"
    if request.sort == "oldest":
        return "r.year ASC NULLS LAST, r.id ASC"
    if request.sort == "title":
        return "LOWER(r.title), r.id"
    return "m.score DESC, r.id DESC" if ranked else "r.id DESC"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _finds_more_than(sql: _Sql, number: int) -> bool:
    """Whether the set holds more than ``number`` records (counting stops there).

    PostgreSQL's planner, seeing a LIMIT, expects a word's documents spread
    evenly through the table and reads it from the start until it meets
    enough of them: 56 ms for a word of 500 documents near its end. There
    the match is fenced off as a materialized CTE, which is planned through
    the index and read lazily, only as far as the LIMIT needs (under 1 ms).
    """
    prefix, fenced = "", []
    if sql.matched is not None and backend().fences_limited_matches:
        prefix, fenced = f"WITH matched AS MATERIALIZED ({sql.matched[0]}) ", list(sql.matched[1])
        sql = replace(sql, matched=("SELECT record_id FROM matched", []))
    from_where, params = sql.from_where()
    some = f"SELECT 1 {from_where} LIMIT {int(number) + 1}"
    return _fetch(f"{prefix}SELECT COUNT(*) FROM ({some}) found", [*fenced, *params])[0][0] > number


def hits_for(record_ids: list[int], scores: dict[int, float] | None = None) -> list[Hit]:
    """Records in the given order, with their names and copies: three queries.

    Not their identifiers, which a list page does not show: the API adds them
    (``with_identifiers``).
    """
    if not record_ids:
        return []
    # Not the MARC: a list never shows it, and decoding it is most of the cost.
    records = (
        Record.objects.filter(pk__in=record_ids)
        .defer("marc")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=RecordContributor.objects.select_related("contributor").order_by(
                    "-is_main", "position"
                ),
            ),
        )
    )
    by_id = {record.pk: record for record in records}
    availability = availability_by_branch(record_ids)
    scores = scores or {}
    return [
        Hit(by_id[pk], scores.get(pk), availability.get(pk, [])) for pk in record_ids if pk in by_id
    ]


def with_identifiers(hits: list[Hit]) -> list[Hit]:
    """The hits, their records' identifiers (not cancelled) fetched in one query."""
    prefetch_related_objects(
        [hit.record for hit in hits],
        Prefetch("identifiers", queryset=Identifier.objects.filter(is_cancelled=False)),
    )
    return hits


# --- facets --------------------------------------------------------------------


def _found(
    parsed: q.Query, cols: columns.Columns, *, scored: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """The records the query finds, before any facet filter, as a mask over ``cols``.

    With ``scored`` (and words to score by), also each record's full-text
    score, by position in ``cols`` (-inf for the records not found); else None.
    """
    search = backend()
    positive, negative = parsed.positive_words, parsed.negative_words
    scores = None
    if positive and scored:
        ids, their_scores = search.ids_and_scores(search.matching(positive, negative))
        positions, held = cols.positions_of(ids)
        found = cols.none()
        found[positions] = True
        scores = np.full(cols.size, -np.inf)
        scores[positions] = their_scores[held]
    elif positive:
        # "-word" goes into the full-text match, which checks it on the rows it finds.
        found = cols.mask_of(search.ids(search.matching_ids(positive, negative)))
    else:
        found = cols.every()
        if negative:
            found &= ~cols.mask_of(search.ids(search.matching_any(negative)))
    for clause in parsed.clauses:
        if isinstance(clause, q.YearRange):
            inside = cols.years_between(clause.start, clause.end)
        elif isinstance(clause, q.Identifier):
            number = compact_isbn(clause.value) or clause.value
            scheme = Identifier.Scheme.ISBN if len(number) in (10, 13) else Identifier.Scheme.ISSN
            ids = _fetch(
                "SELECT record_id FROM catalog_identifier WHERE scheme = %s AND normalized = %s",
                [scheme, number],
            )
            inside = cols.mask_of(np.array([pk for (pk,) in ids], dtype=np.int64))
        else:
            continue
        found &= ~inside if clause.negated else inside
    return found, scores


def _filter_mask(name: str, values: tuple[str, ...], cols: columns.Columns) -> np.ndarray | None:
    """The records one facet filter keeps; None when none of its values is usable."""
    if name in ("type", "language", "audience"):
        column = {"type": cols.material_type, "language": cols.language, "audience": cols.audience}
        return column[name].mask(values)
    if name == "decade":
        decades = [int(v) for v in values if _DECADE.match(v)]
        if not decades:
            return None
        mask = cols.none()
        for decade in decades:
            mask |= cols.years_between(decade, decade + 9)
        return mask
    if name == "subject":
        ids = [int(v) for v in values if _ID.match(v)]
        return cols.with_subjects(ids) if ids else None
    if name in ("branch", "available"):
        condition, params = _facet_condition(name, values)
        holding = condition.replace("EXISTS (SELECT 1 ", "SELECT i.record_id ", 1)[:-1]
        holding = holding.replace("i.record_id = r.id AND ", "", 1)
        holders = (f"SELECT DISTINCT record_id FROM ({holding}) h", params)
        return cols.mask_of(backend().ids(holders))
    return None


def _item_counts(sql: _Sql, *, available_only: bool) -> list[tuple]:
    ids, params = _ids(sql)
    status = "i.status = %s" if available_only else "i.status <> %s"
    # CROSS JOIN: SQLite then walks the set and looks its copies up, rather than
    # walking every copy and looking each up in the set (PostgreSQL plans both alike).
    return _fetch(
        f"SELECT i.branch_id, COUNT(DISTINCT i.record_id) FROM ({ids}) x "
        f"CROSS JOIN catalog_item i WHERE i.record_id = x.id AND {status} GROUP BY i.branch_id",
        [*params, Item.Status.AVAILABLE if available_only else Item.Status.WITHDRAWN],
    )


def _copy_counts(base: _Sql, request: SearchRequest) -> tuple[list[tuple], list[tuple]]:
    """Per branch, how many records of the set have a copy available there, and any copy.

    Copies change with every loan, so they are counted in SQL, over the set
    (each facet leaving its own filter out); when neither facet has a value
    chosen, both count the same set, in one query.
    """
    withdrawn, available = Item.Status.WITHDRAWN, Item.Status.AVAILABLE
    if not _fetch("SELECT EXISTS (SELECT 1 FROM catalog_item WHERE status <> %s)", [withdrawn])[0][
        0
    ]:
        return [], []  # a catalogue without copies (yet): nothing to count
    if "available" in request.filters or "branch" in request.filters:
        return (
            _item_counts(_filtered(base, request, leave_out="available"), available_only=True),
            _item_counts(_filtered(base, request, leave_out="branch"), available_only=False),
        )
    ids, params = _ids(_filtered(base, request))
    rows = _fetch(
        "SELECT i.branch_id, COUNT(DISTINCT CASE WHEN i.status = %s THEN i.record_id END), "
        f"COUNT(DISTINCT i.record_id) FROM ({ids}) x CROSS JOIN catalog_item i "
        "WHERE i.record_id = x.id AND i.status <> %s GROUP BY i.branch_id",
        [available, *params, withdrawn],
    )
    return [(pk, n) for pk, n, _any in rows if n], [(pk, n) for pk, _n, n in rows]


def _ids(sql: _Sql) -> tuple[str, list]:
    """SELECT of the set's record ids (as ``id``), skipping the records table when it can."""
    if not sql.where and sql.matched is not None:
        return f"SELECT record_id AS id FROM ({sql.matched[0]}) matched", list(sql.matched[1])
    from_where, params = sql.from_where()
    return f"SELECT r.id AS id {from_where}", params


def _top(counts: dict, size: int = FACET_SIZE) -> list[tuple]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:size]


def _facet(name: str, counts: list[tuple], labels: dict, request: SearchRequest) -> Facet:
    chosen = request.filters.get(name, ())
    values = [
        FacetValue(str(value), str(labels.get(value, value)), count, str(value) in chosen)
        for value, count in counts
        if value not in (None, "")
    ]
    # A chosen value stays on the list even when no record has it any more.
    shown = {v.value for v in values}
    values += [FacetValue(value, value, 0, True) for value in chosen if value not in shown]
    return Facet(name, str(FACETS[name]), values)


def _facets(
    cols: columns.Columns,
    found: np.ndarray,
    filters: dict[str, np.ndarray],
    base: _Sql,
    request: SearchRequest,
) -> list[Facet]:
    """The facets of a search, counted exactly over the records in memory (``columns``).

    Each facet counts the set filtered by every filter but its own, so values
    of one facet can be combined.
    """

    def counted(name: str) -> np.ndarray:
        mask = found.copy()
        for other, kept in filters.items():
            if other != name:
                mask &= kept
        return mask

    branches = {b.pk: b for b in Branch.objects.only("pk", "code", "name")}

    def by_branch(rows: list[tuple]) -> list[tuple]:
        found = [(branches[pk].code, n) for pk, n in rows if pk in branches]
        return sorted(found, key=lambda row: (-row[1], row[0]))

    branch_labels = {b.code: b.name for b in branches.values()}
    decades = sorted(
        ((str(d), n) for d, n in cols.decade_counts(counted("decade")).items()), reverse=True
    )
    subject_counts = cols.subject_counts(counted("subject"), SUBJECT_FACET_SIZE)
    headings = dict(
        Subject.objects.filter(pk__in=[pk for pk, _n in subject_counts]).values_list(
            "pk", "heading"
        )
    )
    available, held = _copy_counts(base, request)
    return [
        _facet("available", by_branch(available), branch_labels, request),
        _facet("type", _top(cols.material_type.counts(counted("type"))), _TYPES, request),
        _facet(
            "language",
            _top(cols.language.counts(counted("language"))),
            _LanguageLabels(),
            request,
        ),
        _facet("decade", decades, {d: _decade_label(d) for d, _n in decades}, request),
        _facet(
            "subject",
            [(str(pk), n) for pk, n in subject_counts],
            {str(pk): heading for pk, heading in headings.items()},
            request,
        ),
        _facet("branch", by_branch(held), branch_labels, request),
        _facet("audience", _top(cols.audience.counts(counted("audience"))), _AUDIENCES, request),
    ]


def _decade_label(value: str) -> str:
    return _("%(start)s–%(end)s") % {"start": int(value), "end": int(value) + 9}


_TYPES = dict(MaterialType.choices)
_AUDIENCES = dict(Audience.choices)


class _LanguageLabels(dict):
    def get(self, key, default=None):
        return language_label(key) if key else default


# --- direct lookup and "did you mean" ------------------------------------------


def direct_record(text: str) -> int | None:
    """The record an ISBN or an item barcode typed alone stands for, if exactly one."""
    text = text.strip()
    if not text or " " in text:
        return None
    if isbn := compact_isbn(text):
        # scheme first: the (scheme, normalized) index answers it.
        ids = set(
            Identifier.objects.filter(scheme=Identifier.Scheme.ISBN, normalized=isbn)
            .values_list("record_id", flat=True)
            .distinct()[:2]
        )
        if len(ids) == 1:
            return ids.pop()
    if _BARCODE.match(text):
        # As typed or upper-cased (how barcodes are printed): both use the unique index,
        # with no ordering (Item's default joins the record and the branch to sort).
        found = dict(
            Item.objects.filter(barcode__in={text, text.upper()})
            .exclude(status=Item.Status.WITHDRAWN)
            .order_by()
            .values_list("barcode", "record_id")
        )
        return found.get(text, found.get(text.upper()))
    return None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _correction(word: str, frequency: dict[str, int]) -> str | None:
    search = backend()
    limit = 1 if len(word) <= 5 else 2
    candidates = [
        (term, _distance(word, term, limit))
        for term in search.similar_terms(word, 30)
        if term != word
    ]
    candidates = [(term, d) for term, d in candidates if d <= limit]
    if not candidates:
        return None
    known = search.document_frequency([term for term, _d in candidates], up_to=FREQUENCY_CAP)
    ranked = sorted(candidates, key=lambda c: (c[1], -known.get(c[0], 0), c[0]))
    best, _d = ranked[0]
    return best if known.get(best, 0) > frequency.get(word, 0) else None


def suggest(text: str, parsed: q.Query, total: int) -> str | None:
    """A corrected query when the query found little because of misspelt words."""
    words = [term.exact for clause in parsed.positive_words for term in clause.terms]
    if not words or total >= SUGGEST_BELOW:
        return None
    frequency = backend().document_frequency(words, up_to=SUGGEST_BELOW)
    corrections = {}
    for word in dict.fromkeys(words):
        if frequency.get(word, 0) < SUGGEST_BELOW and (better := _correction(word, frequency)):
            corrections[word] = better
    if not corrections:
        return None
    corrected = "".join(
        corrections.get(part.casefold(), part) for part in re.split(r"([^\W_]+)", text)
    )
    if not _finds_more_than(_query_sql(q.parse(corrected)), total):
        return None
    return corrected


# --- the doors' functions --------------------------------------------------------


def _in_title(parsed: q.Query) -> list[q.Words] | None:
    """The query's words and topics asked for in the title too; None when there are none.

    Words asked for in any field or in the subjects: a record that also has
    them in its title is about them. Names, publishers and title words are
    left alone.
    """
    wanted = [
        replace(clause, field="title")
        for clause in parsed.positive_words
        if clause.field in (None, "subject")
    ]
    return wanted or None


def _ranked(match: tuple[str, list], ids: np.ndarray | None, start: int, size: int) -> list[tuple]:
    """Ranked rows ``start`` to ``start + size`` of the full-text match, within ``ids`` if given."""
    sql, params = match
    order = f"ORDER BY score DESC, record_id DESC LIMIT {int(size)} OFFSET {int(start)}"
    if ids is None:
        return _fetch(f"SELECT record_id, score FROM ({sql}) m {order}", params)
    inside, more = backend().among(ids)
    return _fetch(
        # "+": a test on each row the index finds, never a look-up of each id in it.
        f"SELECT record_id, score FROM ({sql}) m WHERE +record_id IN ({inside}) {order}",
        [*params, *more],
    )


def _ranked_page(
    base: _Sql,
    parsed: q.Query,
    cols: columns.Columns,
    chosen: np.ndarray,
    narrowed: bool,
    start: int,
    size: int,
) -> list[tuple[int, float | None]]:
    """The page of a search by relevance: the full-text index's score, best first.

    Scoring costs SQLite's FTS5 about three microseconds a record, and a
    common word finds tens of thousands: there, a large set is ranked in two
    tiers, the records with every word (or topic) in their title first, where
    the words of a common search are meant to be, and a few thousand records
    at most, then the rest, each tier by score. The second tier is scored only when a
    page reaches it. (PostgreSQL scores the whole set as it finds it, and
    ranks it in memory: see ``_scored_page``.)
    """
    total = int(chosen.sum())
    tiers_above = backend().rank_in_tiers_above
    title_clauses = _in_title(parsed) if tiers_above is not None and total > tiers_above else None
    if title_clauses is None:
        return _ranked(base.ranked, cols.ids_of(chosen) if narrowed else None, start, size)
    search, words, negative = backend(), parsed.positive_words, parsed.negative_words
    in_title = chosen & cols.mask_of(search.ids(search.matching_ids(title_clauses, negative)))
    first = int(in_title.sum())
    rows = []
    if start < first:
        # The words in the title count twice: once as title words, once as words anywhere.
        tier = search.matching([*title_clauses, *words], negative)
        rows = _ranked(tier, cols.ids_of(in_title) if narrowed else None, start, size)
    if len(rows) < size:
        rest = chosen & ~in_title
        if len(title_clauses) == 1 and not narrowed:  # the index can leave the first tier out
            tier, ids = search.matching(words, [*negative, *title_clauses]), None
        else:
            tier, ids = base.ranked, cols.ids_of(rest)
        rows += _ranked(tier, ids, max(0, start - first), size - len(rows))
    return rows


def _scored_page(
    cols: columns.Columns, chosen: np.ndarray, scores: np.ndarray, start: int, size: int
) -> list[tuple[int, float | None]]:
    """Rows ``start`` to ``start + size`` of the chosen records by score, then the higher id.

    Only the records that can reach the page are sorted: those scoring at
    least the page's last place (ties at that score included).
    """
    positions = np.flatnonzero(chosen)
    if start >= len(positions):
        return []
    candidates = scores[positions]
    reach = start + size
    if reach < len(positions):
        last = np.partition(candidates, len(positions) - reach)[len(positions) - reach]
        positions, candidates = positions[candidates >= last], candidates[candidates >= last]
    # Positions follow the ids' order: the higher position is the higher id.
    order = np.lexsort((-positions, -candidates))[start:reach]
    return [(int(cols.ids[p]), float(scores[p])) for p in positions[order]]


def _page_of_hits(
    base: _Sql,
    parsed: q.Query,
    request: SearchRequest,
    cols: columns.Columns,
    chosen: np.ndarray,
    narrowed: bool,
    scores: np.ndarray | None,
) -> list[tuple[int, float | None]]:
    """(record id, score) of the page's hits, best first.

    ``narrowed``: ``chosen`` holds fewer records than the full-text match
    (filters, years, identifiers), so ranking keeps to its ids. ``scores``:
    every record's score when ``_found`` fetched them (see Backend.ranks_in_memory).
    """
    size, start = int(request.per_page), int((request.page - 1) * request.per_page)
    paging = f"LIMIT {size} OFFSET {start}"
    if request.sort == "title":
        from_where, params = _filtered(base, request).from_where()
        order = f"ORDER BY LOWER(r.title), r.id {paging}"
        return _fetch(f"SELECT r.id, NULL {from_where} {order}", params)
    if request.sort == "relevance" and scores is not None:
        return _scored_page(cols, chosen, scores, start, size)
    if request.sort == "relevance" and base.ranked is not None:
        return _ranked_page(base, parsed, cols, chosen, narrowed, start, size)
    # Newest, oldest, or no words to rank by: ordered from the columns in memory.
    ids, years = cols.ids[chosen], cols.year[chosen].astype(np.int64)
    if request.sort == "newest":  # year descending (unknown last), then id descending
        order = np.lexsort((-ids, -years))
    elif request.sort == "oldest":  # year ascending (unknown last), then id ascending
        order = np.lexsort((ids, np.where(years == columns.NO_YEAR, 1 << 40, years)))
    else:  # the newest records first
        order = np.arange(len(ids) - 1, -1, -1)
    return [(int(pk), None) for pk in ids[order[start : start + size]]]


def search(request: SearchRequest) -> SearchResult:
    """Run one search: hits for the page, total, facets, and a suggestion if one helps."""
    if direct := direct_record(request.q):
        return SearchResult(request, 1, hits_for([direct]), [], None, direct)
    parsed = q.parse(request.q)
    base = _query_sql(parsed)
    cols = columns.columns()
    scored = request.sort == "relevance" and backend().ranks_in_memory
    found, scores = _found(parsed, cols, scored=scored)
    filters = {
        name: mask
        for name, values in request.filters.items()
        if (mask := _filter_mask(name, values, cols)) is not None
    }
    chosen = found.copy()
    for mask in filters.values():
        chosen &= mask
    total = int(chosen.sum())
    # Whether the set is narrower than what the full-text index matches.
    narrowed = bool(filters) or any(
        isinstance(clause, (q.YearRange, q.Identifier)) for clause in parsed.clauses
    )
    rows = _page_of_hits(base, parsed, request, cols, chosen, narrowed, scores)
    facets = _facets(cols, found, filters, base, request)
    hits = hits_for([pk for pk, _s in rows], {pk: s for pk, s in rows})
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=facets,
        suggestion=suggest(request.q, parsed, total),
    )


def matching_record_ids(text: str) -> list[int]:
    """Every record a query finds, by id: for exports and other work on a whole result."""
    if direct := direct_record(text):
        return [direct]
    from_where, params = _query_sql(q.parse(text)).from_where()
    return [pk for (pk,) in _fetch(f"SELECT r.id {from_where} ORDER BY r.id", params)]


def new_arrivals(limit: int = 8) -> list[Hit]:
    """The newest records with at least one copy a patron can see."""
    visible = Item.objects.filter(record=OuterRef("pk")).exclude(status=Item.Status.WITHDRAWN)
    ids = list(
        Record.objects.filter(Exists(visible)).order_by("-pk").values_list("pk", flat=True)[:limit]
    )
    return hits_for(ids)


def autocomplete(text: str, *, limit: int = 8) -> list[Completion]:
    """Titles, authors and subjects for what the patron has typed so far."""
    words = split_words(text or "")
    if not words or len(" ".join(words)) < 2:
        return []
    *rest, prefix = words
    rest = [word for word in rest if word not in STOP_WORDS]  # never indexed
    sql, params = backend().title_prefix(rest, prefix)
    rows = _fetch(f"{sql} ORDER BY score DESC LIMIT {int(limit) * 2}", params)
    titles = Record.objects.filter(pk__in=[pk for pk, _s in rows]).only("pk", "title")
    title_of = {record.pk: record.title.rstrip(" /:;,.") for record in titles}
    completions: list[Completion] = []
    seen: set[str] = set()
    typed = " ".join(words)
    # Titles that begin with what was typed come first, then by relevance.
    rows.sort(key=lambda row: not fold(title_of.get(row[0], "")).startswith(typed))
    for pk, _score in rows:
        title = title_of.get(pk, "")
        if title and title.casefold() not in seen:
            seen.add(title.casefold())
            completions.append(Completion("title", title, pk))
    start, end = typed, typed + "\uffff"
    authors = (
        Contributor.objects.filter(key__gte=start, key__lt=end)
        .filter(Exists(RecordContributor.objects.filter(contributor=OuterRef("pk"))))
        .order_by("key")
        .values_list("name", flat=True)[:3]
    )
    subjects = (
        Subject.objects.filter(key__gte=start, key__lt=end)
        .order_by("key")
        .values_list("heading", flat=True)[:3]
    )
    names = [Completion("author", name.rstrip(" ,.")) for name in authors]
    topics = [Completion("subject", heading.rstrip(" .")) for heading in subjects]
    titles_wanted = max(limit - len(names) - len(topics), limit // 2)
    return (completions[:titles_wanted] + names + topics)[:limit]
