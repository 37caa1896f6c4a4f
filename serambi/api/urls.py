"""Mounted at /api/v1/ by serambi/urls.py; routers are added in serambi/api/api.py."""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, re_path, reverse

from . import errors
from .api import api

ninja_patterns, _app_name, namespace = api.urls


def home(request: HttpRequest) -> JsonResponse:
    """What an app finds at the API's root: where the description and the docs are."""
    return JsonResponse(
        {
            "name": str(api.title),
            "version": api.version,
            "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
            "docs": request.build_absolute_uri(reverse("api:openapi-view")),
        }
    )


app_name = namespace
urlpatterns = [
    path("", home, name="home"),
    *(
        errors.with_json_method_not_allowed(pattern) if isinstance(pattern, URLPattern) else pattern
        for pattern in ninja_patterns
    ),
    # Any other address under /api/v1/ answers in JSON too, not with the site's HTML page.
    re_path(r"", errors.unknown_path),
]
