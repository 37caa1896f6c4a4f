import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from serambi.accounts.roles import ROLES_BY_CODE
from serambi.core.errors import DomainError
from serambi.demo.library import ACCOUNTS
from serambi.demo.services import DEMO_MARC, DemoReport, load_demo_library


class Command(BaseCommand):
    help = (
        "Load the demo library (service points, 2026 holidays, staff and patron accounts, "
        "the bundled catalogue with its copies), then serve it. Loading again adds only "
        "what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Only load the demo library; do not serve it."
        )
        parser.add_argument(
            "--marc",
            type=Path,
            default=DEMO_MARC,
            help="MARC 21 file to load as the catalogue (default: the bundled %(default)s).",
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="Address and port to serve on (default: %(default)s).",
        )

    def handle(self, *args, no_serve: bool, marc: Path, addrport: str, **options):
        if not marc.is_file():
            raise CommandError(f"No MARC file at {marc}")
        self._check_migrated()
        try:
            report = load_demo_library(
                marc_path=marc, progress=options["verbosity"] >= 1 and sys.stderr.isatty()
            )
        except DomainError as error:
            raise CommandError(f"{error.message} ({error.code})") from error
        self._print_summary(report)
        self._print_accounts(report)
        if no_serve:
            return
        self.stdout.write(
            self.style.SUCCESS(f"\nServing the demo at http://{addrport}/ (Ctrl+C stops it)\n")
        )
        call_command("runserver", addrport, use_reloader=False)

    def _check_migrated(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `serambi migrate` first.")

    def _print_summary(self, report: DemoReport) -> None:
        by_branch = " · ".join(
            f"{name} {count:,}" for name, count in report.items_by_branch.items()
        )
        lines = [
            self.style.SUCCESS(
                f'Demo library "{report.library_name}" ready ({report.seconds:.1f} s)'
            ),
            f"  Service points  {len(report.branches)} ({report.branches_created} new): "
            + ", ".join(branch.name for branch in report.branches),
            f"  Closed days     {report.closed_days} national holidays of 2026 "
            f"({report.closed_days_created} new)",
            f"  Catalogue       {report.marc_path.name}: {self._catalogue_line(report)}",
            f"  Copies          {report.items_total:,} ({report.items_created:,} new): {by_branch}",
        ]
        self.stdout.write("\n".join(lines))

    def _catalogue_line(self, report: DemoReport) -> str:
        catalogue = report.catalogue
        if catalogue is None:
            return f"{report.records_in_file:,} records, all imported before (nothing to do)"
        line = (
            f"{catalogue.read:,} read, {catalogue.created:,} new, {catalogue.updated:,} updated, "
            f"{catalogue.skipped:,} unchanged, {catalogue.rejected:,} not imported"
        )
        if catalogue.errors and catalogue.import_run is not None:
            url = reverse("catalog:import_detail", args=[catalogue.import_run.pk])
            line += f"; {len(catalogue.errors):,} problems listed at {url}"
        return line

    def _print_accounts(self, report: DemoReport) -> None:
        rows = [("username", "password", "role")]
        for account in ACCOUNTS:
            role = str(ROLES_BY_CODE[account.role].label)
            if account.is_superuser:
                role += " (also the Django admin)"
            rows.append((account.username, account.password, role))
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        self.stdout.write("\nDemo accounts (sign in at /akun/masuk/):")
        for index, (username, password, role) in enumerate(rows):
            line = f"  {username:<{widths[0]}}  {password:<{widths[1]}}  {role}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
        kept = [a.username for a in ACCOUNTS if a.username not in report.accounts_created]
        if kept:
            self.stdout.write(f"  ({', '.join(kept)} already existed and were left as they were.)")
