"""``serambi export-marc``: the catalogue (or part of it) as MARC 21 or MARCXML."""

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serambi.catalog.marc.export import FORMATS, records_for_export, write_records


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise CommandError(f"--ids takes record ids separated by commas, not {text!r}") from error
    if not ids:
        raise CommandError("--ids needs at least one record id")
    return ids


def _count(records: int) -> str:
    return f"{records} record" if records == 1 else f"{records} records"


class Command(BaseCommand):
    help = (
        "Write catalogue records to OUT as MARC 21 (ISO 2709, UTF-8) or as a MARCXML "
        "collection. Imported records go out as they were imported, with the staff's edits; "
        "records catalogued here are built from their fields."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", help='File to write, or "-" for standard output.')
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=FORMATS,
            required=True,
            help="marc: ISO 2709 records; marcxml: one MARC21 slim <collection>.",
        )
        parser.add_argument("--ids", type=_ids, help="Only these records, by id: --ids 12,40,41.")
        parser.add_argument(
            "--query",
            default="",
            metavar="TEXT",
            help="Only records whose title, control number or ISBN/ISSN contains TEXT.",
        )
        parser.add_argument(
            "--with-items",
            action="store_true",
            help="Add each record's copies in 952 fields (Koha's item field).",
        )

    def handle(self, *args, out: str, fmt: str, ids, query: str, with_items: bool, **options):
        records = records_for_export(ids=ids, query=query)
        if out == "-":
            written = write_records(records, sys.stdout.buffer, fmt=fmt, with_items=with_items)
            sys.stdout.buffer.flush()
            self.stderr.write(f"{_count(written)} written")
            return
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"No directory {target.parent} to write {target.name} in")
        # Written beside the target and moved over it at the end, so a failed export
        # never leaves half a file where a complete one is expected.
        partial = target.with_name(f".{target.name}.partial")
        try:
            with partial.open("wb") as handle:
                written = write_records(records, handle, fmt=fmt, with_items=with_items)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"{_count(written)} written to {target}")
