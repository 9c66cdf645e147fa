"""Where a run's batches get written: in the run's own process, or in a second one.

Reading the marketplace and writing the database are both CPU work in Python, and Python runs
one thread at a time per process. On a fast network a large sync is bound by that one core:
validating, comparing and storing eight thousand answers costs about as much again as sending
the requests. A second process gives the writing a core of its own, and the run takes little
more than its reads.

The writing process is started only for runs with enough to write (a full sync, a first sync);
small runs write in place, where starting a process would cost more than it saves. Both paths
write with the same ``BatchApplier``, batch by batch, each batch one transaction, so a run cut
off anywhere (either process killed, the database failing) leaves whole opportunities only, and
the next run finishes the work.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from sqlalchemy import Engine

from bridge.db.engine import make_engine, session_factory
from bridge.logs import configure_logging
from bridge.sync.applier import AppliedBatch, BatchApplier, RunContext
from bridge.sync.details import DetailResult

log = logging.getLogger(__name__)

# Batches handed over and not yet written: enough to keep the writer busy, few enough that
# memory stays flat and a stopped run has little left to finish.
BATCHES_AHEAD = 2
# How many records a run must expect to write before a writing process is worth its start-up
# (about a second of one core, to import what writing needs).
PROCESS_THRESHOLD = 400


class WriterFailed(Exception):
    """The writing process failed or vanished; what it had written is consistent."""


class BatchWriter(Protocol):
    def expect(self, count: int) -> None:
        """About ``count`` more records are on their way to be written (a hint to prepare)."""

    def submit(self, kind: str, batch: list[DetailResult]) -> list[AppliedBatch]:
        """Hand over a batch; returns what has been written since the last call."""

    def finish(self) -> list[AppliedBatch]:
        """Wait until everything handed over is written; returns what remained to report."""

    def close(self) -> None:
        """Stop at once (after an error): whatever is not written yet is left for the next run."""


WriterFactory = Callable[[BatchApplier], BatchWriter]


class InlineWriter:
    """Writes each batch at once, in the calling thread."""

    def __init__(self, applier: BatchApplier) -> None:
        self.applier = applier

    def expect(self, count: int) -> None:
        pass

    def submit(self, kind: str, batch: list[DetailResult]) -> list[AppliedBatch]:
        return [self.applier.apply(kind, batch)]

    def finish(self) -> list[AppliedBatch]:
        return []

    def close(self) -> None:
        pass


class ProcessWriter:
    """Writes in a second process once a run expects enough to write; in place until then."""

    def __init__(
        self, applier: BatchApplier, database_url: str, threshold: int = PROCESS_THRESHOLD
    ) -> None:
        self.inline = InlineWriter(applier)
        self.context = applier.context
        self.database_url = database_url
        self.threshold = threshold
        self.expected = 0
        self.outstanding = 0
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None

    def expect(self, count: int) -> None:
        self.expected += count
        if self.process is None and self.expected >= self.threshold:
            self._start()

    def submit(self, kind: str, batch: list[DetailResult]) -> list[AppliedBatch]:
        if self.connection is None:
            return self.inline.submit(kind, batch)
        self._send((kind, batch))
        self.outstanding += 1
        done = []
        while self.outstanding > BATCHES_AHEAD or (self.outstanding and self._ready()):
            done.append(self._receive())
        return done

    def finish(self) -> list[AppliedBatch]:
        if self.connection is None:
            return []
        self._send(None)
        done = []
        while self.outstanding:
            done.append(self._receive())
        self._receive_end()
        self._stop(wait=True)
        return done

    def close(self) -> None:
        if self.process is not None:
            self._stop(wait=False)

    # The second process ------------------------------------------------------------------

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        self.process = context.Process(
            target=write_batches,
            args=(child_end, self.database_url, self.context, logging.getLogger().level),
            name="gc-bridge-writer",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.connection = parent_end
        log.info("writing this run's batches in process %s", self.process.pid)

    def _send(self, message: Any) -> None:
        assert self.connection is not None
        try:
            self.connection.send(message)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise self._vanished() from exc

    def _ready(self) -> bool:
        assert self.connection is not None
        return self.connection.poll()

    def _receive(self) -> AppliedBatch:
        tag, value = self._receive_message()
        if tag != "applied":
            raise WriterFailed(f"unexpected message from the writing process: {tag}")
        self.outstanding -= 1
        applied: AppliedBatch = value
        return applied

    def _receive_end(self) -> None:
        tag, _ = self._receive_message()
        if tag != "done":
            raise WriterFailed(f"unexpected message from the writing process: {tag}")

    def _receive_message(self) -> tuple[str, Any]:
        assert self.connection is not None
        try:
            tag, value = self.connection.recv()
        except (EOFError, ConnectionResetError) as exc:
            raise self._vanished() from exc
        if tag == "failed":
            raise WriterFailed(f"writing failed: {value}")
        return tag, value

    def _vanished(self) -> WriterFailed:
        assert self.process is not None
        self.process.join(timeout=5)
        return WriterFailed(
            f"the writing process ended unexpectedly (exit code {self.process.exitcode}); "
            "the next run finishes its work"
        )

    def _stop(self, *, wait: bool) -> None:
        assert self.process is not None
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if wait:
            self.process.join(timeout=60)
        if self.process.is_alive():
            # Killed mid-batch, the batch's transaction is rolled back: nothing half-written.
            self.process.kill()
            self.process.join()
        self.process = None


def write_batches(
    connection: Connection, database_url: str, context: RunContext, log_level: int
) -> None:
    """The writing process: apply each batch received, answer with what it did, until told.

    It ignores SIGINT and SIGTERM, which reach the whole process group: the run's own process
    decides when to stop, and closing the pipe or killing this one is always safe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(log_level)
    engine = make_engine(database_url)
    applier = BatchApplier(session_factory(engine), context)
    try:
        while True:
            try:
                message = connection.recv()
            except EOFError:
                return
            if message is None:
                connection.send(("done", None))
                return
            kind, batch = message
            try:
                applied = applier.apply(kind, batch)
            except Exception as exc:
                log.exception("writing a batch of %s failed", kind)
                connection.send(("failed", f"{type(exc).__name__}: {exc}"))
                return
            connection.send(("applied", applied))
    finally:
        engine.dispose()


def writer_factory(engine: Engine, *, separate_process: bool) -> WriterFactory:
    """How a run of this bridge writes: a database in memory can only be written in place."""
    url = engine.url
    if not separate_process or (
        url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    ):
        return InlineWriter
    database_url = url.render_as_string(hide_password=False)

    def factory(applier: BatchApplier) -> BatchWriter:
        return ProcessWriter(applier, database_url)

    return factory
