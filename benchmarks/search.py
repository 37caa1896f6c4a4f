"""How fast search is over 250,000 records, against the naive LIKE search of SLiMS.

Imports the Library of Congress file of 250,000 records (see import_marc.py)
once per database, into var/bench/search-sqlite/ and the PostgreSQL database
named by SERAMBI_BENCH_POSTGRES_URL, and keeps it there for the next run
(--limit N: in var/bench/search-sqlite-first-N/ and a database ending _first_N).
Then it runs a fixed mix of queries built from the file's own words through
the search service, through HTTP (/cari/) and as a LIKE query over the
titles, and prints p50/p95/p99 latency per kind of query:

    .venv/bin/python benchmarks/search.py [--database sqlite|postgres|both]
        [--limit N] [--fresh] [--no-keep] [--reindex] [--optimize] [--no-server]

Each database is measured in its own process (Django's settings are per
process) with DATABASE_URL pointing at it.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import platform
import random
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_marc import BENCH_DIR, ROOT, big_file, first_records  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://serambi:serambi-test@localhost/serambi_bench"
TARGET_P95_MS = 50.0
SEED = 2016  # the query mix is drawn with this seed: the same file gives the same queries
CATEGORIES = (
    "single word",
    "two words",
    "phrase",
    "field",
    "facet",
    "typo",
    "exclusion",
    "isbn",
)
SEARCH_PATH = "/cari/"

# What patrons of an Indonesian library type, whether or not the LoC file has it.
HAND_WORDS = (
    "sejarah",
    "indonesia",
    "pendidikan",
    "kebudayaan",
    "islam",
    "jawa",
    "ekonomi",
    "hukum",
    "history",
    "poetry",
    "children",
    "photography",
    "shakespeare",
    "lincoln",
    "soekarno",
)
HAND_TWO_WORDS = (
    "sejarah indonesia",
    "civil war",
    "world history",
    "bahasa jawa",
    "american poetry",
)
HAND_PHRASES = (
    '"di bawah bendera revolusi"',
    '"bumi manusia"',
    '"united states"',
    '"world war"',
)
HAND_AUTHORS = ("pengarang:toer", 'pengarang:"mark twain"', "pengarang:shakespeare")
HAND_SUBJECTS = ("subjek:sejarah", "subjek:history")
HAND_YEARS = ("tahun:1998", "tahun:1990-2000", "tahun:-1900")
HAND_TYPOS = ("sejara", "pendidkan", "histroy", "shakespear", "sejara indonesia")
UNKNOWN_ISBNS = ("9786020331218", "isbn:9789794161230")


@dataclass(frozen=True)
class BenchQuery:
    category: str
    q: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self) -> str:
        chosen = " ".join(f"{name}={','.join(values)}" for name, values in self.filters.items())
        return " ".join(part for part in (self.q, f"[{chosen}]" if chosen else "") if part)

    def params(self) -> dict[str, Any]:
        return {"q": self.q, **{name: list(values) for name, values in self.filters.items()}}


@dataclass
class Timings:
    """Milliseconds per query, in the order of the mix."""

    ms: list[float] = field(default_factory=list)

    def add(self, function: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        outcome = function()
        self.ms.append((time.perf_counter() - started) * 1000)
        return outcome


# --- the parent process: the file, the databases, one child process per database ---


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres", "both"),
        help="default: both when PostgreSQL is reachable, else sqlite",
    )
    parser.add_argument("--limit", type=int, help="import only the first N records")
    parser.add_argument(
        "--keep",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the imported databases for the next run (default); --no-keep empties them",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="import again even when the database has the file"
    )
    parser.add_argument(
        "--no-server",
        dest="server",
        action="store_false",
        help="do not measure through a real HTTP server (serambi runserver)",
    )
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="merge the FTS5 index (SQLite) or ANALYZE (PostgreSQL) before measuring",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="rebuild the search index of a kept database (after the analyzer changed)",
    )
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        measure(options)
        return

    source = big_file()
    path = first_records(source, options.limit, BENCH_DIR) if options.limit else source
    postgres_url = with_limit(
        os.environ.get("SERAMBI_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL), options.limit
    )
    postgres_version, postgres_problem = reach_postgres(postgres_url)
    print(f"machine:  {machine()}")
    print(f"SQLite:   {sqlite3.sqlite_version} (Python's sqlite3 module)")
    print(f"PostgreSQL: {postgres_version or 'not reachable: ' + str(postgres_problem)}")
    print(f"file:     {path} ({path.stat().st_size / 1024 / 1024:,.0f} MB)")
    print(f"code:     {code_version()}")

    wanted = options.database or ("both" if postgres_version else "sqlite")
    databases = ["sqlite", "postgres"] if wanted == "both" else [wanted]
    failed = []
    for database in databases:
        if database == "postgres" and not postgres_version:
            print(f"\nPostgreSQL skipped: {postgres_problem}")
            print("Set SERAMBI_BENCH_POSTGRES_URL=postgres://user:password@host/db to measure it.")
            if wanted == "postgres":
                failed.append(database)
            continue
        url = postgres_url if database == "postgres" else sqlite_url(options.limit)
        if run_child(database, url, path, options) != 0:
            failed.append(database)
    if failed:
        sys.exit(f"\nNot measured: {', '.join(failed)}")


# A run with --limit gets databases of its own, so that trying the benchmark on
# a few records does not throw away the import of the whole file.
def sqlite_url(limit: int | None) -> str:
    return f"sqlite:///{var_dir('sqlite', limit) / 'serambi.sqlite3'}"


def var_dir(database: str, limit: int | None) -> Path:
    return BENCH_DIR / (f"search-{database}" + (f"-first-{limit}" if limit else ""))


def with_limit(url: str, limit: int | None) -> str:
    if not limit:
        return url
    parts = urllib.parse.urlsplit(url)
    return parts._replace(path=f"{parts.path}_first_{limit}").geturl()


def machine() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        model = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
        )
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model or platform.machine()}), load average {load}; "
        f"Python {platform.python_version()}"
    )


def code_version() -> str:
    """The commit measured, and a fingerprint of serambi/'s changes not yet committed."""

    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 (a fixed command line)
            ["git", "-C", str(ROOT), *arguments],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    try:
        commit = git("log", "-1", "--format=%h %cd", "--date=iso").strip()
        changes = git("status", "--porcelain", "--", "serambi") + git("diff", "--", "serambi")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    if not changes:
        return f"commit {commit}"
    fingerprint = hashlib.sha256(changes.encode()).hexdigest()[:8]
    return f"commit {commit}, with uncommitted changes in serambi/ ({fingerprint})"


def reach_postgres(url: str) -> tuple[str | None, str | None]:
    """The server's version, after creating the database if it is missing; or why not."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError as error:
        return None, f"psycopg is not installed ({error})"
    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            return str(connection.execute("SHOW server_version").fetchone()[0]), None
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            return None, str(error).strip().splitlines()[0]
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    maintenance = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, connect_timeout=5, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the PostgreSQL database {name}.")
            return str(connection.execute("SHOW server_version").fetchone()[0]), None
    except psycopg.Error as error:
        return None, f"database {name} is missing and could not be created: {error}"


def run_child(database: str, url: str, path: Path, options: argparse.Namespace) -> int:
    folder = var_dir(database, options.limit)
    # static/ too: WhiteNoise warns on every start when STATIC_ROOT is missing.
    (folder / "static").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SERAMBI_VAR_DIR": str(folder),
        "SERAMBI_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "serambi.settings",
    }
    command = [sys.executable, __file__, "--child", database, "--file", str(path)]
    command += ["--fresh"] * options.fresh + ["--optimize"] * options.optimize
    command += ["--reindex"] * options.reindex
    command += [] if options.keep else ["--no-keep"]
    command += [] if options.server else ["--no-server"]
    sys.stdout.flush()
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603


# --- the child process: one database ------------------------------------------------


def measure(options: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    import serambi.search.views  # noqa: F401 (load the code measured now, not at the first search)
    from serambi.catalog.models import Record

    loaded = code_version()
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[options.child]
    print(f"\n=== {name} {database_version()}: {database_place()} ===", flush=True)
    prepare(options.file, fresh=options.fresh)
    if options.reindex:
        from serambi.search.indexing import rebuild

        started = time.perf_counter()
        rebuild()
        print(f"reindex:  {time.perf_counter() - started:.1f} s (the search index rebuilt)")
    if options.optimize:
        from serambi.search.indexing import optimize

        started = time.perf_counter()
        optimize()
        print(f"optimize(): {time.perf_counter() - started:.1f} s")
    records = Record.objects.count()
    print(f"records:  {records:,}; catalog_record table {table_megabytes('catalog_record')}")
    if connection.vendor == "postgresql":
        print(f"memory:   {postgres_memory()}")
    print(f"machine:  {machine()}")
    print(f"code:     {loaded}")

    queries = query_mix()
    counts = Counter(query.category for query in queries)
    print(
        f"query mix: {len(queries)} queries (seed {SEED}): "
        + ", ".join(f"{category} {counts[category]}" for category in CATEGORIES)
    )

    client, http_problem = http_client()
    started = time.perf_counter()
    for query in queries:  # warm-up, not measured: caches, templates, pages of the database
        if client:
            client.get(SEARCH_PATH, query.params())
        else:
            search(query)
    like(queries[0])
    print(
        f"warm-up:  one pass of every query through {'HTTP' if client else 'the service'} "
        f"and one LIKE query, not measured ({time.perf_counter() - started:.1f} s)",
        flush=True,
    )

    service = Timings()
    totals = [service.add(lambda query=query: search(query)) for query in queries]
    report(
        "service: services.search(SearchRequest(q=..., filters=...)) in this process",
        queries,
        service,
    )
    zero = Counter(
        query.category for query, total in zip(queries, totals, strict=True) if not total
    )
    empty = ", ".join(f"{category} {zero[category]}" for category in CATEGORIES if zero[category])
    print(f"  queries with no hit: {empty or 'none'}")

    if client:
        test_client = Timings()
        statuses = Counter(
            test_client.add(lambda query=query: client.get(SEARCH_PATH, query.params())).status_code
            for query in queries
        )
        report(
            f"HTTP: GET {SEARCH_PATH}?q=... through Django's test Client "
            "(in-process WSGI: middleware, view, template; no socket)",
            queries,
            test_client,
            note=statuses_note(statuses, "run the failing query through the service"),
        )
    else:
        print(f"\nHTTP: NOT MEASURED: {http_problem}. The service alone was measured.")

    if client and options.server:
        measure_server(queries)

    baseline = Timings()
    for query in queries:
        baseline.add(lambda query=query: like(query))
    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    report(
        f"naive {operator}: SELECT id, title FROM catalog_record WHERE title {operator} "
        "'%word%' [AND ...] ORDER BY id LIMIT 20, then its COUNT(*)",
        queries,
        baseline,
    )
    ratios(queries, service, baseline)
    slowest(queries, service, totals)
    p95 = percentile(service.ms, 95)
    verdict = "target met" if p95 < TARGET_P95_MS else "target missed"
    print(
        f"\n{name}: service p95 {p95:.1f} ms over {len(queries)} queries and {records:,} "
        f"records: {verdict} (target: p95 under {TARGET_P95_MS:.0f} ms)"
    )
    if (now := code_version()) != loaded:
        print(
            f"NOTE: the checkout changed during this run ({loaded} -> {now}): this process "
            "measured the code it loaded at its start; `serambi runserver` loaded the newer code."
        )
    if not options.keep:
        empty_database()
        print(f"--no-keep: the {name} database was emptied.")


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def database_place() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    return f"database {settings['NAME']} on {settings['HOST'] or 'localhost'}"


def postgres_memory() -> str:
    """shared_buffers against the search tables, which a common word reads (docs/operations.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('shared_buffers'), "
            "pg_size_bytes(current_setting('shared_buffers')), "
            "pg_total_relation_size('search_document')"
        )
        buffers, buffer_bytes, search_bytes = cursor.fetchone()
    line = (
        f"shared_buffers {buffers}; search_document table {search_bytes / 1024 / 1024:,.0f} MB "
        "with its indexes"
    )
    if buffer_bytes < search_bytes:
        line += (
            "\n          (they do not fit: a common word reads its documents from the operating "
            "system on every search; docs/operations.md, step 5, sizes shared_buffers)"
        )
    return line


def table_megabytes(table: str) -> str:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = %s", [table])
            else:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
            size = cursor.fetchone()[0] or 0
    except DatabaseError:
        return "(size unknown)"
    return f"{size / 1024 / 1024:,.0f} MB"


def prepare(path: Path, *, fresh: bool) -> None:
    """Migrate, then import the file unless the database already holds exactly it."""
    from django.core.management import call_command

    from serambi.catalog.marc.importer import import_marc
    from serambi.catalog.models import ImportRun, Record
    from serambi.search.indexing import after_bulk_load

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with path.open("rb") as stream:
        in_file = stream.read().count(b"\x1d")
    last = ImportRun.objects.filter(state=ImportRun.State.FINISHED).first()
    records = Record.objects.count()
    if not fresh and last and last.filename == path.name and last.read == in_file:
        if records == last.created:
            print(f"import:   kept from an earlier run ({last.filename}, {records:,} records)")
            return
    if records or fresh:
        reason = "--fresh" if fresh else f"it held {records:,} records, not those of {path.name}"
        print(f"import:   emptying the database first ({reason})", flush=True)
        empty_database()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
    print(f"import:   {in_file:,} records of {path.name} …", flush=True)
    started = time.perf_counter()
    result = import_marc([path])
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{name} {value:,}" for name, value in result.summary().items())
    print(f"import:   {seconds:.1f} s, {result.read / seconds:,.0f} records/s ({counts})")
    # As `serambi import-marc` does after a large import (PostgreSQL: VACUUM ANALYZE).
    started = time.perf_counter()
    if after_bulk_load(result.created + result.updated):
        print(f"after_bulk_load(): {time.perf_counter() - started:.1f} s")


def empty_database() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            name.with_name(name.name + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        connection.close()


# --- the query mix --------------------------------------------------------------


def content_words(text: str) -> list[str]:
    from serambi.search.analyzer import STOP_WORDS, split_words

    return [w for w in split_words(text) if w not in STOP_WORDS and len(w) >= 3 and w.isalpha()]


def fetch(sql: str, params: list | tuple = ()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sample(rng: random.Random, pool: list, k: int) -> list:
    return rng.sample(pool, min(k, len(pool)))


def query_mix() -> list[BenchQuery]:
    """At least 200 queries drawn with a fixed seed from the database's own words."""
    rng = random.Random(SEED)  # noqa: S311 (reproducible choices, not secrets)
    titles = [title for (title,) in fetch("SELECT title FROM catalog_record ORDER BY id")]
    frequency: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for title in titles:
        words = content_words(title)
        frequency.update(set(words))
        pairs.update(zip(words, words[1:], strict=False))
    ranked = sorted(frequency, key=lambda word: (-frequency[word], word))
    frequent = ranked[:100]
    medium = [word for word in ranked if 20 <= frequency[word] <= 200]
    long_words = [word for word in ranked[:3000] if len(word) >= 6]

    def title_words(minimum: int) -> list[str]:
        for _attempt in range(1000):
            words = list(dict.fromkeys(content_words(rng.choice(titles))))
            if len(words) >= minimum:
                return words
        return []

    def mix(category: str, texts: list[str]) -> list[BenchQuery]:
        return [BenchQuery(category, text) for text in texts]

    queries = mix("single word", sample(rng, frequent, 20) + sample(rng, medium, 20))
    queries += mix("single word", list(HAND_WORDS))

    two = []
    for _pair in range(20):
        if words := title_words(3):
            first, second = sorted(rng.sample(range(len(words)), 2))
            two.append(f"{words[first]} {words[second]}")
    two += [" ".join(sample(rng, frequent[:50], 2)) for _pair in range(10)]
    queries += mix("two words", two + list(HAND_TWO_WORDS))

    top_pairs = sorted(pairs, key=lambda pair: (-pairs[pair], pair))[:300]
    phrases = [f'"{first} {second}"' for first, second in sample(rng, top_pairs, 20)]
    for _phrase in range(6):
        raw = [w.strip(" /:;,.[]") for w in rng.choice(titles).split() if w.strip(" /:;,.[]")]
        if len(raw) >= 3:
            start = rng.randrange(len(raw) - 2)
            phrases.append('"' + " ".join(raw[start : start + 3]) + '"')
    queries += mix("phrase", phrases + list(HAND_PHRASES))

    fields = [f"judul:{word}" for word in sample(rng, frequent, 5) + sample(rng, medium, 5)]
    authors = fetch(
        "SELECT c.name FROM catalog_recordcontributor rc "
        "JOIN catalog_contributor c ON c.id = rc.contributor_id "
        "GROUP BY c.id, c.name ORDER BY COUNT(*) DESC, c.id LIMIT 300"
    )
    surnames = sorted({w[0] for (name,) in authors if (w := content_words(name.split(",")[0]))})
    fields += [f"pengarang:{name}" for name in sample(rng, surnames, 7)] + list(HAND_AUTHORS)
    headings = fetch(
        "SELECT s.heading FROM catalog_recordsubject rs "
        "JOIN catalog_subject s ON s.id = rs.subject_id "
        "GROUP BY s.id, s.heading ORDER BY COUNT(*) DESC, s.id LIMIT 300"
    )
    topics = sorted(
        {" ".join(w[:2]) for (h,) in headings if (w := content_words(h.split("--")[0]))}
    )
    fields += [
        f'subjek:"{topic}"' if " " in topic else f"subjek:{topic}"
        for topic in sample(rng, topics, 8)
    ]
    fields += list(HAND_SUBJECTS)
    for word in sample(rng, frequent, 7):
        start = rng.randrange(1950, 2011)
        fields.append(f"{word} tahun:{start}-{start + rng.choice((0, 5, 10, 20))}")
    queries += mix("field", fields + list(HAND_YEARS))

    queries += facet_queries(rng, frequent, medium)

    typos = []
    for index, word in enumerate(sample(rng, long_words, 20)):
        for edit in range(4):
            typo = misspell(word, (index + edit) % 4)
            if typo not in frequency:
                typos.append(typo)
                break
    queries += mix("typo", typos + list(HAND_TYPOS))

    exclusions = [
        f"{first} -{second}"
        for first, second in (sample(rng, frequent[:30], 2) for _pair in range(10))
    ]
    queries += mix("exclusion", exclusions)

    isbns = fetch(
        "SELECT normalized FROM catalog_identifier WHERE scheme = 'isbn' AND is_valid "
        "AND NOT is_cancelled AND normalized <> '' ORDER BY id"
    )
    chosen = [isbn for (isbn,) in sample(rng, isbns, 8)]
    queries += mix("isbn", chosen[:5] + [f"isbn:{isbn}" for isbn in chosen[5:]])
    queries += mix("isbn", list(UNKNOWN_ISBNS))
    return queries


def facet_queries(rng: random.Random, frequent: list[str], medium: list[str]) -> list[BenchQuery]:
    languages = [
        code
        for code, _n in fetch(
            "SELECT language, COUNT(*) FROM catalog_record WHERE language <> '' "
            "GROUP BY language ORDER BY COUNT(*) DESC, language LIMIT 6"
        )
    ]
    decades = [
        d
        for (d,) in fetch(
            "SELECT DISTINCT (year / 10) * 10 FROM catalog_record WHERE year >= 1900 ORDER BY 1"
        )
    ]
    types = [
        kind
        for kind, _n in fetch(
            "SELECT material_type, COUNT(*) FROM catalog_record "
            "GROUP BY material_type ORDER BY COUNT(*) DESC, material_type"
        )
    ]
    words = frequent + medium[:200]
    queries = []

    def add(word: str, **filters: str) -> None:
        chosen = {name: (value,) for name, value in filters.items()}
        queries.append(BenchQuery("facet", word, chosen))

    for _query in range(10):
        add(rng.choice(words), language=rng.choice(languages))
    for _query in range(8):
        add(rng.choice(words), decade=str(rng.choice(decades)))
    for _query in range(5):
        add(rng.choice(words), type=rng.choice(types))
    for _query in range(4):
        add(rng.choice(words), language=languages[0], decade=str(rng.choice(decades)))
    # Browsing by a facet alone, no words typed.
    add("", language=languages[min(2, len(languages) - 1)])
    add("", decade="1990")
    add("", type=types[-1])
    return queries


def misspell(word: str, edit: int) -> str:
    """One typing slip in ``word``: a letter dropped, two swapped, a vowel changed, doubled."""
    middle = len(word) // 2
    if edit == 0:
        return word[:middle] + word[middle + 1 :]
    if edit == 1:
        return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
    if edit == 2:
        vowels = "aeiou"
        for i in range(middle, len(word)):
            if word[i] in vowels:
                other = vowels[(vowels.index(word[i]) + 1) % len(vowels)]
                return word[:i] + other + word[i + 1 :]
        return word + "e"
    return word[:middle] + word[middle] + word[middle:]


# --- the three ways to search ---------------------------------------------------------


def search(query: BenchQuery) -> int:
    from serambi.search import services
    from serambi.search.types import SearchRequest

    return services.search(SearchRequest(q=query.q, filters=query.filters)).total


def http_client() -> tuple[Any, str | None]:
    """Django's test Client when /cari/ is there; else None and why not."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        match = resolve(SEARCH_PATH)
    except Resolver404:
        return None, f"{SEARCH_PATH} does not exist yet in this checkout (serambi/search/urls.py)"
    # A failing page is counted by its status (500) rather than stopping the run.
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    probe = client.get(SEARCH_PATH, {"q": "history"})
    if probe.status_code != 200:
        return None, f"{SEARCH_PATH} ({match.view_name}) answered {probe.status_code}"
    return client, None


def statuses_note(statuses: Counter[int], where_to_look: str) -> str:
    parts = [f"{count} × {status}" for status, count in sorted(statuses.items())]
    note = "status codes: " + ", ".join(parts)
    if statuses.get(302):
        note += " (302: an ISBN alone redirects to its record; the redirect is not followed)"
    if failed := sum(n for status, n in statuses.items() if status not in (200, 302)):
        note += (
            f"\n  WARNING: {failed} requests FAILED, so these figures are NOT VALID "
            f"(errors: {where_to_look})"
        )
    return note


_TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<field>\w+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_YEARS = re.compile(r"^(\d{4})?(-)?(\d{4})?$")


def like_sql(query: BenchQuery, operator: str) -> tuple[str, list]:
    """The WHERE of SLiMS's simple search: each typed word (a phrase as one) within the title.

    Field names are dropped (the words are looked for in the title, the only
    column scanned), years and facet filters become plain column conditions.
    """
    conditions, params = [], []
    for match in _TOKEN.finditer(query.q):
        negated = "NOT " if match["neg"] else ""
        text = match["phrase"] if match["phrase"] is not None else match["word"]
        years = _YEARS.match(text) if match["field"] in ("tahun", "year") else None
        if years:
            start, end = years[1], years[3] if years[2] else years[1]
            if start:
                conditions.append("year >= %s")
                params.append(int(start))
            if end:
                conditions.append("year <= %s")
                params.append(int(end))
            continue
        conditions.append(f"title {negated}{operator} %s")
        params.append(f"%{text.strip()}%")
    for name, column in (("language", "language"), ("type", "material_type")):
        if values := query.filters.get(name):
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    if decades := query.filters.get("decade"):
        conditions.append(" OR ".join("(year >= %s AND year <= %s)" for _d in decades))
        params.extend(bound for d in decades for bound in (int(d), int(d) + 9))
    where = " AND ".join(f"({c})" for c in conditions) if conditions else "1 = 1"
    return where, params


def like(query: BenchQuery) -> int:
    from django.db import connection

    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    where, params = like_sql(query, operator)
    fetch(f"SELECT id, title FROM catalog_record WHERE {where} ORDER BY id LIMIT 20", params)
    return fetch(f"SELECT COUNT(*) FROM catalog_record WHERE {where}", params)[0][0]


def measure_server(queries: list[BenchQuery]) -> None:
    """The same requests through a socket to ``serambi runserver`` (no gunicorn here)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "serambi", "runserver", f"127.0.0.1:{port}", "--noreload"]
    log = Path(os.environ["SERAMBI_VAR_DIR"]) / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (a fixed command line)
            command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def get(query: BenchQuery) -> int:
        url = SEARCH_PATH + "?" + urllib.parse.urlencode(query.params(), doseq=True)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", url, headers={"Host": "localhost"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    try:
        for _second in range(60):
            try:
                get(BenchQuery("", "history"))
                break
            except OSError:
                time.sleep(0.5)
        else:
            print("\nHTTP server: NOT MEASURED: serambi runserver did not answer within 30 s")
            return
        for query in queries:  # its own warm-up: a new process, a new connection
            get(query)
        timings = Timings()
        statuses = Counter(timings.add(lambda query=query: get(query)) for query in queries)
        report(
            f"HTTP server: GET {SEARCH_PATH}?q=... over a socket to `serambi runserver` "
            "(Django's development server, a thread and a database connection per request; "
            "warmed up by one unmeasured pass)",
            queries,
            timings,
            note=statuses_note(statuses, str(log)),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- figures ------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def by_category(queries: list[BenchQuery], timings: Timings) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for query, ms in zip(queries, timings.ms, strict=True):
        groups[query.category].append(ms)
    return {category: groups[category] for category in CATEGORIES if groups[category]}


def report(title: str, queries: list[BenchQuery], timings: Timings, note: str = "") -> None:
    print(f"\n{title}")
    print(f"  {'ms':<12} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    rows = [*by_category(queries, timings).items(), ("all", timings.ms)]
    for category, values in rows:
        figures = [percentile(values, p) for p in (50, 95, 99)] + [max(values)]
        print(f"  {category:<12} {len(values):>4} " + " ".join(f"{v:7.1f}" for v in figures))
    if note:
        print(f"  {note}")


def ratios(queries: list[BenchQuery], service: Timings, baseline: Timings) -> None:
    print("\nLIKE / service (how many times slower the naive query is; below 1: faster)")
    print(f"  {'':<12} {'p50':>7} {'p95':>7}")
    fast = by_category(queries, service)
    slow = by_category(queries, baseline)
    for category, values in [*fast.items(), ("all", service.ms)]:
        naive = slow.get(category, baseline.ms)
        p50 = percentile(naive, 50) / percentile(values, 50)
        p95 = percentile(naive, 95) / percentile(values, 95)
        print(f"  {category:<12} {p50:7.2f} {p95:7.2f}")


def slowest(queries: list[BenchQuery], service: Timings, totals: list[int]) -> None:
    print("\nslowest 10 through the service:")
    ranked = sorted(zip(service.ms, queries, totals, strict=True), key=lambda row: -row[0])
    for ms, query, total in ranked[:10]:
        print(f"  {ms:7.1f} ms  {query.category:<12} {query.label()!r}  ({total:,} hits)")


if __name__ == "__main__":
    main()
