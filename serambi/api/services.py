"""Issuing, using and revoking API tokens."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serambi.core.errors import DomainError
from serambi.core.services import record_audit

from . import attempts
from .models import ApiToken

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# A token's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# Longer than any token we issue; a longer header is not worth hashing.
MAX_SECRET_LENGTH = 200


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, to the device that asked; only its hash is kept


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _whole_minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def issue_token(*, username: str, password: str, name: str = "", client_ip: str) -> IssuedToken:
    """A new token for the person with these credentials, for one device.

    Refused with ``auth.too_many_attempts`` (and ``retry_after`` seconds)
    while the username or the address has too many recent failures, and
    with ``auth.invalid_credentials`` for a wrong username or password or
    an inactive account.
    """
    wait = attempts.seconds_until_allowed(username=username, client_ip=client_ip)
    if wait is not None:
        minutes = _whole_minutes(wait)
        raise DomainError(
            "auth.too_many_attempts",
            ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=wait,
        )
    # Outside the transaction: checking a password is slow on purpose, and on
    # SQLite a transaction holds the database's write lock.
    user = authenticate(username=username, password=password)
    if user is None:
        attempts.record_failure(username=username, client_ip=client_ip)
        raise DomainError("auth.invalid_credentials", _("The username or password is not correct."))
    attempts.forget_username(username)
    return create_token(user=user, name=name)


@transaction.atomic
def create_token(*, user: Any, name: str = "") -> IssuedToken:
    """A new token for someone already known to be who they are (signed in, or set up by staff)."""
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), key_hash=hash_secret(secret), prefix=secret[:PREFIX_LENGTH]
    )
    record_audit(
        by=user,
        action="api.token_created",
        target=token,
        data={"name": token.name, "prefix": token.prefix},
    )
    return IssuedToken(token=token, secret=secret)


def use_token(secret: str) -> ApiToken | None:
    """The live token with this secret (its user loaded), or None.

    A revoked token, or one whose user is no longer active, does not work.
    Its last use is brought up to date when it is older than
    :data:`LAST_USED_RESOLUTION`, so a busy kiosk does not write on every request.
    """
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke_token(*, token: ApiToken, by: Any) -> ApiToken:
    """Stop ``token`` from working; its row stays, for the audit trail."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            by=by,
            action="api.token_revoked",
            target=token,
            data={"name": token.name, "prefix": token.prefix, "user_id": token.user_id},
        )
    return token
