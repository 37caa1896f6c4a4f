"""The API at /api/v1/: one NinjaAPI, the routers mounted on it, one error shape.

Each app's API door is a ninja ``Router`` in that app (``serambi/<app>/api.py``
by convention); to mount one, add its prefix and import path to
:data:`ROUTERS`. Operations need a signed-in person unless they say
``auth=None``, so a new router is private until it chooses otherwise.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from . import errors
from .auth import SIGNED_IN

# (URL prefix, the router's import path); order is the order of the docs.
ROUTERS: list[tuple[str, str]] = [
    ("/auth", "serambi.api.routers.auth.router"),
    ("", "serambi.search.api.router"),
    ("", "serambi.catalog.api.router"),
    ("", "serambi.members.api.router"),
    ("", "serambi.circulation.api.router"),
    ("", "serambi.programs.api.router"),
    ("", "serambi.spaces.api.router"),
]

DESCRIPTION = """
The API of the library's catalogue and services, for the mobile app, kiosks
and the site's own pages.

**Signing in.** `POST /auth/token` with a username and password answers with a
token; send it on every request as `Authorization: Bearer <token>`. The site's
own pages may use the visitor's session instead (unsafe methods then need the
`X-CSRFToken` header).

**Staff and patrons.** The desk's operations (`/circulation/…`,
`/members/…`) need a staff account holding the act's permission, and answer
403 otherwise. The `/me…`, `/loans/…` and `/holds…` operations are the
signed-in patron's own: someone else's loan or hold is 404, and an account
without a library card gets 404 `members.not_a_member`.

**Errors** always look like `{"code": "…", "message": "…", "data": {…}}`:
`code` is stable and meant for programs, `message` is for people and speaks
the site's language (Indonesian unless the `django_language` cookie says `en`).
"""


class JsonParser(Parser):
    """Ninja's JSON parser, refusing text that is not valid Unicode (lone surrogates)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        # "\\ud800" is valid JSON but no valid text; refused here (400) rather
        # than failing later when a database or a hash is given it.
        json.dumps(data, ensure_ascii=False).encode()
        return data


class SerambiAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # Short, stable names for generated clients (api.search(), api.create_token()).
        return operation.view_func.__name__

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        """Each error located as the client wrote it: ``["query", "type", 0]``.

        Ninja names query parameters gathered in a schema by the schema's
        argument (``["query", "params", "type", 0]``) once the error is inside a
        list; this maps the longest known prefix back to the parameter.
        """
        errors = []
        for context in error_contexts:
            model = context.model
            flattened = model.__ninja_flatten_map_reverse__
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = tuple(error["loc"])
                for size in range(len(loc), 0, -1):
                    if loc[:size] in flattened:
                        loc = flattened[loc[:size]] + loc[size:]
                        break
                errors.append({"loc": [model.__ninja_param_source__, *loc], "msg": error["msg"]})
        return ValidationError(errors)


def build_api() -> NinjaAPI:
    api = SerambiAPI(
        title="Serambi API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=SIGNED_IN,
        parser=JsonParser(),
        # Swagger UI from ninja's own static files: the docs work without internet.
        docs=Swagger(settings={"persistAuthorization": True}),
    )
    errors.install(api)
    for prefix, router in ROUTERS:
        api.add_router(prefix, router)
    return api


api = build_api()
