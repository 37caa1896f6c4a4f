"""The API's one error shape, ``{"code", "message", "data"}``, for every refusal.

A :class:`~serambi.core.errors.DomainError` keeps its stable code and gets a
status from :func:`status_for_code`; the API's own refusals (no or bad
credentials, invalid parameters, an unknown path, a method the path does not
take) use the codes in :data:`HTTP_ERROR_CODES`. Every operation documents
the errors it can answer with through :func:`error_responses`, so the OpenAPI
schema lists each status a client may see.
"""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.urls import URLPattern
from django.utils.log import log_response
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import ConfigDict, Field

from serambi.core.errors import DomainError

# Status of a DomainError, from the last part of its code ("catalog.invalid_barcode"
# -> "invalid_barcode"); the first rule that matches wins, 409 when none does.
STATUS_BY_ENDING: tuple[tuple[str, int], ...] = (
    ("not_found", 404),
    ("permission_denied", 403),
    ("forbidden", 403),
    ("not_allowed", 403),
    ("too_many_attempts", 429),
)
STATUS_BY_APP: tuple[tuple[str, int], ...] = (("auth", 401),)
# The value sent cannot be right whatever the library's state: the codes'
# naming habits for that (invalid_isbn, unknown_role, bad_weekday, title_required,
# year_out_of_range) give 422.
VALIDATION_STARTS = ("invalid_", "unknown_", "bad_")
VALIDATION_ENDINGS = ("_required", "_out_of_range")
DEFAULT_DOMAIN_STATUS = 409  # understood, but a rule of the library refused it now

# Codes of the API's own refusals, by status.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "auth.required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}


def status_for_code(code: str) -> int:
    """The HTTP status that answers a DomainError with this code."""
    app, _dot, name = code.rpartition(".")
    for ending, status in STATUS_BY_ENDING:
        if name.endswith(ending):
            return status
    for app_label, status in STATUS_BY_APP:
        if app == app_label:
            return status
    if name.startswith(VALIDATION_STARTS) or name.endswith(VALIDATION_ENDINGS):
        return 422
    return DEFAULT_DOMAIN_STATUS


class ErrorOut(Schema):
    code: str = Field(description="Stable, machine-readable: auth.required, not_found …")
    message: str = Field(description="For people, in the language of the request.")
    data: dict[str, Any] = Field(default_factory=dict, description="Facts a client may use.")


class FieldError(Schema):
    loc: list[str | int] = Field(description='Where: ["query", "page"], ["body", "username"] …')
    msg: str


class ValidationErrorData(Schema):
    # A DomainError answered with 422 (catalog.invalid_barcode …) carries its own facts instead.
    model_config = ConfigDict(extra="allow")

    errors: list[FieldError] = Field(
        default_factory=list, description="Each value refused, for validation_error."
    )


class ValidationErrorOut(Schema):
    code: str = Field(description="validation_error, or the code of a rule refusing a value.")
    message: str
    data: ValidationErrorData


class CsrfFailed(HttpError):
    """A request signed in with the site's session that lacks the CSRF token."""

    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """Response schemas for the given error statuses, to merge into an operation's ``response``."""
    return {status: ValidationErrorOut if status == 422 else ErrorOut for status in statuses}


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, **data: Any
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "data": data}, status=status
    )


def install(api: NinjaAPI) -> None:
    """Answer every exception an operation raises in the one error shape."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = status_for_code(exc.code)
        response = api.create_response(request, exc.as_dict(), status=status)
        if status == 429 and isinstance(exc.data.get("retry_after"), int):
            response["Retry-After"] = str(exc.data["retry_after"])
        return response

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ]
        return error_response(
            api,
            request,
            status=422,
            code=HTTP_ERROR_CODES[422],
            message=_("Some of the values sent are not valid."),
            errors=errors,
        )

    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=401,
            code=HTTP_ERROR_CODES[401],
            message=_("Sign in first: send a token as “Authorization: Bearer <token>”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = error_response(
            api,
            request,
            status=429,
            code=HTTP_ERROR_CODES[429],
            message=_("Too many requests. Please wait a moment and try again."),
        )
        if exc.wait is not None:
            response["Retry-After"] = str(math.ceil(exc.wait))
        return response

    def csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
        return error_response(
            api,
            request,
            status=403,
            code="csrf_failed",
            message=_("The page's security token is missing or out of date. Reload the page."),
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja's own refusals, such as a request body that is not JSON.
        messages = {
            400: _("The request could not be read."),
            403: _("You may not do this."),
        }
        return error_response(
            api,
            request,
            status=exc.status_code,
            code=HTTP_ERROR_CODES.get(exc.status_code, "error"),
            message=messages.get(exc.status_code, _("The request was refused.")),
        )

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            api, request, status=404, code=HTTP_ERROR_CODES[404], message=_("Not found.")
        )

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(
            api, request, status=403, code=HTTP_ERROR_CODES[403], message=_("You may not do this.")
        )

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Django would answer with the site's HTML error page; an app wants JSON.
        # The signal and the log entry (with the traceback) are Django's own, so
        # error reports and the test client's re-raise work as for any view.
        got_request_exception.send(sender=None, request=request)
        response = error_response(
            api,
            request,
            status=500,
            code=HTTP_ERROR_CODES[500],
            message=_("Something went wrong on our side. Please try again later."),
        )
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exc,
        )
        return response

    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (DomainError, domain_error),
        (ValidationError, validation_error),
        (AuthenticationError, authentication_error),
        (Throttled, throttled),
        (CsrfFailed, csrf_failed),
        (HttpError, http_error),
        (Http404, not_found),
        (PermissionDenied, permission_denied),
        (Exception, server_error),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)


def json_response_for(status: int, *, message: str, **data: Any) -> HttpResponse:
    """An error answered outside any operation (unknown path, wrong method), in the same shape."""
    return JsonResponse(
        {"code": HTTP_ERROR_CODES[status], "message": message, "data": data}, status=status
    )


def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return json_response_for(404, message=_("There is no such address in the API."))


def with_json_method_not_allowed(pattern: URLPattern) -> URLPattern:
    """The same URL pattern, answering a method its path does not take with JSON 405."""
    view = pattern.callback

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = json_response_for(
                405,
                message=_("This address does not take the %(method)s method.")
                % {"method": request.method},
                allowed_methods=[method.strip() for method in allowed.split(",")],
            )
            response["Allow"] = allowed
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # as ninja's own views
    return URLPattern(pattern.pattern, wrapped, pattern.default_args, pattern.name)
