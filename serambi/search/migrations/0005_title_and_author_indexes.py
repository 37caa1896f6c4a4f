"""PostgreSQL: GIN indexes of the title's words and of the authors' words alone.

The document's one GIN index holds every word without its field, so
``judul:social`` found the 12,900 documents with "social" anywhere and read
each from the table to keep the 1,600 that have it in their title (30 ms at
250,000 records); through its own index, 8 ms. ``pengarang:press`` read
27,000 to keep 435: 35 ms, now 3. Each index is ``ts_filter`` of the
weighted tsvector (A the title, B the authors; see 0002), so they need no
column of their own and change with it. 24 MB and 19 MB at 250,000 records.
SQLite's FTS5 knows each word's column already.
"""

from django.db import migrations

_INDEXES = {
    "search_document_title_words": "a",
    "search_document_author_words": "b",
}


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, weight in _INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {name} ON search_document USING gin (ts_filter(vector, '{{{weight}}}'))"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fts_without_prefix_index")]

    operations = [migrations.RunPython(_create, _drop)]
