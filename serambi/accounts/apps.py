from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "serambi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from .roles import sync_roles_after_migrate

        # Permissions exist only after migrate, so the role groups follow them there.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="serambi.sync_roles")
