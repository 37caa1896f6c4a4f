from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in: staff, and (from the members issue on) patrons."""

    home_branch = models.ForeignKey(
        "core.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home branch"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_roles", _("Can assign staff roles"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_workspace_user(self) -> bool:
        return self.has_perm("core.access_workspace")
