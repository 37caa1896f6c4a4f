"""search_state and the triggers that change its token (see models.State)."""

from django.db import migrations, models

# What a change of these columns or rows does to the facets: it must reach State.token.
RECORD_COLUMNS = "material_type, language, year, audience"

SQLITE_EVENTS = [
    ("record_ai", "AFTER INSERT ON catalog_record"),
    ("record_ad", "AFTER DELETE ON catalog_record"),
    ("record_au", f"AFTER UPDATE OF {RECORD_COLUMNS} ON catalog_record"),
    ("subject_ai", "AFTER INSERT ON catalog_recordsubject"),
    ("subject_ad", "AFTER DELETE ON catalog_recordsubject"),
    ("subject_au", "AFTER UPDATE ON catalog_recordsubject"),
]
SQLITE_INSTALL = [
    f"""CREATE TRIGGER search_state_{name} {event} BEGIN
        UPDATE search_state SET token = random() WHERE id = 1;
    END"""
    for name, event in SQLITE_EVENTS
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS search_state_{name}" for name, _e in SQLITE_EVENTS]

# Once per statement, however many rows it writes (a MARC import's batches).
POSTGRES_INSTALL = [
    """CREATE FUNCTION search_state_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE search_state SET token = floor(random() * 9007199254740991)::bigint
        WHERE id = 1;
        RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER search_state_record
        AFTER INSERT OR DELETE OR UPDATE OF {RECORD_COLUMNS} ON catalog_record
        FOR EACH STATEMENT EXECUTE FUNCTION search_state_touch()""",
    """CREATE TRIGGER search_state_record_truncate AFTER TRUNCATE ON catalog_record
        FOR EACH STATEMENT EXECUTE FUNCTION search_state_touch()""",
    """CREATE TRIGGER search_state_subject
        AFTER INSERT OR DELETE OR UPDATE ON catalog_recordsubject
        FOR EACH STATEMENT EXECUTE FUNCTION search_state_touch()""",
    """CREATE TRIGGER search_state_subject_truncate AFTER TRUNCATE ON catalog_recordsubject
        FOR EACH STATEMENT EXECUTE FUNCTION search_state_touch()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS search_state_subject_truncate ON catalog_recordsubject",
    "DROP TRIGGER IF EXISTS search_state_subject ON catalog_recordsubject",
    "DROP TRIGGER IF EXISTS search_state_record_truncate ON catalog_record",
    "DROP TRIGGER IF EXISTS search_state_record ON catalog_record",
    "DROP FUNCTION IF EXISTS search_state_touch()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def _first_state(apps, schema_editor):
    apps.get_model("search", "State").objects.create(pk=1, token=0)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_record_facet_columns"),
        ("search", "0002_full_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="State",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "search_state"},
        ),
        migrations.RunPython(_first_state, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}),
        ),
    ]
