"""Tokens for apps: sign in for one, list them, revoke them."""

import datetime

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from serambi.api import selectors, services
from serambi.api.auth import SIGNED_IN, TOKEN_ONLY
from serambi.api.errors import error_responses

router = Router(tags=["auth"])

# No control characters: they are never part of a username or a device name.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150, pattern=PRINTABLE)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(
        "", max_length=100, pattern=PRINTABLE, description="A label for the device, e.g. Kiosk 1."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None = Field(description="Updated at most once a minute.")


class NewTokenOut(TokenOut):
    token: str = Field(description="Send as “Authorization: Bearer <token>”. Shown only once.")


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


@router.post(
    "/token",
    auth=None,
    response={201: NewTokenOut, **error_responses(400, 401, 422, 429)},
    summary="Sign in: a new token for this device",
    openapi_extra={
        "responses": {
            429: {
                "headers": {
                    "Retry-After": {
                        "description": "Seconds until signing in may be tried again.",
                        "schema": {"type": "integer"},
                    }
                }
            }
        }
    },
)
def create_token(request: HttpRequest, credentials: TokenIn):
    """Five wrong passwords for one username, or twenty from one address, within
    15 minutes, and signing in is refused for a while (429 ``auth.too_many_attempts``)."""
    issued = services.issue_token(
        username=credentials.username,
        password=credentials.password,
        name=credentials.name,
        client_ip=_client_ip(request),
    )
    return Status(201, {**TokenOut.from_orm(issued.token).model_dump(), "token": issued.secret})


@router.delete(
    "/token",
    auth=TOKEN_ONLY,
    response={204: None, **error_responses(401)},
    summary="Sign out: revoke the token sent with this request",
)
def revoke_current_token(request: HttpRequest):
    services.revoke_token(token=request.api_token, by=request.auth)
    return Status(204, None)


@router.get(
    "/tokens",
    auth=SIGNED_IN,
    response={200: list[TokenOut], **error_responses(401)},
    summary="The caller's working tokens (without their secrets)",
)
def list_tokens(request: HttpRequest):
    return selectors.active_tokens(request.auth)


@router.delete(
    "/tokens/{token_id}",
    auth=SIGNED_IN,
    response={204: None, **error_responses(401, 403, 404, 422)},
    summary="Revoke one of the caller's tokens",
)
def revoke_token(request: HttpRequest, token_id: int = Path(..., ge=1, le=2**63 - 1)):
    token = selectors.access_own_token(token_id=token_id, user=request.auth)
    services.revoke_token(token=token, by=request.auth)
    return Status(204, None)
