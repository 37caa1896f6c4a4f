"""SQLite FTS5: bm25 ranking with field weights, trigram vocabulary for suggestions."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
from django.db import connection

from ..analyzer import Term
from ..columns import numbers
from ..query import Words
from .base import Backend, Sql

COLUMNS = ("title", "author", "subject", "publisher", "other")
# Words looked at, for each word similar_terms returns: those found under most trigrams.
_CANDIDATES_PER_RESULT = 5
_ANY_OF = "{" + " ".join(COLUMNS) + "}"


def _trigrams(word: str) -> set[str]:
    # As FTS5's trigram tokenizer sees a word: case folded.
    word = word.casefold()
    return {word[i : i + 3] for i in range(len(word) - 2)}


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _term(term: Term) -> str:
    if term.stem == term.exact:
        return _quote(term.exact)
    return f"({_quote(term.stem)} OR {_quote(term.exact)})"


def expression(clause: Words) -> str:
    """The FTS5 expression of one clause (fields map one to one to columns)."""
    if clause.phrase:
        stems = " ".join(term.stem for term in clause.terms)
        exact = " ".join(term.exact for term in clause.terms)
        body = _quote(exact) if stems == exact else f"({_quote(stems)} OR {_quote(exact)})"
    else:
        body = " AND ".join(_term(term) for term in clause.terms)
        body = f"({body})"
    if clause.field:
        return f"{{{clause.field}}} : {body}"
    return body


def _match(clauses: list[Words], excluded: Sequence[Words]) -> str:
    match = " AND ".join(expression(clause) for clause in clauses)
    if excluded:
        match = f"({match}) NOT ({' OR '.join(expression(clause) for clause in excluded)})"
    return match


class SQLiteBackend(Backend):
    # SQLite's planner looks records up by rowid, reading whole rows (with their
    # MARC) to get four small columns; the index that holds them is three times
    # faster for a common word (46,000 hits of 250,000: 80 -> 26 ms).
    records = "catalog_record r INDEXED BY record_facet_columns"
    rank_in_tiers_above = 4000

    def _bm25(self) -> str:
        weights = ", ".join(str(self.WEIGHTS[column]) for column in COLUMNS)
        return f"bm25(search_fts, {weights})"

    def matching(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        match = _match(clauses, excluded)
        # bm25 is lower for better matches; negate so that higher is better everywhere.
        sql = (
            f"SELECT rowid AS record_id, -{self._bm25()} AS score "
            "FROM search_fts WHERE search_fts MATCH %s"
        )
        return sql, [match]

    def matching_ids(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        match = _match(clauses, excluded)
        return "SELECT rowid AS record_id FROM search_fts WHERE search_fts MATCH %s", [match]

    def matching_any(self, clauses: list[Words]) -> Sql:
        match = " OR ".join(expression(clause) for clause in clauses)
        return "SELECT rowid AS record_id FROM search_fts WHERE search_fts MATCH %s", [match]

    def ids(self, sql: Sql) -> np.ndarray:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT group_concat(record_id) FROM ({sql[0]})", sql[1])
            return numbers(cursor.fetchone()[0])

    def ids_and_scores(self, sql: Sql) -> tuple[np.ndarray, np.ndarray]:
        # 17 digits: a double read back is the same double (group_concat writes 15).
        # Materialized: bm25() works only in the query that runs the MATCH.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH found AS MATERIALIZED ({sql[0]}) "
                "SELECT group_concat(record_id), group_concat(printf('%%.17g', score)) FROM found",
                sql[1],
            )
            ids, scores = cursor.fetchone()
        return numbers(ids), numbers(scores, np.float64)

    def among(self, ids: Sequence[int]) -> Sql:
        # One parameter, however many ids (SQLite allows 32,766 parameters).
        return "SELECT value FROM json_each(%s)", [json.dumps([int(pk) for pk in ids])]

    def title_prefix(self, words: list[str], prefix: str) -> Sql:
        parts = [_quote(word) for word in words] + [_quote(prefix) + "*"]
        match = "{title} : (" + " AND ".join(parts) + ")"
        sql = (
            f"SELECT rowid AS record_id, -{self._bm25()} AS score "
            "FROM search_fts WHERE search_fts MATCH %s"
        )
        return sql, [match]

    def similar_terms(self, word: str, limit: int) -> list[str]:
        """Words sharing the most of ``word``'s trigrams, by pg_trgm's similarity.

        Each trigram's words come from the trigram index as one string; the
        words found under most trigrams are then scored by shared / all the
        trigrams of both (what pg_trgm's ``similarity`` computes). Ranking
        every word with any trigram by bm25 instead cost ten times as much.
        """
        trigrams = _trigrams(word)
        if not trigrams:
            return []
        one = (
            "SELECT group_concat(rowid) FROM search_term_trigram WHERE search_term_trigram MATCH %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join([one] * len(trigrams)), [_quote(t) for t in sorted(trigrams)]
            )
            found = [numbers(text) for (text,) in cursor.fetchall() if text]
            if not found:
                return []
            ids, shared = np.unique(np.concatenate(found), return_counts=True)
            best = np.argsort(-shared, kind="stable")[: limit * _CANDIDATES_PER_RESULT]
            shared_by_id = dict(zip(ids[best].tolist(), shared[best].tolist(), strict=True))
            cursor.execute(
                "SELECT id, term FROM search_term WHERE id IN (SELECT value FROM json_each(%s))",
                [json.dumps(list(shared_by_id))],
            )
            terms = cursor.fetchall()

        def similarity(row: tuple[int, str]) -> float:
            common = shared_by_id[row[0]]
            return common / (len(trigrams) + len(_trigrams(row[1])) - common)

        terms.sort(key=lambda row: (-similarity(row), row[1]))
        return [term for _pk, term in terms[:limit]]

    def document_frequency(self, words: list[str], up_to: int) -> dict[str, int]:
        if not words:
            return {}
        placeholders = ", ".join(["%s"] * len(words))
        with connection.cursor() as cursor:
            # The vocabulary counts exactly at no cost; capped all the same, so that
            # both databases suggest alike.
            cursor.execute(
                f"SELECT term, MIN(doc, %s) FROM search_fts_vocab WHERE term IN ({placeholders})",
                [int(up_to), *words],
            )
            return dict(cursor.fetchall())
