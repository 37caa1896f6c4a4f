"""``serambi export-marc``: the catalogue (or part of it) as MARC 21 or MARCXML."""

import argparse
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serambi.catalog.marc.export import FORMATS, records_for_export, write_records


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            _("write record ids separated by commas, not “%(text)s”") % {"text": text}
        ) from error
    if not ids:
        raise argparse.ArgumentTypeError(_("write at least one record id"))
    return ids


class Command(BaseCommand):
    # A property, not a class attribute: argparse takes only a str (no lazy
    # translation), and the text is read in the language active at the time.
    @property
    def help(self) -> str:
        return _(
            "Write catalogue records to OUT as MARC 21 (ISO 2709, UTF-8) or as a MARCXML "
            "collection. Imported records go out as they were imported, with the staff's edits; "
            "records catalogued here are built from their fields."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out", metavar="OUT", help=_('File to write, or "-" for standard output.')
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=FORMATS,
            required=True,
            help=_("marc: ISO 2709 records; marcxml: one MARC21 slim <collection>."),
        )
        parser.add_argument(
            "--ids", type=_ids, help=_("Only these records, by id: --ids 12,40,41.")
        )
        parser.add_argument(
            "--query",
            default="",
            metavar="TEXT",
            help=_(
                'Only the records a catalogue search for TEXT finds, e.g. "pengarang:toer" '
                'or "tahun:1990-2000".'
            ),
        )
        parser.add_argument(
            "--with-items",
            action="store_true",
            help=_("Add each record's copies in 952 fields (Koha's item field)."),
        )

    def handle(self, *args, out: str, fmt: str, ids, query: str, with_items: bool, **options):
        records = records_for_export(ids=ids, query=query)
        if out == "-":
            written = write_records(records, sys.stdout.buffer, fmt=fmt, with_items=with_items)
            sys.stdout.buffer.flush()
            self.stderr.write(
                ngettext("%(count)s record written", "%(count)s records written", written)
                % {"count": written}
            )
            return
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(
                _("No directory %(directory)s to write %(file)s in")
                % {"directory": target.parent, "file": target.name}
            )
        # Written beside the target and moved over it at the end, so a failed export
        # never leaves half a file where a complete one is expected.
        partial = target.with_name(f".{target.name}.partial")
        try:
            with partial.open("wb") as handle:
                written = write_records(records, handle, fmt=fmt, with_items=with_items)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            ngettext(
                "%(count)s record written to %(path)s",
                "%(count)s records written to %(path)s",
                written,
            )
            % {"count": written, "path": target}
        )
