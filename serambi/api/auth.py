"""Who is calling: a device with a token, or the site's own pages with the visitor's session.

Operations that need a signed-in person use :data:`SIGNED_IN` (either way
works); :data:`TOKEN_ONLY` is for what only makes sense for a token. On
success ``request.auth`` and ``request.user`` are the person; a token
request also carries ``request.api_token``.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from . import services
from .errors import CsrfFailed


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``, as issued by ``POST /auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = services.use_token(token.strip())
        if api_token is None:
            return None
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The visitor signed in on the website; unsafe methods also need the CSRF token.

    Unlike ninja's own SessionAuth, the CSRF check runs only for a signed-in
    session, so a request with neither a session nor a token gets a plain
    401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()

SIGNED_IN = [token_auth, session_auth]
TOKEN_ONLY = [token_auth]
