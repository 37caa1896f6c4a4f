"""``serambi expire-memberships``: the command as librarians type it (see expire_memberships.py)."""

from serambi.members.management.commands.expire_memberships import Command

__all__ = ["Command"]
