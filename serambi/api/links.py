"""Absolute addresses in API answers: an app cannot resolve the site's relative links."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def record_url(request: HttpRequest, record_id: int) -> str:
    """The record's page in the public catalogue."""
    return request.build_absolute_uri(reverse("opac:record", args=[record_id]))


def cover_url(request: HttpRequest, record: Any) -> str | None:
    return request.build_absolute_uri(record.cover.url) if record.cover else None
