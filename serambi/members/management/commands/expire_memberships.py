"""``serambi expire-memberships``: active members whose card ran out become expired.

The circulation worker's daily sweep calls ``services.expire_memberships``
too; this command is for a cron job or a manual run.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from serambi.members.services import expire_memberships


class Command(BaseCommand):
    help = "Mark active memberships whose expiry date has passed as expired."

    def handle(self, *args, **options) -> None:
        count = expire_memberships()
        self.stdout.write(_("%(count)s membership(s) marked as expired.") % {"count": count})
