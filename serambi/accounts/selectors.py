from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import User


def staff_users() -> QuerySet[User]:
    """Everyone who holds a staff role, with their groups in one extra query."""
    return (
        User.objects.filter(is_staff=True)
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("username")
    )


def access_user_for_role_change(*, user_id: int, actor: User) -> User:
    from django.core.exceptions import PermissionDenied

    if not actor.has_perm("accounts.manage_roles"):
        raise PermissionDenied
    return get_object_or_404(User, pk=user_id)
