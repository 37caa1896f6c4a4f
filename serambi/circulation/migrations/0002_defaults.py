from django.db import migrations

from serambi.circulation.defaults import ensure_circulation_defaults


def add_defaults(apps, schema_editor):
    """The settings row and the library default rule: every loan finds a rule."""
    ensure_circulation_defaults(
        apps.get_model("circulation", "CirculationSettings"),
        apps.get_model("circulation", "LoanRule"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("circulation", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
