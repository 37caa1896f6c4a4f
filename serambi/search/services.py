"""Search: one function every door calls (OPAC pages, REST API, later SRU).

The backend finds the documents that match the words (full text, ranked);
everything else — filters, facet counts, sorting, paging — is plain SQL over
the catalogue's own tables, written once here for both databases. A result
page costs a fixed number of queries whatever its size: the hits, the total,
one per facet, and three to fetch the records, their names and their copies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch
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

from . import query as q
from .analyzer import STOP_WORDS, split_words
from .backends import backend
from .types import FACETS, Completion, Facet, FacetValue, Hit, SearchRequest, SearchResult

SUGGEST_BELOW = 3  # hits under which a typo is suspected
SUBJECT_FACET_SIZE = 15
# Sets larger than this have their subjects counted from this many records.
SUBJECT_FACET_SAMPLE = 10_000
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


def _count(sql: _Sql) -> int:
    from_where, params = sql.from_where()
    return _fetch(f"SELECT COUNT(*) {from_where}", params)[0][0]


def hits_for(record_ids: list[int], scores: dict[int, float] | None = None) -> list[Hit]:
    """Records in the given order, with names, identifiers and copies: three queries."""
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
            Prefetch("identifiers", queryset=Identifier.objects.filter(is_cancelled=False)),
        )
    )
    by_id = {record.pk: record for record in records}
    availability = availability_by_branch(record_ids)
    scores = scores or {}
    return [
        Hit(by_id[pk], scores.get(pk), availability.get(pk, [])) for pk in record_ids if pk in by_id
    ]


# --- facets --------------------------------------------------------------------


# The facets that are columns of the record, and how to read each one.
RECORD_COLUMN_FACETS = {
    "type": "r.material_type",
    "language": "r.language",
    "decade": "(r.year / 10) * 10",
    "audience": "r.audience",
}


def _column_counts(sql: _Sql, names: list[str]) -> tuple[dict[str, Counter], int]:
    """Counts of the values of several column facets over one set, in a single pass.

    The set is grouped by every combination of the columns (a few hundred at
    most) and each facet's counts are summed from those; the sum of all is
    the size of the set.
    """
    from_where, params = sql.from_where()
    columns = ", ".join(RECORD_COLUMN_FACETS[name] for name in names)
    positions = ", ".join(str(i + 1) for i in range(len(names)))
    counts: dict[str, Counter] = {name: Counter() for name in names}
    total = 0
    for *values, n in _fetch(
        f"SELECT {columns}, COUNT(*) {from_where} GROUP BY {positions}", params
    ):
        total += n
        for name, value in zip(names, values, strict=True):
            counts[name][value] += n
    return counts, total


def _ids(sql: _Sql) -> tuple[str, list]:
    """SELECT of the set's record ids (as ``id``), skipping the records table when it can."""
    if not sql.where and sql.matched is not None:
        return f"SELECT record_id AS id FROM ({sql.matched[0]}) matched", list(sql.matched[1])
    from_where, params = sql.from_where()
    return f"SELECT r.id AS id {from_where}", params


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


def _subject_counts(sql: _Sql, *, sample: int | None) -> list[tuple]:
    """The most frequent subjects of the set, or of its ``sample`` newest records.

    A record has several subjects, so counting them costs a look-up per record:
    over 100,000 records, most of a second. Large sets are counted from a
    sample, as Koha and Evergreen do, and the facet says so.
    """
    ids, params = _ids(sql)
    if sample is not None:
        ids = f"SELECT id FROM ({ids}) whole ORDER BY id DESC LIMIT {int(sample)}"
    return _fetch(
        f"SELECT rs.subject_id, COUNT(*) AS n FROM ({ids}) x "
        "CROSS JOIN catalog_recordsubject rs WHERE rs.record_id = x.id "
        f"GROUP BY rs.subject_id ORDER BY n DESC, rs.subject_id LIMIT {SUBJECT_FACET_SIZE}",
        params,
    )


def _top(counts: Counter, size: int = FACET_SIZE) -> list[tuple]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[:size]


def _facet(
    name: str,
    counts: list[tuple],
    labels: dict,
    request: SearchRequest,
    *,
    sample: int | None = None,
) -> Facet:
    chosen = request.filters.get(name, ())
    values = [
        FacetValue(str(value), str(labels.get(value, value)), count, str(value) in chosen)
        for value, count in counts
        if value not in (None, "")
    ]
    # A chosen value stays on the list even when no record has it any more.
    shown = {v.value for v in values}
    values += [FacetValue(value, value, 0, True) for value in chosen if value not in shown]
    return Facet(name, str(FACETS[name]), values, sample)


def _facets(base: _Sql, request: SearchRequest) -> tuple[list[Facet], int | None]:
    """The facets of a search, and its total when counting them told it.

    Each facet counts the set filtered by every filter but its own, so values
    of one facet can be combined. The column facets with no value chosen all
    count the same set (every filter applies), so they share one query.
    """

    def filtered(name: str) -> _Sql:
        return _filtered(base, request, leave_out=name)

    shared = [name for name in RECORD_COLUMN_FACETS if name not in request.filters]
    counts, total = _column_counts(_filtered(base, request), shared) if shared else ({}, None)
    for name in RECORD_COLUMN_FACETS:
        if name in request.filters:
            counts[name] = _column_counts(filtered(name), [name])[0][name]

    branches = {b.pk: b for b in Branch.objects.only("pk", "code", "name")}

    def by_branch(rows: list[tuple]) -> list[tuple]:
        found = [(branches[pk].code, n) for pk, n in rows if pk in branches]
        return sorted(found, key=lambda row: (-row[1], row[0]))

    branch_labels = {b.code: b.name for b in branches.values()}
    decades = sorted(((str(d), n) for d, n in counts["decade"].items() if d), reverse=True)
    subject_set = filtered("subject")
    subject_total = total if "subject" not in request.filters else None
    if subject_total is None:
        subject_total = _count(subject_set)
    sample = SUBJECT_FACET_SAMPLE if subject_total > SUBJECT_FACET_SAMPLE else None
    subject_counts = _subject_counts(subject_set, sample=sample)
    headings = dict(
        Subject.objects.filter(pk__in=[pk for pk, _n in subject_counts]).values_list(
            "pk", "heading"
        )
    )
    facets = [
        _facet(
            "available",
            by_branch(_item_counts(filtered("available"), available_only=True)),
            branch_labels,
            request,
        ),
        _facet("type", _top(counts["type"]), _TYPES, request),
        _facet("language", _top(counts["language"]), _LanguageLabels(), request),
        _facet("decade", decades, {d: _decade_label(d) for d, _n in decades}, request),
        _facet(
            "subject",
            [(str(pk), n) for pk, n in subject_counts],
            {str(pk): heading for pk, heading in headings.items()},
            request,
            sample=sample,
        ),
        _facet(
            "branch",
            by_branch(_item_counts(filtered("branch"), available_only=False)),
            branch_labels,
            request,
        ),
        _facet("audience", _top(counts["audience"]), _AUDIENCES, request),
    ]
    return facets, total


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
        # As typed or upper-cased (how barcodes are printed): both use the unique index.
        return (
            Item.objects.filter(barcode__in={text, text.upper()})
            .exclude(status=Item.Status.WITHDRAWN)
            .values_list("record_id", flat=True)
            .first()
        )
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
    known = search.document_frequency([term for term, _d in candidates])
    ranked = sorted(candidates, key=lambda c: (c[1], -known.get(c[0], 0), c[0]))
    best, _d = ranked[0]
    return best if known.get(best, 0) > frequency.get(word, 0) else None


def suggest(text: str, parsed: q.Query, total: int) -> str | None:
    """A corrected query when the query found little because of misspelt words."""
    words = [term.exact for clause in parsed.positive_words for term in clause.terms]
    if not words or total >= SUGGEST_BELOW:
        return None
    frequency = backend().document_frequency(words)
    corrections = {}
    for word in dict.fromkeys(words):
        if frequency.get(word, 0) < SUGGEST_BELOW and (better := _correction(word, frequency)):
            corrections[word] = better
    if not corrections:
        return None
    corrected = "".join(
        corrections.get(part.casefold(), part) for part in re.split(r"([^\W_]+)", text)
    )
    if _count(_query_sql(q.parse(corrected))) <= total:
        return None
    return corrected


# --- the doors' functions --------------------------------------------------------


def _page_of_hits(sql: _Sql, request: SearchRequest) -> list[tuple[int, float | None]]:
    """(record id, score) of the page's hits, best first."""
    paging = f"LIMIT {int(request.per_page)} OFFSET {int((request.page - 1) * request.per_page)}"
    if sql.ranked is not None and not sql.where and request.sort == "relevance":
        # Words alone, by relevance: the full-text index answers without the records.
        match, params = sql.ranked
        order = "ORDER BY score DESC, record_id DESC"
        return _fetch(f"SELECT record_id, score FROM ({match}) m {order} {paging}", params)
    from_where, params = sql.from_where(with_score=sql.is_ranked)
    score = "m.score" if sql.is_ranked else "NULL"
    order = _order_by(request, sql.is_ranked)
    return _fetch(f"SELECT r.id, {score} {from_where} ORDER BY {order} {paging}", params)


def search(request: SearchRequest) -> SearchResult:
    """Run one search: hits for the page, total, facets, and a suggestion if one helps."""
    if direct := direct_record(request.q):
        return SearchResult(request, 1, hits_for([direct]), [], None, direct)
    parsed = q.parse(request.q)
    base = _query_sql(parsed)
    sql = _filtered(base, request)
    rows = _page_of_hits(sql, request)
    facets, total = _facets(base, request)
    if total is None:  # every column facet has a value chosen: count the set itself
        total = _count(sql)
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
