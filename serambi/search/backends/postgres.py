"""PostgreSQL full text: a weighted tsvector (A title … D the rest), GIN, pg_trgm suggestions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.db import connection

from ..analyzer import Term
from ..query import Words
from .base import Backend, Sql

# tsvector weight of each field (see migration 0002); publisher shares D with
# the rest and is checked again against its own column.
LABELS = {"title": "A", "author": "B", "subject": "C", "publisher": "D"}
# The fields whose words have a GIN index of their own (migration 0005).
FIELD_WEIGHTS = {"title": "a", "author": "b"}


def _lexeme(token: str, label: str = "") -> str:
    """A tsquery lexeme, quoted so that it is taken as it is (tokens are already analyzed)."""
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{label}" if label else quoted


def _term(term: Term, label: str) -> str:
    if term.stem == term.exact:
        return _lexeme(term.exact, label)
    return f"({_lexeme(term.stem, label)} | {_lexeme(term.exact, label)})"


def tsquery(clause: Words) -> str:
    label = LABELS.get(clause.field or "", "")
    if clause.phrase:
        stems = " <-> ".join(_lexeme(term.stem, label) for term in clause.terms)
        exact = " <-> ".join(_lexeme(term.exact, label) for term in clause.terms)
        return f"({stems})" if stems == exact else f"(({stems}) | ({exact}))"
    return "(" + " & ".join(_term(term, label) for term in clause.terms) + ")"


def _fetch_one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _numbers(data: bytes | memoryview | None, binary: str, dtype) -> np.ndarray:
    """Numbers sent as one binary string (``int8send``, ``float4send``), as an array."""
    return np.frombuffer(data or b"", dtype=binary).astype(dtype)


def _unlabelled(clause: Words) -> Words:
    return Words(clause.terms, None, clause.phrase, clause.negated)


def _in_field(weight: str, query: str) -> Sql:
    """The documents with ``query`` among the words of one weight, through its own index."""
    return f"ts_filter(d.vector, '{{{weight}}}') @@ %s::tsquery", [query]


def condition(
    clauses: list[Words], joiner: str, excluded: Sequence[Words] = ()
) -> tuple[str, list, str]:
    """WHERE of the documents matching every clause ("&") or any ("|") and none of
    ``excluded``; and the one tsquery of all of it, which ranks them.

    Title and author clauses go through their own indexes (migration 0005),
    the rest through the document's; "-word" is checked on the rows found.
    """
    ranking = f" {joiner} ".join(tsquery(clause) for clause in clauses)
    unwanted = " | ".join(tsquery(clause) for clause in excluded)
    if unwanted:
        ranking = f"({ranking}) & !({unwanted})"
    if joiner != "&":
        return "d.vector @@ %s::tsquery", [ranking], ranking
    parts, params = [], []
    rest = []
    for clause in clauses:
        if clause.field in FIELD_WEIGHTS:
            sql, more = _in_field(FIELD_WEIGHTS[clause.field], tsquery(_unlabelled(clause)))
            parts.append(sql)
            params += more
        else:
            rest.append(clause)
    if rest or not parts:
        query = " & ".join(tsquery(clause) for clause in rest)
        parts.append("d.vector @@ %s::tsquery")
        params.append(f"({query}) & !({unwanted})" if unwanted else query)
    elif unwanted:
        parts.append("NOT d.vector @@ %s::tsquery")
        params.append(unwanted)
    for clause in clauses:
        if clause.field == "publisher":
            parts.append("to_tsvector('simple'::regconfig, d.publisher) @@ %s::tsquery")
            params.append(tsquery(_unlabelled(clause)))
    return " AND ".join(parts), params, ranking


class PostgresBackend(Backend):
    # Whatever it asks of a match, PostgreSQL reads each matching row from the
    # table (GIN holds no record ids, no positions): ranking the page in a
    # second query read them all again. ts_rank on top of the one read costs
    # a fifth of that read.
    ranks_in_memory = True
    fences_limited_matches = True

    def matching(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        where, params, ranking = condition(clauses, "&", excluded)
        weights = self._weights()
        sql = (
            f"SELECT d.record_id, ts_rank('{weights}'::float4[], d.vector, %s::tsquery) AS score "
            f"FROM search_document d WHERE {where}"
        )
        return sql, [ranking, *params]

    def _weights(self) -> str:
        w = self.WEIGHTS
        top = w["title"]
        values = [w["other"] / top, w["subject"] / top, w["author"] / top, 1.0]
        return "{" + ",".join(f"{value:.2f}" for value in values) + "}"

    def matching_ids(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        where, params, _ranking = condition(clauses, "&", excluded)
        return f"SELECT d.record_id FROM search_document d WHERE {where}", params

    def matching_any(self, clauses: list[Words]) -> Sql:
        where, params, _ranking = condition(clauses, "|")
        return f"SELECT d.record_id FROM search_document d WHERE {where}", params

    def ids(self, sql: Sql) -> np.ndarray:
        # As big-endian binary: read in C, where 46,000 ids as text took 5 ms to parse.
        found = _fetch_one(f"SELECT string_agg(int8send(record_id), '') FROM ({sql[0]}) f", sql[1])
        return _numbers(found[0], ">i8", np.int64)

    def ids_and_scores(self, sql: Sql) -> tuple[np.ndarray, np.ndarray]:
        found = _fetch_one(
            "SELECT string_agg(int8send(record_id), ''), string_agg(float4send(score::float4), '') "
            f"FROM ({sql[0]}) f",
            sql[1],
        )
        return _numbers(found[0], ">i8", np.int64), _numbers(found[1], ">f4", np.float64)

    def among(self, ids: Sequence[int]) -> Sql:
        return "SELECT unnest(%s::bigint[])", [[int(pk) for pk in ids]]

    def title_prefix(self, words: list[str], prefix: str) -> Sql:
        ranking = " & ".join([_lexeme(word, "A") for word in words] + [_lexeme(prefix) + ":*A"])
        where, params = _in_field(
            FIELD_WEIGHTS["title"], " & ".join([*map(_lexeme, words), _lexeme(prefix) + ":*"])
        )
        weights = self._weights()
        sql = (
            f"SELECT d.record_id, ts_rank('{weights}'::float4[], d.vector, %s::tsquery) AS score "
            f"FROM search_document d WHERE {where}"
        )
        return sql, [ranking, *params]

    def similar_terms(self, word: str, limit: int) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_term WHERE term %% %s "
                "ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, words: list[str], up_to: int) -> dict[str, int]:
        """Counted in the table, whose rows the index points to: for a common word the
        cap saves reading tens of thousands of them (80 ms for 46,000 on the benchmark).
        Each word's rows are a materialized CTE, read lazily through the index."""
        if not words:
            return {}
        fences = ", ".join(
            f"w{n} AS MATERIALIZED (SELECT 1 FROM search_document d WHERE d.vector @@ %s::tsquery)"
            for n in range(len(words))
        )
        counts = " UNION ALL ".join(
            f"SELECT {n}, count(*) FROM (SELECT 1 FROM w{n} LIMIT %s) x" for n in range(len(words))
        )
        params = [_lexeme(word) for word in words] + [int(up_to)] * len(words)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {fences} {counts}", params)
            return {words[n]: count for n, count in cursor.fetchall()}
