"""Reads of API tokens: a person sees and revokes only their own."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError

from .models import ApiToken


def active_tokens(user: Any) -> QuerySet[ApiToken]:
    """The tokens that still work for ``user``, newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def access_own_token(*, token_id: int, user: Any) -> ApiToken:
    """One of ``user``'s working tokens; someone else's token is "not found", not "forbidden"."""
    token = active_tokens(user).filter(pk=token_id).first()
    if token is None:
        raise DomainError("api.token_not_found", _("There is no such token."), token_id=token_id)
    return token
