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
import queue
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from sqlalchemy import URL, Engine

from bridge.db.engine import make_engine, session_factory
from bridge.logs import configure_logging
from bridge.sync.applier import AppliedBatch, BatchApplier, DatabaseFailing, RunContext
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


Report = Callable[[AppliedBatch], None]


class BatchWriter(Protocol):
    """Takes a run's batches; tells ``report`` what each one did as soon as it is known."""

    def expect(self, count: int) -> None:
        """About ``count`` more records are on their way to be written (a hint to prepare)."""

    def submit(self, kind: str, batch: list[DetailResult]) -> None:
        """Hand over a batch of whole results."""

    def finish(self) -> None:
        """Wait until everything handed over is written (unless the writer has failed)."""

    def close(self) -> None:
        """Release what the writer holds; whatever it could not write is left for the next run."""


WriterFactory = Callable[[BatchApplier, Report], BatchWriter]


class InlineWriter:
    """Writes each batch at once, in the calling thread."""

    def __init__(self, applier: BatchApplier, report: Report) -> None:
        self.applier = applier
        self.report = report

    def expect(self, count: int) -> None:
        pass

    def submit(self, kind: str, batch: list[DetailResult]) -> None:
        try:
            self.report(self.applier.apply(kind, batch))
        except DatabaseFailing as failing:
            self.report(failing.applied)
            raise

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


class ProcessWriter:
    """Writes in a second process once a run expects enough to write; in place until then.

    The protocol cannot deadlock: the writing process answers from a thread of its own, so its
    main thread is always back to receiving soon, and a batch sent here never waits on an
    answer nobody reads. Each batch gets exactly one answer, in order; after a failure every
    batch is answered with the failure, so the reason always reaches this side.
    """

    def __init__(
        self,
        applier: BatchApplier,
        report: Report,
        database_url: str,
        threshold: int = PROCESS_THRESHOLD,
    ) -> None:
        self.inline = InlineWriter(applier, report)
        self.report = report
        self.context = applier.context
        self.database_url = database_url
        self.threshold = threshold
        self.expected = 0
        self.outstanding = 0
        self.failed = False
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None

    def expect(self, count: int) -> None:
        self.expected += count
        if self.process is None and self.expected >= self.threshold:
            self._start()

    def submit(self, kind: str, batch: list[DetailResult]) -> None:
        if self.connection is None:
            self.inline.submit(kind, batch)
            return
        self._send((kind, batch))
        self.outstanding += 1
        while self.outstanding > BATCHES_AHEAD or (self.outstanding and self._ready()):
            self._receive()

    def finish(self) -> None:
        if self.connection is None or self.failed:
            return
        self._send(None)
        while self.outstanding:
            self._receive()
        tag, *_ = self._receive_message()
        if tag != "done":
            raise self._fail(f"unexpected answer from the writing process: {tag}")
        self._stop(wait=True)

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

    def _receive(self) -> None:
        """Take the answer to the oldest batch still out, and report it."""
        tag, applied, reason = self._receive_message()
        self.outstanding -= 1
        if applied is not None:
            self.report(applied)
        if tag == "failed":
            raise self._fail(f"writing failed: {reason}")
        if tag != "applied":
            raise self._fail(f"unexpected answer from the writing process: {tag}")

    def _receive_message(self) -> tuple[Any, ...]:
        assert self.connection is not None
        try:
            message: tuple[Any, ...] = self.connection.recv()
        except (EOFError, ConnectionResetError) as exc:
            raise self._vanished() from exc
        return message

    def _vanished(self) -> WriterFailed:
        """The process is gone: its last answers may still say why."""
        assert self.process is not None and self.connection is not None
        self.process.join(timeout=5)
        try:
            while self.connection.poll():
                tag, applied, reason = self.connection.recv()
                if applied is not None:
                    self.report(applied)
                if tag == "failed":
                    return self._fail(f"writing failed: {reason}")
        except (EOFError, OSError):
            pass
        return self._fail(
            f"the writing process ended unexpectedly (exit code {self.process.exitcode}); "
            "the next run finishes its work"
        )

    def _fail(self, message: str) -> WriterFailed:
        self.failed = True
        return WriterFailed(message)

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
    """The writing process: apply each batch received and answer what it did, until told.

    Answers go out from a thread of their own (see ``ProcessWriter``). It ignores SIGINT and
    SIGTERM, which reach the whole process group: the run's own process decides when to stop,
    and closing the pipe or killing this one is always safe.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(log_level)
    answers: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
    answering = threading.Thread(target=_answer, args=(connection, answers), daemon=True)
    answering.start()
    engine = make_engine(database_url)
    applier = BatchApplier(session_factory(engine), context)
    failure: str | None = None
    try:
        while True:
            try:
                message = connection.recv()
            except EOFError:
                return
            if message is None:
                answers.put(("done",))
                return
            kind, batch = message
            if failure is not None:
                answers.put(("failed", None, failure))
                continue
            try:
                answers.put(("applied", applier.apply(kind, batch), None))
            except DatabaseFailing as failing:
                failure = str(failing)
                answers.put(("failed", failing.applied, failure))
            except Exception as exc:
                log.exception("writing a batch of %s failed", kind)
                failure = f"{type(exc).__name__}: {exc}"
                answers.put(("failed", None, failure))
    finally:
        answers.put(None)
        answering.join()
        engine.dispose()


def _answer(connection: Connection, answers: queue.SimpleQueue[tuple[Any, ...] | None]) -> None:
    while (answer := answers.get()) is not None:
        try:
            connection.send(answer)
        except OSError:
            return  # the run's process is gone: nobody to answer


def _in_memory(url: URL) -> bool:
    if url.get_backend_name() != "sqlite":
        return False
    database = url.database or ""
    return (
        database in ("", ":memory:")
        or database.startswith("file::memory:")
        or (url.query.get("mode") == "memory")
    )


def writer_factory(engine: Engine, *, separate_process: bool) -> WriterFactory:
    """How a run of this bridge writes: a database in memory can only be written in place."""
    if not separate_process or _in_memory(engine.url):
        return InlineWriter
    database_url = engine.url.render_as_string(hide_password=False)

    def factory(applier: BatchApplier, report: Report) -> BatchWriter:
        return ProcessWriter(applier, report, database_url)

    return factory
