"""Import MARC files (ISO 2709 or MARCXML) into the catalogue, in batches.

``import_marc`` reads every record (``reader``), maps it to ``RecordData``
(``mapping``), in worker processes for large imports (``batches``), and
writes it (``writer``): a new record, an update of the record it matches, or
nothing when that record already holds the same MARC. Records that cannot be
read or mapped are reported, never fatal. The writer's docstring tells how
records are matched and how items are made.

Each batch (``batch_size`` records) is written in its own transaction, so an
interrupted import (Ctrl-C, ``kill -9``, a lost connection) leaves whole
batches only, and running it again finishes the job: the records already
written match and are skipped.

The run is recorded in an ``ImportRun`` (its counts after every batch, the
problems at the end) and in one audit entry, ``catalog.marc_imported``.
"""

import gc
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from serambi.core.errors import DomainError
from serambi.core.models import Branch
from serambi.core.services import record_audit

from ..models import ImportRun
from .batches import Batch, prepared_batches
from .problems import ERROR, WARNING, ImportProblem
from .reader import MarcFileError, sniff_format
from .writer import BatchOutcome, BatchWriter

__all__ = ["ERROR", "WARNING", "ImportProblem", "ImportReport", "import_marc"]

logger = logging.getLogger(__name__)

MAX_ITEMS_PER_RECORD = 50
# SQLite settings while an import writes (see _tuned_for_bulk_writes): a 64 MB page
# cache, and a checkpoint of the write-ahead log once it holds about 400 MB.
BULK_CACHE_KIB = 64 * 1024
BULK_CHECKPOINT_PAGES = 100_000
# New containers between two runs of the cycle collector (see _rarer_garbage_collection).
GC_THRESHOLD = 50_000


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0  # matched a record whose MARC is unchanged: nothing to do
    # Every problem: records not imported (ERROR) and warnings about imported ones.
    errors: list[ImportProblem] = field(default_factory=list)
    import_run: ImportRun | None = None

    @property
    def rejected(self) -> int:
        """How many records were not imported."""
        return sum(1 for p in self.errors if p.severity == ERROR and p.record_number is not None)

    def summary(self) -> dict[str, int]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": len(self.errors),
        }

    def as_json(self) -> dict[str, Any]:
        """The summary with every problem, ready for json.dumps (and ImportRun.report)."""
        return {**self.summary(), "errors": [problem.as_dict() for problem in self.errors]}

    def add(self, batch: Batch, outcome: BatchOutcome) -> None:
        """Count a batch once it is committed."""
        self.read += batch.read
        self.created += outcome.created
        self.updated += outcome.updated
        self.skipped += outcome.skipped
        self.errors.extend(outcome.problems)

    def counts_with(self, batch: Batch, outcome: BatchOutcome) -> dict[str, int]:
        """The summary as it will be once this batch is committed."""
        return {
            "read": self.read + batch.read,
            "created": self.created + outcome.created,
            "updated": self.updated + outcome.updated,
            "skipped": self.skipped + outcome.skipped,
            "errors": len(self.errors) + len(outcome.problems),
        }


def import_marc(
    paths: Sequence[Path | str],
    *,
    by: Any = None,
    items_per_record: int = 0,
    branch: Branch | None = None,
    barcodes_from_holdings: bool = False,
    progress: bool = False,
    batch_size: int = 1000,
) -> ImportReport:
    """Import the MARC files at ``paths``; see the module docstring for what happens."""
    _check_request(paths, items_per_record, branch, batch_size)
    report = ImportReport()
    run = report.import_run = ImportRun.objects.create(
        filename=", ".join(Path(path).name for path in paths)[:500],
        started_by=by if getattr(by, "is_authenticated", False) else None,
    )
    writer = BatchWriter(
        items_per_record=items_per_record,
        branch=branch,
        barcodes_from_holdings=barcodes_from_holdings,
    )
    bar = _ProgressBar(paths) if progress else None
    try:
        # closing(): on an interruption the workers must stop now, not when the
        # traceback that holds this frame is finally let go.
        with (
            closing(prepared_batches(paths, batch_size=batch_size)) as batches,
            _tuned_for_bulk_writes(),
            _rarer_garbage_collection(),
        ):
            for batch in batches:
                with transaction.atomic():
                    outcome = writer.write(batch)
                    _save_counts(run, report.counts_with(batch, outcome))
                report.add(batch, outcome)
                if bar is not None:
                    bar.advance(batch, report)
    except BaseException as error:
        note = (
            _("The import was interrupted; the records of the finished batches are kept.")
            if isinstance(error, KeyboardInterrupt)
            else _("The import stopped because of an error: %(error)s") % {"error": error}
        )
        try:
            _finish(run, report, by=by, state=ImportRun.State.FAILED, note=note)
        except Exception:  # the database itself may be what failed; keep the first error
            logger.exception("Could not record the end of MARC import %s", run.pk)
        raise
    finally:
        if bar is not None:
            bar.close()
    _finish(run, report, by=by, state=ImportRun.State.FINISHED)
    return report


def _check_request(
    paths: Sequence[Path | str], items_per_record: int, branch: Branch | None, batch_size: int
) -> None:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if not paths:
        raise DomainError("catalog.import_no_file", _("Choose at least one MARC file."))
    if not 0 <= items_per_record <= MAX_ITEMS_PER_RECORD:
        raise DomainError(
            "catalog.import_items_per_record",
            _("Items per record must be between 0 and %(maximum)d.")
            % {"maximum": MAX_ITEMS_PER_RECORD},
            items_per_record=items_per_record,
        )
    if items_per_record and branch is None:
        raise DomainError(
            "catalog.import_branch_required",
            _("Choose the branch the new items belong to."),
        )
    for path in paths:
        try:
            with open(path, "rb") as stream:
                sniff_format(stream.read(4096))
        except OSError as error:
            raise DomainError(
                "catalog.import_unreadable_file",
                _("Cannot read %(file)s: %(reason)s")
                % {"file": path, "reason": error.strerror or error},
                file=str(path),
            ) from error
        except MarcFileError as error:
            raise DomainError(
                "catalog.import_not_marc",
                _("%(file)s: %(reason)s") % {"file": Path(path).name, "reason": error},
                file=str(path),
            ) from error


@contextmanager
def _tuned_for_bulk_writes() -> Iterator[None]:
    """On SQLite, a larger page cache, fewer WAL checkpoints and statement journals in
    memory while the import lasts.

    The defaults suit the staff pages' small transactions. An import writes
    megabytes per batch into indexes that outgrow a 2 MB cache, and with a
    checkpoint every 4 MB of log the same index pages were copied into the
    database again and again: commits took a quarter of the writing time.
    Inside a transaction SQLite keeps, for every statement, the pages it
    changes as they were, to undo that statement alone if it fails; by
    default these statement journals go to temporary files, some 80 MB per
    batch of a thousand records, written for nothing but a failure. In memory
    (``temp_store``) they cost an eighth of the writing time less. The
    settings belong to this connection only and are put back afterwards, and
    the log is then checkpointed and emptied.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint")
        (checkpoint_pages,) = cursor.fetchone()
        cursor.execute("PRAGMA temp_store")
        (temp_store,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        # Refused within a transaction once the connection has temporary tables;
        # the import is only slower then.
        with suppress(DatabaseError):
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        # A connection that has failed may refuse this too; the first error is the one to see.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store = {int(temp_store)}")


@contextmanager
def _rarer_garbage_collection() -> Iterator[None]:
    """Run Python's cycle collector less often while the import lasts.

    A batch in flight is some 30,000 containers (tuples, lists, dicts), all
    freed by reference counting once it is written: they hold no cycles. At
    the default threshold of 700 new containers the collector ran 4,500
    times in a 250,000-record import, 34 of them over every object of the
    process, for 4 s of the 75 the importer's process worked (and 3.5 s of
    that in taking the batches in). From GC_THRESHOLD on it seldom has
    reason to run. The setting is the process's and is put back afterwards.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _save_counts(run: ImportRun, counts: dict[str, int]) -> None:
    """Keep the run's counts in step with what is committed, for anyone watching it."""
    ImportRun.objects.filter(pk=run.pk).update(
        read=counts["read"],
        created=counts["created"],
        updated=counts["updated"],
        skipped=counts["skipped"],
        error_count=counts["errors"],
        updated_at=timezone.now(),
    )


def _finish(run: ImportRun, report: ImportReport, *, by: Any, state: str, note: str = "") -> None:
    run.state = state
    run.read = report.read
    run.created = report.created
    run.updated = report.updated
    run.skipped = report.skipped
    run.error_count = len(report.errors)
    run.report = report.as_json() | ({"note": note} if note else {})
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        record_audit(
            by=by,
            action="catalog.marc_imported",
            target=run,
            data={"state": state, **report.summary()},
        )


class _ProgressBar:
    """A tqdm bar on stderr over the bytes of all files, with the record count beside it."""

    def __init__(self, paths: Sequence[Path | str]) -> None:
        from tqdm import tqdm

        self.sizes = [Path(path).stat().st_size for path in paths]
        self.bar = tqdm(
            total=sum(self.sizes),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            desc=_("Importing"),
            dynamic_ncols=True,
        )

    def advance(self, batch: Batch, report: ImportReport) -> None:
        done = sum(self.sizes[: batch.path_index]) + batch.end
        self.bar.update(max(0, done - self.bar.n))
        self.bar.set_postfix(records=report.read, refresh=False)

    def close(self) -> None:
        self.bar.close()
