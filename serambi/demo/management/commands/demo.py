import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serambi.accounts.roles import ROLES_BY_CODE
from serambi.core.errors import DomainError
from serambi.demo.library import ACCOUNTS
from serambi.demo.services import DEMO_MARC, DemoReport, load_demo_library
from serambi.members.models import Member


def _number(value: int) -> str:
    """A count with thousands grouped as the active language writes them (1.234 or 1,234)."""
    return number_format(value, force_grouping=True)


class Command(BaseCommand):
    # A property, not a class attribute: argparse takes only a str (no lazy
    # translation), and the text is read in the language active at the time.
    @property
    def help(self) -> str:
        return _(
            "Load the demo library (service points, 2026 holidays, staff and patron accounts, "
            "the bundled catalogue with its copies), then serve it. Loading again adds only "
            "what is missing."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=_("Only load the demo library; do not serve it."),
        )
        parser.add_argument(
            "--marc",
            type=Path,
            default=DEMO_MARC,
            help=_("MARC 21 file to load as the catalogue (default: the bundled %(default)s)."),
        )
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help=_("Address and port to serve on (default: %(default)s)."),
        )

    def handle(self, *args, no_serve: bool, marc: Path, addrport: str, **options):
        if not marc.is_file():
            raise CommandError(_("No MARC file at %(path)s") % {"path": marc})
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
        serving = _("Serving the demo at http://%(addrport)s/ (Ctrl+C stops it)") % {
            "addrport": addrport
        }
        self.stdout.write(self.style.SUCCESS(f"\n{serving}\n"))
        call_command("runserver", addrport, use_reloader=False)

    def _check_migrated(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(_("The database is not up to date: run `serambi migrate` first."))

    def _print_summary(self, report: DemoReport) -> None:
        by_branch = " · ".join(
            f"{name} {_number(count)}" for name, count in report.items_by_branch.items()
        )
        rows = [
            (
                _("Service points"),
                _("%(count)s (%(new)s new): %(names)s")
                % {
                    "count": _number(len(report.branches)),
                    "new": _number(report.branches_created),
                    "names": ", ".join(branch.name for branch in report.branches),
                },
            ),
            (
                _("Closed days"),
                ngettext(
                    "%(count)s national holiday of 2026 (%(new)s new)",
                    "%(count)s national holidays of 2026 (%(new)s new)",
                    report.closed_days,
                )
                % {
                    "count": _number(report.closed_days),
                    "new": _number(report.closed_days_created),
                },
            ),
            (_("Catalogue"), f"{report.marc_path.name}: {self._catalogue_line(report)}"),
            (
                _("Copies"),
                _("%(count)s (%(new)s new): %(names)s")
                % {
                    "count": _number(report.items_total),
                    "new": _number(report.items_created),
                    "names": by_branch,
                },
            ),
        ]
        people = report.people
        if people is not None:
            rows += [
                (
                    _("Members"),
                    _("%(count)s (%(new)s new), of every category")
                    % {
                        "count": _number(Member.objects.count()),
                        "new": _number(people.members_created),
                    },
                ),
                (
                    _("Circulation"),
                    _(
                        "%(loans)s loans (%(open)s out now), %(holds)s holds waiting or ready, "
                        "Rp %(fines)s in unpaid fines"
                    )
                    % {
                        "loans": _number(people.loans),
                        "open": _number(people.open_loans),
                        "holds": _number(people.holds),
                        "fines": _number(people.fines_owed),
                    },
                ),
                (
                    _("Guest book"),
                    _("%(count)s visits this week") % {"count": _number(people.visits)},
                ),
            ]
            for problem in people.skipped:
                self.stderr.write(_("Demo history: skipped %(what)s") % {"what": problem})
        season = report.programs
        if season is not None:
            rows += [
                (
                    _("Events"),
                    _(
                        "%(programs)s programs: %(past)s events held, %(coming)s coming; "
                        "%(registrations)s registrations (%(waitlisted)s on a waitlist), "
                        "%(certificates)s certificates"
                    )
                    % {
                        "programs": _number(season.programs),
                        "past": _number(season.past_events),
                        "coming": _number(season.coming_events),
                        "registrations": _number(season.registrations),
                        "waitlisted": _number(season.waitlisted),
                        "certificates": _number(season.certificates),
                    },
                ),
                (
                    _("Creative space"),
                    _(
                        "%(rooms)s rooms (%(new)s new), %(equipment)s pieces of equipment; "
                        "%(bookings)s bookings coming (%(requested)s waiting for approval)"
                    )
                    % {
                        "rooms": _number(season.spaces),
                        "new": _number(season.spaces_created),
                        "equipment": _number(season.equipment),
                        "bookings": _number(season.coming_bookings),
                        "requested": _number(season.requested_bookings),
                    },
                ),
            ]
            for problem in season.skipped:
                self.stderr.write(_("Demo events: skipped %(what)s") % {"what": problem})
        # The labels make a column, however long they are in the active language.
        width = max(len(label) for label, _value in rows)
        ready = _('Demo library "%(name)s" ready (%(seconds)s s)') % {
            "name": report.library_name,
            "seconds": number_format(report.seconds, decimal_pos=1),
        }
        lines = [self.style.SUCCESS(ready)]
        lines += [f"  {label:<{width}}  {value}" for label, value in rows]
        self.stdout.write("\n".join(lines))

    def _catalogue_line(self, report: DemoReport) -> str:
        catalogue = report.catalogue
        if catalogue is None:
            return ngettext(
                "%(count)s record, all imported before (nothing to do)",
                "%(count)s records, all imported before (nothing to do)",
                report.records_in_file,
            ) % {"count": _number(report.records_in_file)}
        line = _(
            "%(read)s read, %(created)s new, %(updated)s updated, "
            "%(skipped)s unchanged, %(rejected)s not imported"
        ) % {
            "read": _number(catalogue.read),
            "created": _number(catalogue.created),
            "updated": _number(catalogue.updated),
            "skipped": _number(catalogue.skipped),
            "rejected": _number(catalogue.rejected),
        }
        if catalogue.errors and catalogue.import_run is not None:
            url = reverse("catalog:import_detail", args=[catalogue.import_run.pk])
            problems = ngettext(
                "%(count)s problem listed at %(url)s",
                "%(count)s problems listed at %(url)s",
                len(catalogue.errors),
            ) % {"count": _number(len(catalogue.errors)), "url": url}
            line = f"{line}; {problems}"
        return line

    def _print_accounts(self, report: DemoReport) -> None:
        rows = [(_("username"), _("password"), _("role"))]
        for account in ACCOUNTS:
            role = str(ROLES_BY_CODE[account.role].label)
            if account.is_superuser:
                role = _("%(role)s (also the Django admin)") % {"role": role}
            rows.append((account.username, account.password, role))
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        self.stdout.write(
            "\n" + _("Demo accounts (sign in at %(url)s):") % {"url": reverse("accounts:login")}
        )
        for index, (username, password, role) in enumerate(rows):
            line = f"  {username:<{widths[0]}}  {password:<{widths[1]}}  {role}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if index == 0 else line)
        kept = [a.username for a in ACCOUNTS if a.username not in report.accounts_created]
        if kept:
            self.stdout.write(
                "  "
                + ngettext(
                    "(%(names)s already existed and was left as it was.)",
                    "(%(names)s already existed and were left as they were.)",
                    len(kept),
                )
                % {"names": ", ".join(kept)}
            )
