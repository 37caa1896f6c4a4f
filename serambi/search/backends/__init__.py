"""The full-text backend for the database in use."""

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from .base import Backend


@cache
def _backend_for(vendor: str) -> Backend:
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    if vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend()
    # Serambi runs on SQLite and PostgreSQL only (settings.DATABASES).
    raise ImproperlyConfigured(
        f"Serambi's search works on SQLite and PostgreSQL, not on {vendor}: "
        "set DATABASE_URL to one of them."
    )


def backend() -> Backend:
    return _backend_for(connection.vendor)
