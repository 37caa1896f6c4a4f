"""The circulation settings row and the library default loan rule, written when missing.

Run by the data migration and again after every ``migrate`` or ``flush``
(post_migrate): every loan must find a rule, so a database never lacks the
default one. Existing rows are never changed.
"""

DEFAULT_RULE = {
    "loan_days": 14,
    "max_loans": 3,
    "max_renewals": 1,
    "fine_per_day": 500,
    "fine_cap": 10_000,
    "grace_days": 0,
    "holds_allowed": True,
    "max_holds": 3,
}


def ensure_circulation_defaults(settings_model, rule_model, *, using: str = "default") -> None:
    """The models are passed in so that a migration can give its historical ones."""
    settings_model.objects.using(using).get_or_create(pk=1)
    rules = rule_model.objects.using(using)
    if not rules.filter(branch__isnull=True, category__isnull=True, material_type="").exists():
        rules.create(**DEFAULT_RULE)


def ensure_after_migrate(sender, **kwargs) -> None:
    from .models import CirculationSettings, LoanRule

    ensure_circulation_defaults(CirculationSettings, LoanRule, using=kwargs.get("using", "default"))
