"""The full-text structures over search_document and search_term, per database.

SQLite: FTS5 tables with the document and term tables as external content,
kept in step by triggers (so every write to a Document is indexed in its own
transaction), and an fts5vocab view of the index's words.
PostgreSQL: a generated weighted tsvector with a GIN index, and pg_trgm on
the vocabulary. Weights: title A, author B, subject C, publisher and the
rest D; the SQLite backend gives bm25 the same order.
"""

from django.db import migrations

SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, author, subject, publisher, other,
        content='search_document', content_rowid='record_id',
        tokenize='unicode61 remove_diacritics 0 tokenchars ''_''', prefix='2 3'
    )""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, title, author, subject, publisher, other)
        VALUES (new.record_id, new.title, new.author, new.subject, new.publisher, new.other);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, author, subject, publisher, other)
        VALUES ('delete', old.record_id, old.title, old.author, old.subject, old.publisher,
                old.other);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, author, subject, publisher, other)
        VALUES ('delete', old.record_id, old.title, old.author, old.subject, old.publisher,
                old.other);
        INSERT INTO search_fts(rowid, title, author, subject, publisher, other)
        VALUES (new.record_id, new.title, new.author, new.subject, new.publisher, new.other);
    END""",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    """CREATE VIRTUAL TABLE search_term_trigram USING fts5(
        term, content='search_term', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER search_term_ai AFTER INSERT ON search_term BEGIN
        INSERT INTO search_term_trigram(rowid, term) VALUES (new.id, new.term);
    END""",
    """CREATE TRIGGER search_term_ad AFTER DELETE ON search_term BEGIN
        INSERT INTO search_term_trigram(search_term_trigram, rowid, term)
        VALUES ('delete', old.id, old.term);
    END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS search_term_ad",
    "DROP TRIGGER IF EXISTS search_term_ai",
    "DROP TABLE IF EXISTS search_term_trigram",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]

# A lexeme no query can produce, put between fields and between the stem and
# exact streams of one field (written " _ " by the analyzer), so that a phrase
# never matches the last word of one and the first word of the next.
PG_GAP = "'''-'':1'::tsvector"


def _pg_field(column: str) -> str:
    return (
        f"(to_tsvector('simple'::regconfig, split_part({column}, ' _ ', 1)) || {PG_GAP} "
        f"|| to_tsvector('simple'::regconfig, split_part({column}, ' _ ', 2)))"
    )


POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""ALTER TABLE search_document ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight({_pg_field("title")}, 'A')
        || {PG_GAP} || setweight({_pg_field("author")}, 'B')
        || {PG_GAP} || setweight({_pg_field("subject")}, 'C')
        || {PG_GAP} || setweight({_pg_field("publisher || ' ' || other")}, 'D')
    ) STORED""",
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "CREATE INDEX search_term_trigram ON search_term USING gin (term gin_trgm_ops)",
]
POSTGRES_REMOVE = [
    "DROP INDEX IF EXISTS search_term_trigram",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}),
        )
    ]
