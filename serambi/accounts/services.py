from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.services import record_audit

from .models import User
from .roles import ROLES_BY_CODE


@transaction.atomic
def set_roles(*, user: User, roles: Iterable[str], by: User) -> User:
    """Give ``user`` exactly these roles; only someone who may manage roles can."""
    if not by.has_perm("accounts.manage_roles"):
        raise DomainError("accounts.not_allowed", _("You may not change staff roles."))
    codes = sorted(set(roles))
    unknown = [code for code in codes if code not in ROLES_BY_CODE]
    if unknown:
        raise DomainError(
            "accounts.unknown_role", _("Unknown role: %(role)s") % {"role": unknown[0]}
        )
    if (
        user == by
        and "administrator" not in codes
        and by.groups.filter(name="administrator").exists()
    ):
        raise DomainError(
            "accounts.cannot_demote_self",
            _("You cannot take the administrator role from yourself."),
        )
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=codes))
    user.is_staff = any(ROLES_BY_CODE[code].is_staff_role for code in codes)
    user.save(update_fields=["is_staff"])
    record_audit(
        by=by, action="accounts.set_roles", target=user, data={"before": before, "after": codes}
    )
    return user


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[str] = (),
    is_superuser: bool = False,
    by: User | None = None,
) -> User:
    """Create a person who can sign in, with roles (used by the demo and by administrators).

    ``is_superuser`` also opens the Django admin, the fallback for the first
    administrator of a library.
    """
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "accounts.username_taken",
            _("The username %(username)s is already taken.") % {"username": username},
        )
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    codes = list(roles)
    user.groups.set(Group.objects.filter(name__in=codes))
    user.is_staff = is_superuser or any(
        ROLES_BY_CODE[code].is_staff_role for code in codes if code in ROLES_BY_CODE
    )
    user.is_superuser = is_superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    record_audit(
        by=by,
        action="accounts.create_user",
        target=user,
        data={"roles": codes, "is_superuser": is_superuser},
    )
    return user
