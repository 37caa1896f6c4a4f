"""``serambi import-marc PATH...``: import MARC files into the catalogue from the shell.

Also reachable as ``import_marc`` (the module that Python can import by name;
``import-marc.py`` beside it is the name librarians type).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from serambi.catalog.marc.importer import ERROR, ImportReport, import_marc
from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.search.indexing import after_bulk_load

# The exit status of a process stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]  # translated when asked, not at import
        return _(
            "Import MARC 21 files (ISO 2709 .mrc in UTF-8 or MARC-8, or MARCXML) into the "
            "catalogue. Records already imported are matched by 001/003 or ISBN and updated, "
            "or skipped when unchanged; broken records are reported and the rest imported."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=_("MARC files"))
        parser.add_argument(
            "--items-per-record",
            type=int,
            default=0,
            metavar="N",
            help=_("create N items for each new record (needs --branch)"),
        )
        parser.add_argument(
            "--branch",
            metavar="CODE",
            help=_("code of the branch that holds the new items"),
        )
        parser.add_argument(
            "--barcodes-from-holdings",
            action="store_true",
            help=_("create items from the holdings in 852/952, with their barcodes"),
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="FILE",
            help=_("write the full report, as JSON, to FILE"),
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=_("print only the counts, as JSON: read, created, updated, skipped, errors"),
        )
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=1000,
            metavar="N",
            help=_("records written per transaction (default: %(default)s)"),
        )

    def handle(self, *args, **options) -> None:
        paths: list[Path] = options["paths"]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        branch = self._branch(options["branch"])
        if options["items_per_record"] and branch is None:
            raise CommandError(_("--items-per-record needs --branch CODE."))
        progress = not options["json"] and options["verbosity"] >= 1 and sys.stderr.isatty()
        try:
            report = import_marc(
                paths,
                items_per_record=options["items_per_record"],
                branch=branch,
                barcodes_from_holdings=options["barcodes_from_holdings"],
                progress=progress,
                batch_size=options["batch_size"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        except KeyboardInterrupt:
            raise CommandError(
                _(
                    "Interrupted. The records of the finished batches are kept; run the same "
                    "command again to import the rest."
                ),
                returncode=INTERRUPTED,
            ) from None
        after_bulk_load(report.created + report.updated)
        if options["report"]:
            self._write_report(options["report"], report)
        if options["json"]:
            self.stdout.write(json.dumps(report.summary()))
        else:
            self._print(report)

    def _branch(self, code: str | None) -> Branch | None:
        if not code:
            return None
        branch = Branch.objects.filter(code__iexact=code).first()
        if branch is None:
            known = ", ".join(Branch.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                _("No branch has the code %(code)s. Known codes: %(known)s.")
                % {"code": code, "known": known or _("none yet")}
            )
        return branch

    def _write_report(self, path: Path, report: ImportReport) -> None:
        try:
            path.write_text(
                json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as error:
            raise CommandError(
                _("Imported, but the report could not be written to %(path)s: %(reason)s")
                % {"path": path, "reason": error.strerror or error}
            ) from error

    def _print(self, report: ImportReport) -> None:
        warnings = len(report.errors) - report.rejected
        self.stdout.write(
            _(
                "%(read)d records read: %(created)d created, %(updated)d updated, "
                "%(skipped)d unchanged, %(rejected)d not imported; %(warnings)d warnings."
            )
            % {**report.summary(), "rejected": report.rejected, "warnings": warnings}
        )
        for problem in report.errors:
            where = (
                _("%(file)s, record %(number)d")
                % {"file": problem.file, "number": problem.record_number}
                if problem.record_number is not None
                else problem.file
            )
            if problem.control_number:
                where += f" ({problem.control_number})"
            label = _("error") if problem.severity == ERROR else _("warning")
            line = f"{where}: {label}: {problem.message}"
            self.stdout.write(
                self.style.ERROR(line) if problem.severity == ERROR else self.style.WARNING(line)
            )
