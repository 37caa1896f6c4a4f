"""SQLite: the full-text index without its prefix indexes (``prefix='2 3'``).

They doubled what every indexed record costs to write (the 250,000-record
import wrote the index in 17.4 s with them, 9.2 s without) and served only
the autocomplete's last, unfinished word, which they did not make faster:
bm25 over the titles found costs more than finding them (median 13.5 ms
with them, 15.2 ms without, over 22 typed prefixes at 250,000 records).
The index is rebuilt from search_document, which holds every indexed text.
PostgreSQL has nothing of the kind.
"""

from django.db import migrations

_FULL_TEXT_TABLE = """CREATE VIRTUAL TABLE search_fts USING fts5(
    title, author, subject, publisher, other,
    content='search_document', content_rowid='record_id',
    tokenize='unicode61 remove_diacritics 0 tokenchars ''_'''{options}
)"""


def _full_text_table(options: str):
    def recreate(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        # The triggers on search_document name search_fts and keep working.
        schema_editor.execute("DROP TABLE search_fts")
        schema_editor.execute(_FULL_TEXT_TABLE.format(options=options))
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")

    return recreate


class Migration(migrations.Migration):
    dependencies = [("search", "0003_state")]

    operations = [
        migrations.RunPython(_full_text_table(""), _full_text_table(", prefix='2 3'")),
    ]
