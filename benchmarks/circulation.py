"""Checkouts and checkins per second through the API, with many desks at once.

Starts `serambi runserver` (threaded: a thread and a database connection per
client connection) on a benchmark database of its own, SQLite in
var/bench/circulation/ and PostgreSQL in the database named by
SERAMBI_BENCH_CIRCULATION_URL (default serambi_bench_circ, created when the
role may), both emptied and migrated at each run. It makes a branch open every
day, a staff account of the circulation role with an API token, one member
and a few copies per client; then N clients (threads with http.client, one
keep-alive connection each) repeat POST /api/v1/circulation/checkout and
POST /api/v1/circulation/checkin on their own copies for a fixed time, and a
short race follows where every client tries to lend the same few copies.
Afterwards the database is checked: no copy has two open loans, every copy's
status agrees with its loans.

    .venv/bin/python benchmarks/circulation.py [--database sqlite|postgres|both]
        [--clients 10,50] [--seconds 15] [--race-seconds 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import reach_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "circulation"
DEFAULT_POSTGRES_URL = "postgres://serambi:serambi-test@127.0.0.1:5432/serambi_bench_circ"
ITEMS_PER_CLIENT = 3
RACE_ITEMS = 3  # the copies every client tries to lend at once in the race
CONNECT_ATTEMPTS = 5
CHECKOUT = "/api/v1/circulation/checkout"
CHECKIN = "/api/v1/circulation/checkin"


@dataclass
class Tally:
    """What the clients of one run saw, merged from every thread."""

    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    cycles: int = 0
    seconds: float = 0.0

    def merge(self, other: Tally) -> None:
        for operation, values in other.ms.items():
            self.ms[operation].extend(values)
        self.outcomes.update(other.outcomes)
        self.cycles += other.cycles


# --- the parent process: one child process per database -----------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres", "both"),
        help="default: both when PostgreSQL is reachable, else sqlite",
    )
    parser.add_argument(
        "--clients", default="10,50", help="concurrent clients, comma-separated (default 10,50)"
    )
    parser.add_argument(
        "--seconds", type=float, default=15, help="length of each measured run (default 15)"
    )
    parser.add_argument(
        "--race-seconds",
        type=float,
        default=4,
        help="length of the race for the same copies after each run (default 4; 0: none)",
    )
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    try:
        options.client_counts = [int(n) for n in options.clients.split(",") if n.strip()]
    except ValueError:
        parser.error("--clients takes numbers separated by commas, e.g. 10,50")
    if not options.client_counts or min(options.client_counts) < 1:
        parser.error("--clients needs at least one number, each 1 or more")
    if options.child:
        results = measure(options)
        print("RESULTS " + json.dumps(results), flush=True)
        return

    postgres_url = os.environ.get("SERAMBI_BENCH_CIRCULATION_URL", DEFAULT_POSTGRES_URL)
    postgres_version, postgres_problem = reach_postgres(postgres_url)
    print(f"machine:  {machine()}")
    print(f"PostgreSQL: {postgres_version or 'not reachable: ' + str(postgres_problem)}")
    wanted = options.database or ("both" if postgres_version else "sqlite")
    databases = ["sqlite", "postgres"] if wanted == "both" else [wanted]
    summary: list[dict] = []
    failed = []
    for database in databases:
        if database == "postgres" and not postgres_version:
            print(f"\nPostgreSQL skipped: {postgres_problem}")
            if wanted == "postgres":
                failed.append(database)
            continue
        url = postgres_url if database == "postgres" else f"sqlite:///{BENCH_DIR / 'db.sqlite3'}"
        results = run_child(database, url, options)
        if results is None:
            failed.append(database)
        else:
            summary.extend(results)
    print_summary(summary)
    if failed:
        sys.exit(f"\nNot measured: {', '.join(failed)}")
    if any(not row["consistent"] for row in summary):
        sys.exit("\nThe database was left inconsistent (see above).")


def machine() -> str:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, load average {load}; Python {platform.python_version()} "
        f"({platform.machine()})"
    )


def child_env(database: str, url: str) -> dict[str, str]:
    folder = BENCH_DIR / database
    # static/ too: WhiteNoise warns on every start when STATIC_ROOT is missing.
    (folder / "static").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SERAMBI_VAR_DIR": str(folder),
        "SERAMBI_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "serambi.settings",
    }


def run_child(database: str, url: str, options: argparse.Namespace) -> list[dict] | None:
    command = [sys.executable, __file__, "--child", database, "--clients", options.clients]
    command += ["--seconds", str(options.seconds), "--race-seconds", str(options.race_seconds)]
    sys.stdout.flush()
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        command, env=child_env(database, url), stdout=subprocess.PIPE, text=True
    )
    results = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("RESULTS "):
            results = json.loads(line.removeprefix("RESULTS "))
        else:
            print(line, end="", flush=True)
    return results if process.wait() == 0 else None


def print_summary(rows: list[dict]) -> None:
    if not rows:
        return
    print("\nSummary (cycles/s: checkout + checkin pairs per second; ms: p50/p95)")
    header = (
        f"  {'database':<11} {'clients':>7} {'cycles/s':>9} {'req/s':>7} "
        f"{'checkout ms':>13} {'checkin ms':>13} {'errors':>7} "
        f"{'race lent/tried':>16} {'consistent':>10}"
    )
    print(header)
    for row in rows:
        checkout = f"{row['checkout_p50']:.0f}/{row['checkout_p95']:.0f}"
        checkin = f"{row['checkin_p50']:.0f}/{row['checkin_p95']:.0f}"
        race = f"{row['race_wins']}/{row['race_attempts']}" if row["race_items"] else "-"
        print(
            f"  {row['database']:<11} {row['clients']:>7} {row['cycles_per_second']:>9.1f} "
            f"{row['requests_per_second']:>7.1f} {checkout:>13} {checkin:>13} "
            f"{row['errors']:>7} {race:>16} {'yes' if row['consistent'] else 'NO':>10}"
        )


# --- the child process: one database ----------------------------------------------


def measure(options: argparse.Namespace) -> list[dict]:
    import django

    django.setup()
    from django.db import connection

    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[options.child]
    print(f"\n=== {name} {database_version()}: {database_place()} ===", flush=True)
    started = time.perf_counter()
    empty_database()
    most = max(options.client_counts)
    staff_token, desks = prepare(clients=most)
    print(
        f"setup:    emptied, migrated, {most} members and {most * ITEMS_PER_CLIENT + RACE_ITEMS} "
        f"copies made ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    connection.close()  # the server has the database to itself while it is measured

    server, port, log = start_server()
    rows = []
    try:
        for clients in options.client_counts:
            # One keep-alive connection per desk for the whole round: the server
            # holds a thread and a database connection for each.
            pool = [ApiClient(port, staff_token) for _desk in range(clients)]
            tally = run_clients(pool, desks[:clients], seconds=options.seconds)
            race = race_for_copies(pool, desks[:clients], seconds=options.race_seconds)
            clear_loans(pool[0])
            for client in pool:
                client.close()
            consistent, problems = check_database()
            rows.append(report(name, clients, tally, race, consistent, problems, log))
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        return cursor.fetchone()[0]


def database_place() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    return f"database {settings['NAME']} on {settings['HOST'] or 'localhost'}"


def empty_database() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()


@dataclass(frozen=True)
class Desk:
    """One client: the member it lends to and the copies it lends."""

    card: str
    barcodes: tuple[str, ...]


def prepare(*, clients: int) -> tuple[str, list[Desk]]:
    """Migrate; a branch open every day, a circulation librarian with a token, members, copies."""
    import datetime

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from serambi.accounts.models import User
    from serambi.api.services import create_token
    from serambi.catalog.models import Item, Record
    from serambi.core.services import create_branch, set_opening_hours
    from serambi.members.models import Member, MemberCategory

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    branch = create_branch(code="bench", name="Benchmark branch", by=None)
    set_opening_hours(
        branch=branch,
        periods=[(day, datetime.time(8), datetime.time(20)) for day in range(7)],
        by=None,
    )
    librarian = User.objects.create_user(username="bench-desk", password=None, is_staff=True)
    librarian.groups.add(Group.objects.get(name="circulation"))
    token = create_token(user=librarian, name="benchmark").secret

    # Bulk-made (no services): the benchmark measures lending, not registration.
    category = MemberCategory.objects.get(code="umum")
    expires = timezone.localdate() + datetime.timedelta(days=365)
    Member.objects.bulk_create(
        Member(
            card_number=f"BENCH{number:05d}",
            full_name=f"Anggota {number}",
            category=category,
            home_branch=branch,
            status=Member.Status.ACTIVE,
            expires_on=expires,
            email=f"anggota{number}@bench.example",
        )
        for number in range(clients)
    )
    records = Record.objects.bulk_create(
        Record(title=f"Buku uji {number}", language="ind")
        for number in range(clients * ITEMS_PER_CLIENT + RACE_ITEMS)
    )
    Item.objects.bulk_create(
        Item(record=record, barcode=f"BENCH-{number:06d}", branch=branch, price=50_000)
        for number, record in enumerate(records)
    )
    desks = [
        Desk(
            card=f"BENCH{number:05d}",
            barcodes=tuple(
                f"BENCH-{number * ITEMS_PER_CLIENT + copy:06d}" for copy in range(ITEMS_PER_CLIENT)
            ),
        )
        for number in range(clients)
    ]
    return token, desks


def race_barcodes() -> list[str]:
    from serambi.catalog.models import Item

    return list(Item.objects.order_by("-barcode").values_list("barcode", flat=True)[:RACE_ITEMS])


def start_server() -> tuple[subprocess.Popen, int, Path]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "serambi", "runserver", f"127.0.0.1:{port}", "--noreload"]
    log = Path(os.environ["SERAMBI_VAR_DIR"]) / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
        )
    for _attempt in range(120):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/", headers={"Host": "localhost"})
            connection.getresponse().read()
            connection.close()
            break
        except OSError:
            time.sleep(0.25)
    else:
        server.terminate()
        sys.exit(f"serambi runserver did not answer within 30 s (see {log})")
    return server, port, log


class ApiClient:
    """One desk's keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {
            "Host": "localhost",
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        }
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def post(self, path: str, body: dict) -> tuple[int, str]:
        """The status and, for a refusal, its code.

        A connection refused or reset (the development server's listen queue
        is short) is tried again after a pause, up to CONNECT_ATTEMPTS times.
        """
        data = json.dumps(body)
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                self.connection.request("POST", path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                text = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                time.sleep(0.05 * (attempt + 1))
        else:
            return 0, "connection_failed"
        if response.status < 300:
            return response.status, ""
        try:
            return response.status, json.loads(text).get("code", "")
        except ValueError:
            return response.status, "not_json"

    def close(self) -> None:
        self.connection.close()


def timed(tally: Tally, operation: str, client: ApiClient, path: str, body: dict) -> bool:
    started = time.perf_counter()
    status, code = client.post(path, body)
    tally.ms[operation].append((time.perf_counter() - started) * 1000)
    ok = 200 <= status < 300
    tally.outcomes[f"{operation} ok" if ok else f"{operation} {status} {code}".strip()] += 1
    return ok


def run_clients(pool: list[ApiClient], desks: list[Desk], *, seconds: float) -> Tally:
    """Every desk lends its own copies to its member and takes them back, until time is up."""
    tallies = [Tally() for _desk in desks]
    start = threading.Barrier(len(desks) + 1)
    deadline: list[float] = []

    def work(client: ApiClient, desk: Desk, tally: Tally) -> None:
        start.wait()
        turn = 0
        while time.perf_counter() < deadline[0]:
            barcode = desk.barcodes[turn % len(desk.barcodes)]
            turn += 1
            lent = timed(
                tally,
                "checkout",
                client,
                CHECKOUT,
                {"item_barcode": barcode, "member_card": desk.card},
            )
            returned = timed(tally, "checkin", client, CHECKIN, {"item_barcode": barcode})
            tally.cycles += lent and returned

    threads = [
        threading.Thread(target=work, args=(client, desk, tally), daemon=True)
        for client, desk, tally in zip(pool, desks, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    total = Tally(seconds=time.perf_counter() - began)
    for tally in tallies:
        total.merge(tally)
    return total


@dataclass
class Race:
    attempts: int = 0
    wins: int = 0  # checkouts that succeeded
    items: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


def race_for_copies(pool: list[ApiClient], desks: list[Desk], *, seconds: float) -> Race:
    """Every desk at once tries to lend the same few copies, each to its own member;
    whoever gets a copy gives it back, and they go again until time is up."""
    race = Race(items=RACE_ITEMS)
    if seconds <= 0:
        return race
    from django.db import connection

    barcodes = race_barcodes()
    connection.close()
    lock = threading.Lock()
    start = threading.Barrier(len(desks) + 1)
    deadline: list[float] = []

    def work(number: int, client: ApiClient, desk: Desk) -> None:
        start.wait()
        turn = number
        while time.perf_counter() < deadline[0]:
            barcode = barcodes[turn % len(barcodes)]
            turn += 1
            status, code = client.post(
                CHECKOUT, {"item_barcode": barcode, "member_card": desk.card}
            )
            with lock:
                race.attempts += 1
                race.wins += status == 201
                race.outcomes[f"{status} {code}".strip()] += 1
            if status == 201:
                client.post(CHECKIN, {"item_barcode": barcode})

    threads = [
        threading.Thread(target=work, args=(number, client, desk), daemon=True)
        for number, (client, desk) in enumerate(zip(pool, desks, strict=True))
    ]
    for thread in threads:
        thread.start()
    deadline.append(time.perf_counter() + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    return race


def check_database() -> tuple[bool, list[str]]:
    """No copy has two open loans; a copy on loan has one open loan and one without has none."""
    from django.db.models import Count, Q

    from serambi.catalog.models import Item
    from serambi.circulation.models import Loan

    problems = []
    doubled = (
        Loan.objects.filter(status=Loan.Status.ON_LOAN)
        .values("item_id")
        .annotate(open=Count("id"))
        .filter(open__gt=1)
    )
    if count := doubled.count():
        problems.append(f"{count} copies with two or more open loans")
    items = Item.objects.annotate(open=Count("loans", filter=Q(loans__status=Loan.Status.ON_LOAN)))
    if count := items.filter(status=Item.Status.ON_LOAN, open=0).count():
        problems.append(f"{count} copies marked on loan without an open loan")
    if count := items.filter(open__gt=0).exclude(status=Item.Status.ON_LOAN).count():
        problems.append(f"{count} copies with an open loan not marked on loan")
    return not problems, problems


def clear_loans(client: ApiClient) -> None:
    """Check in whatever is still out, so the next round starts from the shelf."""
    from django.db import connection

    from serambi.circulation.models import Loan

    barcodes = list(
        Loan.objects.filter(status=Loan.Status.ON_LOAN).values_list("item__barcode", flat=True)
    )
    connection.close()
    for barcode in barcodes:
        client.post(CHECKIN, {"item_barcode": barcode})


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def report(
    name: str,
    clients: int,
    tally: Tally,
    race: Race,
    consistent: bool,
    problems: list[str],
    log: Path,
) -> dict:
    from serambi.circulation.models import Loan

    requests = sum(len(values) for values in tally.ms.values())
    print(f"\n{name}, {clients} clients, {tally.seconds:.1f} s:", flush=True)
    print(
        f"  {tally.cycles:,} checkout+checkin cycles, {tally.cycles / tally.seconds:.1f} cycles/s, "
        f"{requests / tally.seconds:.1f} requests/s"
    )
    print(f"  {'ms':<10} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for operation in ("checkout", "checkin"):
        values = tally.ms.get(operation, [])
        figures = [percentile(values, p) for p in (50, 95, 99)] + [max(values, default=0.0)]
        print(f"  {operation:<10} {len(values):>6} " + " ".join(f"{v:7.1f}" for v in figures))
    errors = {outcome: n for outcome, n in tally.outcomes.items() if not outcome.endswith(" ok")}
    print(
        "  errors:   "
        + (", ".join(f"{outcome} ×{n}" for outcome, n in sorted(errors.items())) or "none")
    )
    if errors:
        print(f"  (the server's log: {log})")
    if race.items:
        outcomes = ", ".join(f"{outcome} ×{n}" for outcome, n in sorted(race.outcomes.items()))
        print(
            f"  race:     {clients} clients after the same {race.items} copies: "
            f"{race.attempts:,} checkouts tried, {race.wins:,} lent ({outcomes})"
        )
    loans = Loan.objects.count()
    verdict = "no copy has two open loans, copies' statuses agree with their loans"
    print(f"  database: {loans:,} loans; " + (verdict if consistent else "; ".join(problems)))
    checkout_ms = tally.ms.get("checkout", [])
    checkin_ms = tally.ms.get("checkin", [])
    return {
        "database": name,
        "clients": clients,
        "cycles_per_second": tally.cycles / tally.seconds,
        "requests_per_second": requests / tally.seconds,
        "checkout_p50": percentile(checkout_ms, 50),
        "checkout_p95": percentile(checkout_ms, 95),
        "checkin_p50": percentile(checkin_ms, 50),
        "checkin_p95": percentile(checkin_ms, 95),
        "errors": sum(errors.values()),
        "race_wins": race.wins,
        "race_attempts": race.attempts,
        "race_items": race.items,
        "consistent": consistent,
    }


if __name__ == "__main__":
    main()
