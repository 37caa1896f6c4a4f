from django.db import migrations


def add_defaults(apps, schema_editor):
    """The settings row and the library default rule: every loan finds a rule."""
    apps.get_model("circulation", "CirculationSettings").objects.get_or_create(pk=1)
    LoanRule = apps.get_model("circulation", "LoanRule")
    if not LoanRule.objects.filter(
        branch__isnull=True, category__isnull=True, material_type=""
    ).exists():
        LoanRule.objects.create(
            loan_days=14,
            max_loans=3,
            max_renewals=1,
            fine_per_day=500,
            fine_cap=10_000,
            grace_days=0,
            holds_allowed=True,
            max_holds=3,
        )


class Migration(migrations.Migration):
    dependencies = [("circulation", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
