"""MARC files turned into batches of catalogue-ready records, in this process or in workers.

A batch is up to ``batch_size`` consecutive records of one file, each either
prepared for the writer (``prepare.py``) or rejected with the reason. Nothing
here touches the database.

Reading and mapping a record costs about twice what writing it does,
so a large import does them in worker processes while the importer's own
process writes. Worker *k* of *n* reads the files itself and prepares
batches *k*, *k + n*, *k + 2n* …, sending each through its own pipe; the
importer takes them round-robin, which keeps the file order. A worker
prepares its next batch while the last one waits in the pipe to be taken, so
it is never more than a batch or two ahead.

Workers are started with "spawn": they inherit no open database connection
and no threads, and hold only the sending end of their pipe, so that if the
importer dies, even by ``kill -9``, their next send fails and they stop. As
with any use of multiprocessing, a script that imports a large file must
guard its entry point with ``if __name__ == "__main__":``.
"""

import dataclasses
import itertools
import marshal
import multiprocessing
import operator
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from . import worker
from .prepare import PreparedRecord, prepare_record
from .problems import ImportProblem
from .reader import RawRecord, split_records

# Files smaller than this are prepared in the importer's own process: starting
# workers (a Python with Django each) costs about a second.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
MAX_WORKERS = 4
# How long the importer waits for a worker to finish after the last batch.
_WORKER_EXIT_SECONDS = 10


@dataclass(slots=True)
class Batch:
    file: str  # the file's name, as the report shows it
    path_index: int  # which of the paths given to the importer
    end: int  # how many bytes of the file have been read, for progress bars
    read: int  # records in this batch, prepared or rejected
    records: list[PreparedRecord] = field(default_factory=list)
    # Rejected records (errors) and warnings about prepared ones, in file order.
    problems: list[ImportProblem] = field(default_factory=list)


def prepared_batches(
    paths: Sequence[Path | str], *, batch_size: int, workers: int | None = None
) -> Iterator[Batch]:
    """The batches of every file, in file order.

    ``workers`` None chooses: one process for small imports, else one worker
    per available CPU (at most MAX_WORKERS).
    """
    if workers is None:
        workers = _worker_count(paths)
    if workers <= 1:
        return share_of_batches(paths, batch_size, share=0, shares=1)
    return _batches_from_workers(paths, batch_size, workers)


def _worker_count(paths: Sequence[Path | str]) -> int:
    if sum(os.path.getsize(path) for path in paths) < PARALLEL_MIN_BYTES:
        return 1
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return 1  # settings configured in code cannot be handed to a spawned process
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, MAX_WORKERS))


def share_of_batches(
    paths: Sequence[Path | str], batch_size: int, *, share: int, shares: int
) -> Iterator[Batch]:
    """Batch ``share``, ``share + shares`` … of all the files' batches (all of them for 0 of 1)."""
    numbers = itertools.count()
    for path_index, path in enumerate(paths):
        name = Path(path).name
        found = False
        for raws in _chunked(split_records(path), batch_size):
            found = True
            if next(numbers) % shares == share:
                yield _prepare(name, path_index, raws)
        if not found and next(numbers) % shares == share:
            problem = ImportProblem(name, None, "", _("the file holds no MARC records"))
            yield Batch(name, path_index, os.path.getsize(path), 0, problems=[problem])


def _chunked(raws: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    iterator = iter(raws)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _prepare(name: str, path_index: int, raws: list[RawRecord]) -> Batch:
    batch = Batch(name, path_index, raws[-1].end, len(raws))
    for raw in raws:
        prepared = prepare_record(raw, name, batch.problems)
        if prepared is not None:
            batch.records.append(prepared)
    return batch


# --- worker processes -------------------------------------------------------------------

# What a worker sends through its pipe: ``marshal`` bytes of (kind, payload), a
# batch as plain tuples (BATCH), the traceback of what broke the worker
# (FAILURE), or nothing more to come (END). marshal reads and writes plain
# values two to three times faster than pickle, and the importer's process,
# which takes in every batch, is the one that cannot run in parallel: it
# spent 8 to 10 s of a 250,000-record import unpickling. Both ends are the
# same Python, which is all marshal asks.
BATCH, FAILURE, END = 0, 1, 2
_record_values = operator.attrgetter(*(f.name for f in dataclasses.fields(PreparedRecord)))
_problem_values = operator.attrgetter(*(f.name for f in dataclasses.fields(ImportProblem)))


def to_wire(batch: Batch) -> bytes:
    """A worker's message carrying ``batch``."""
    return marshal.dumps(
        (
            BATCH,
            (
                batch.file,
                batch.path_index,
                batch.end,
                batch.read,
                [_record_values(record) for record in batch.records],
                [_problem_values(problem) for problem in batch.problems],
            ),
        )
    )


def message_to_wire(kind: int, text: str | None = None) -> bytes:
    """A worker's FAILURE (with the traceback) or END message."""
    return marshal.dumps((kind, text))


def _batch_from_wire(payload: tuple) -> Batch:
    file, path_index, end, read, records, problems = payload
    return Batch(
        file,
        path_index,
        end,
        read,
        [PreparedRecord(*values) for values in records],
        [ImportProblem(*values) for values in problems],
    )


def _batches_from_workers(
    paths: Sequence[Path | str], batch_size: int, workers: int
) -> Iterator[Batch]:
    context = multiprocessing.get_context("spawn")
    paths = [str(path) for path in paths]
    receivers = []
    processes = []
    try:
        for share in range(workers):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=worker.run,
                args=(
                    sender,
                    paths,
                    batch_size,
                    share,
                    workers,
                    os.environ["DJANGO_SETTINGS_MODULE"],
                    translation.get_language(),
                ),
                name=f"serambi-marc-{share + 1}",
                daemon=True,
            )
            process.start()
            # The worker now holds the only sending end: if it dies, recv_bytes() sees EOF.
            sender.close()
            receivers.append(receiver)
            processes.append(process)
        for number in itertools.count():
            try:
                message = receivers[number % workers].recv_bytes()
            except EOFError:
                raise RuntimeError(
                    f"MARC worker process {number % workers + 1} stopped unexpectedly (its "
                    "error is above; a script must start with `if __name__ == '__main__':`)"
                ) from None
            # From our own worker, through a pipe only it holds.
            kind, payload = marshal.loads(message)  # noqa: S302
            if kind == END:
                return
            if kind == FAILURE:
                raise RuntimeError(f"MARC worker process failed:\n{payload}")
            yield _batch_from_wire(payload)
    finally:
        # Closing the pipes makes any worker still sending stop; then they exit.
        for receiver in receivers:
            receiver.close()
        for process in processes:
            process.join(_WORKER_EXIT_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join()
