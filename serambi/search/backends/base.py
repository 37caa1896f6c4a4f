"""What a full-text backend does; the service composes everything else in plain SQL.

A backend turns parsed clauses into SQL over its own index structures and
finds words that look like a misspelt one. It returns ``(sql, params)``
pairs that the service joins with the catalogue's tables, so the filters,
facets, sorting and paging are written once for both databases.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from ..query import Words

Sql = tuple[str, list]


class Backend(ABC):
    # Relative weight of a match in each field; title > author > subject > the rest.
    WEIGHTS = {"title": 10.0, "author": 6.0, "subject": 4.0, "publisher": 1.5, "other": 1.0}
    # The catalogue's records as the service's SQL names them (alias r).
    records = "catalog_record r"
    # Sets larger than this are ranked in tiers, title matches first (None: never);
    # see services._ranked_page.
    rank_in_tiers_above: int | None = None
    # Whether a search by relevance fetches every match's score with its id, in
    # the one pass that finds the ids, and ranks the page in memory; see
    # services._scored_page.
    ranks_in_memory: bool = False
    # Whether a match under a LIMIT must be fenced off (a materialized CTE) to be
    # read through the index; see services._finds_more_than.
    fences_limited_matches: bool = False

    @abstractmethod
    def matching(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        """SELECT record_id, score of the documents matching every clause and none of
        ``excluded`` (higher score first)."""

    @abstractmethod
    def matching_ids(self, clauses: list[Words], excluded: Sequence[Words] = ()) -> Sql:
        """SELECT record_id of the documents ``matching`` finds, without a score."""

    @abstractmethod
    def matching_any(self, clauses: list[Words]) -> Sql:
        """SELECT record_id of the documents matching at least one clause (for ``-word``)."""

    @abstractmethod
    def title_prefix(self, words: list[str], prefix: str) -> Sql:
        """SELECT record_id, score of titles with ``words`` and a word starting ``prefix``."""

    @abstractmethod
    def ids(self, sql: Sql) -> np.ndarray:
        """The ``record_id`` column of ``sql``, fetched in one piece."""

    @abstractmethod
    def ids_and_scores(self, sql: Sql) -> tuple[np.ndarray, np.ndarray]:
        """The ``record_id`` and ``score`` columns of ``sql``, fetched in one piece."""

    @abstractmethod
    def among(self, ids: Sequence[int]) -> Sql:
        """A subquery of these ids, for ``column IN (...)`` (any number of them)."""

    @abstractmethod
    def similar_terms(self, word: str, limit: int) -> list[str]:
        """Words of the index's vocabulary spelt like ``word``, most alike first."""

    @abstractmethod
    def document_frequency(self, words: list[str], up_to: int) -> dict[str, int]:
        """In how many documents each word occurs (any form, any field), counted up to
        ``up_to``: a word in more documents than that is given ``up_to``."""
