"""The search index's own tables.

``Document`` holds, for each record, the analyzed text of its fields (see
``analyzer.index_text``). The full-text structures that search it are made
by the database from these rows and never written by hand:

- SQLite: the FTS5 table ``search_fts`` with ``search_document`` as its
  external content, kept in step by triggers;
- PostgreSQL: the generated, weighted ``tsvector`` column ``vector`` of
  ``search_document`` with a GIN index.

Both are created in migration 0001 for the database in use, so a row written
here is searchable in the same transaction, and a record deleted takes its
document with it (``on_delete=CASCADE``, which fires the triggers).

``Term`` is the index's vocabulary of real words, for "did you mean" (FTS5
trigram table on SQLite, pg_trgm index on PostgreSQL).
"""

from django.db import models

from serambi.catalog.models import Record


class Document(models.Model):
    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField(blank=True)
    author = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    publisher = models.TextField(blank=True)
    other = models.TextField(blank=True)

    class Meta:
        db_table = "search_document"

    def __str__(self) -> str:
        return f"search document of record {self.record_id}"


class Term(models.Model):
    term = models.CharField(max_length=100, unique=True)

    class Meta:
        db_table = "search_term"

    def __str__(self) -> str:
        return self.term


class State(models.Model):
    """One row whose ``token`` changes whenever what the facets count changes.

    Database triggers (migration 0003) give it a new random value on every
    insert and delete of a record or a record's subject link, and on every
    change of a record's material type, language, year or audience, in the
    transaction that makes the change. A process holding the facet columns in
    memory (``columns.py``) compares tokens to know its copy is current. A
    random value rather than a counter: a change that is rolled back must not
    leave behind a number that a later change would reuse.
    """

    token = models.BigIntegerField(default=0)

    class Meta:
        db_table = "search_state"

    def __str__(self) -> str:
        return f"search state {self.token}"
