from django.db import migrations

from serambi.members.defaults import ensure_default_categories


def add_categories(apps, schema_editor):
    ensure_default_categories(
        apps.get_model("members", "MemberCategory"), using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
