from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "serambi.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from .defaults import ensure_after_migrate

        # Also after `flush` (which tests run), which empties the table the migration filled.
        post_migrate.connect(ensure_after_migrate, sender=self)
