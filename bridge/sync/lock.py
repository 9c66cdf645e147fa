"""Never two syncs at once: not in one process, not across bridge replicas.

On PostgreSQL several replicas share one database, so the lock is a session-level advisory lock
held on a dedicated connection for the whole run. On SQLite (one host by nature) it is an
exclusive ``flock`` on a file beside the database. Either way a busy lock is not waited for: the
caller skips its turn, which is what a coalescing scheduler wants.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

_process_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(
        hashlib.sha256(f"gc-bridge:{name}".encode()).digest()[:8], "big", signed=True
    )


@contextmanager
def exclusive_run(engine: Engine, name: str = "sync") -> Iterator[bool]:
    """Yield True while this caller alone holds the ``name`` lock, False if someone else does."""
    with _guard:
        local = _process_locks.setdefault(f"{engine.url}:{name}", threading.Lock())
    if not local.acquire(blocking=False):
        yield False
        return
    try:
        if engine.dialect.name == "postgresql":
            with _postgres_lock(engine, name) as acquired:
                yield acquired
        else:
            with _file_lock(engine, name) as acquired:
                yield acquired
    finally:
        local.release()


@contextmanager
def _postgres_lock(engine: Engine, name: str) -> Iterator[bool]:
    key = advisory_key(name)
    with engine.connect() as connection:
        acquired = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


@contextmanager
def _file_lock(engine: Engine, name: str) -> Iterator[bool]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # an in-memory database lives in this process: the thread lock suffices
        return
    path = Path(f"{database}.{name}.lock")
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
