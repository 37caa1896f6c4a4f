"""How long the demo library takes to load, to load again, and to make its copies.

Runs on a new SQLite database in a temporary directory (DATABASE_URL is
ignored), with the bundled 2,828 records unless a MARC file is named:

    .venv/bin/python benchmarks/demo_load.py [FILE.mrc]
"""

import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="serambi-bench-") as var_dir:
        run(var_dir)


def run(var_dir: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SERAMBI_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serambi.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from serambi.catalog.models import Item
    from serambi.core.models import Branch
    from serambi.demo.services import (
        DEMO_MARC,
        control_keys,
        create_demo_items,
        load_demo_library,
        records_without_items,
    )

    marc = Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_MARC
    print(f"database: SQLite in {var_dir}")
    print(f"MARC file: {marc}")
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    first = load_demo_library(marc_path=marc)
    first_seconds = time.perf_counter() - started
    records = first.catalogue.read
    print(
        f"first load:  {first_seconds:7.2f} s  ({records:,} records read, "
        f"{first.catalogue.created:,} created, {first.items_created:,} copies; "
        f"{records / first_seconds:,.0f} records/s overall)"
    )

    started = time.perf_counter()
    second = load_demo_library(marc_path=marc)
    second_seconds = time.perf_counter() - started
    imported = "import skipped" if second.catalogue is None else "imported again"
    print(
        f"second load: {second_seconds:7.2f} s  ({second.records_in_file:,} records, {imported}; "
        f"{second.items_created:,} copies created)"
    )

    copies = Item.objects.count()
    Item.objects.all().delete()
    branches = {branch.code: branch for branch in Branch.objects.all()}
    started = time.perf_counter()
    created = create_demo_items(
        records=records_without_items(control_keys(marc)),
        branches=branches,
        today=timezone.localdate(),
        by=None,
    )
    copies_seconds = time.perf_counter() - started
    assert created == copies, (created, copies)
    print(
        f"copies only: {copies_seconds:7.2f} s  ({created:,} copies planned and bulk-created, "
        f"{created / copies_seconds:,.0f} copies/s)"
    )
    connections.close_all()


if __name__ == "__main__":
    main()
