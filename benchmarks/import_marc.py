"""How fast the MARC importer is, against how fast pymarc alone reads the same file.

Runs on a new SQLite database in a temporary directory (DATABASE_URL is
ignored). Without a file argument it uses the Library of Congress file of
250,000 records that ships in the pymarc 5.4.0 source package, downloading it
into var/bench/ with pip the first time (76 MB):

    .venv/bin/python benchmarks/import_marc.py [FILE] [--limit N] [--workers N]

--limit N imports only the first N records; --workers N sets the number of
worker processes that read and map (1: all in one process; default: the
importer's own choice; never more than one per CPU).
"""

import argparse
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PYMARC_RELEASE = "pymarc-5.4.0"
BIG_FILE = BENCH_DIR / PYMARC_RELEASE / "BooksAll.2016.part01.utf8"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, help=f"MARC file (default: {BIG_FILE})")
    parser.add_argument("--limit", type=int, help="import only the first N records")
    parser.add_argument("--workers", type=int, help="worker processes (1: none)")
    parser.add_argument("--batch-size", type=int, default=1000)
    options = parser.parse_args()
    source = options.file or big_file()
    with tempfile.TemporaryDirectory(prefix="serambi-bench-") as var_dir:
        path = first_records(source, options.limit, Path(var_dir)) if options.limit else source
        run(path, Path(var_dir), workers=options.workers, batch_size=options.batch_size)


def big_file() -> Path:
    """The 250,000-record file, fetched from PyPI with pip when it is not there yet."""
    if BIG_FILE.exists():
        return BIG_FILE
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    print(f"Downloading the {PYMARC_RELEASE} source package into {BENCH_DIR} …", flush=True)
    subprocess.run(  # noqa: S603 (a fixed command line)
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "pymarc==5.4.0",
            "-d",
            str(BENCH_DIR),
        ],
        check=True,
    )
    with tarfile.open(BENCH_DIR / f"{PYMARC_RELEASE}.tar.gz") as archive:
        member = f"{PYMARC_RELEASE}/{BIG_FILE.name}"
        archive.extractall(BENCH_DIR, members=[archive.getmember(member)], filter="data")
    return BIG_FILE


def first_records(source: Path, limit: int, folder: Path) -> Path:
    """A copy of the first ``limit`` records of an ISO 2709 file."""
    target = folder / f"first-{limit}.mrc"
    with source.open("rb") as stream:
        data = stream.read()
    end = 0
    for _record in range(limit):
        found = data.find(b"\x1d", end)
        if found == -1:
            break
        end = found + 1
    target.write_bytes(data[:end])
    return target


def run(path: Path, var_dir: Path, *, workers: int | None, batch_size: int) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SERAMBI_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serambi.settings")

    import django

    django.setup()
    import pymarc
    from django.core.management import call_command

    from serambi.catalog.marc import batches
    from serambi.catalog.marc.importer import import_marc
    from serambi.catalog.models import Contributor, Record, Subject

    if workers is not None:
        batches.PARALLEL_MIN_BYTES = 0 if workers > 1 else float("inf")
        batches.MAX_WORKERS = workers
    call_command("migrate", verbosity=0)
    size = path.stat().st_size
    print(f"file:     {path} ({size / 1024 / 1024:,.0f} MB)")
    print(f"database: SQLite in {var_dir}")
    print(f"cpus:     {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the start")

    started = time.perf_counter()
    with path.open("rb") as stream:
        parsed = sum(
            1
            for _record in pymarc.MARCReader(
                stream, to_unicode=True, force_utf8=True, permissive=True
            )
        )
    parse_seconds = time.perf_counter() - started
    print(
        f"pymarc alone:   {parse_seconds:7.1f} s  {parsed / parse_seconds:7,.0f} records/s "
        f"({parsed:,} records)"
    )

    started = time.perf_counter()
    cpu = cpu_seconds()
    report = import_marc([path], batch_size=batch_size)
    import_seconds = time.perf_counter() - started
    importer_cpu, workers_cpu = (
        after - before for after, before in zip(cpu_seconds(), cpu, strict=True)
    )
    counts = ", ".join(f"{name} {value:,}" for name, value in report.summary().items())
    print(
        f"import:         {import_seconds:7.1f} s  {report.read / import_seconds:7,.0f} records/s "
        f"({counts})"
    )
    print(
        f"                CPU: {importer_cpu:.1f} s in the importer's process (writing), "
        f"{workers_cpu:.1f} s in worker processes (reading and mapping)"
    )
    print(
        f"import / pymarc alone: {import_seconds / parse_seconds:.2f}  "
        f"({Record.objects.count():,} records, {Contributor.objects.count():,} contributors, "
        f"{Subject.objects.count():,} subjects in the database)"
    )

    started = time.perf_counter()
    again = import_marc([path], batch_size=batch_size)
    again_seconds = time.perf_counter() - started
    print(
        f"import again:   {again_seconds:7.1f} s  {again.read / again_seconds:7,.0f} records/s "
        f"({again.skipped:,} unchanged, {again.created + again.updated:,} written)"
    )


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process, and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
