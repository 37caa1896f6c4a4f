"""PostgreSQL full text: a weighted tsvector (A title … D the rest), GIN, pg_trgm suggestions."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from ..analyzer import Term
from ..query import Words
from .base import Backend, Sql

# tsvector weight of each field (see migration 0002); publisher shares D with
# the rest and is checked again against its own column.
LABELS = {"title": "A", "author": "B", "subject": "C", "publisher": "D"}


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


def _unlabelled(clause: Words) -> Words:
    return Words(clause.terms, None, clause.phrase, clause.negated)


def condition(clauses: list[Words], joiner: str, excluded: Sequence[Words] = ()) -> Sql:
    query = f" {joiner} ".join(tsquery(clause) for clause in clauses)
    if excluded:
        # Checked on the rows the index finds for the rest, not as a second search.
        query = f"({query}) & !({' | '.join(tsquery(clause) for clause in excluded)})"
    sql = "d.vector @@ %s::tsquery"
    params: list = [query]
    for clause in clauses:
        if clause.field == "publisher" and joiner == "&":
            sql += " AND to_tsvector('simple'::regconfig, d.publisher) @@ %s::tsquery"
            params.append(tsquery(_unlabelled(clause)))
    return sql, params


class PostgresBackend(Backend):
    def matching(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        where, params = condition(clauses, "&", excluded)
        query = params[0]
        weights = self._weights()
        sql = (
            f"SELECT d.record_id, ts_rank('{weights}'::float4[], d.vector, %s::tsquery) AS score "
            f"FROM search_document d WHERE {where}"
        )
        return sql, [query, *params]

    def _weights(self) -> str:
        w = self.WEIGHTS
        top = w["title"]
        values = [w["other"] / top, w["subject"] / top, w["author"] / top, 1.0]
        return "{" + ",".join(f"{value:.2f}" for value in values) + "}"

    def matching_ids(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        where, params = condition(clauses, "&", excluded)
        return f"SELECT d.record_id FROM search_document d WHERE {where}", params

    def matching_any(self, clauses: list[Words]) -> Sql:
        where, params = condition(clauses, "|")
        return f"SELECT d.record_id FROM search_document d WHERE {where}", params

    def joined_ids(self, sql: Sql) -> Sql:
        return f"SELECT string_agg(record_id::text, ',') FROM ({sql[0]}) found", list(sql[1])

    def among(self, ids: Sequence[int]) -> Sql:
        return "SELECT unnest(%s::bigint[])", [[int(pk) for pk in ids]]

    def title_prefix(self, words: list[str], prefix: str) -> Sql:
        parts = [_lexeme(word, "A") for word in words] + [_lexeme(prefix) + ":*A"]
        query = " & ".join(parts)
        weights = self._weights()
        sql = (
            f"SELECT d.record_id, ts_rank('{weights}'::float4[], d.vector, %s::tsquery) AS score "
            "FROM search_document d WHERE d.vector @@ %s::tsquery"
        )
        return sql, [query, query]

    def similar_terms(self, word: str, limit: int) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_term WHERE term %% %s "
                "ORDER BY similarity(term, %s) DESC, term LIMIT %s",
                [word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def document_frequency(self, words: list[str]) -> dict[str, int]:
        found = {}
        with connection.cursor() as cursor:
            for word in words:
                cursor.execute(
                    "SELECT count(*) FROM search_document d WHERE d.vector @@ %s::tsquery",
                    [_lexeme(word)],
                )
                found[word] = cursor.fetchone()[0]
        return found
