"""``serambi import-marc``: the command as librarians type it (see import_marc.py)."""

from serambi.catalog.management.commands.import_marc import Command

__all__ = ["Command"]
