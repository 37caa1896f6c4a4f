"""The full-text backend for the database in use."""

from functools import cache

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
    raise NotImplementedError(f"No search backend for {vendor}")


def backend() -> Backend:
    return _backend_for(connection.vendor)
