"""``serambi reindex``: rebuild the search index from the catalogue, from scratch."""

import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from serambi.catalog.models import Record
from serambi.search.indexing import rebuild


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Rebuild the search index of every catalogue record. Searching keeps working "
            "meanwhile, with fewer results until the rebuild ends."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help=_("do not show a progress bar")
        )

    def handle(self, *args, **options) -> None:
        show = not options["no_progress"] and options["verbosity"] >= 1 and sys.stderr.isatty()
        started = time.monotonic()
        bar = tqdm(
            total=Record.objects.count(), unit=_("records"), disable=not show, file=sys.stderr
        )
        with bar:
            count = rebuild(progress=bar.update)
        if options["verbosity"] >= 1:
            self.stdout.write(
                ngettext(
                    "%(count)d record indexed in %(seconds).1f s.",
                    "%(count)d records indexed in %(seconds).1f s.",
                    count,
                )
                % {"count": count, "seconds": time.monotonic() - started}
            )
