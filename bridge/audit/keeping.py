"""What keeps the audit chain honest from outside the database.

Anyone who can write to the database could otherwise delete the newest entries, or rewrite the
whole chain with fresh hashes, and ``verify`` would call it intact. So each entry's hash is an
HMAC under a key the database never holds (``BRIDGE_AUDIT_KEY``, or a file generated once in the
data directory), and the head of the chain (the newest entry's id and hash) is written after
every commit to a file beside it: entries missing after that head, or a head that was replaced,
break the chain.

Each process configures this once at start-up, from its settings (the panel, the command line,
the sync service); writing an entry before that is a programming error, not a silent unkeyed
entry.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from bridge.settings import Settings

HEAD_FILE = "audit_head"
PENDING_HEAD = "audit_head"  # the key under which a session holds the head it will commit


@dataclass
class Keeping:
    key_source: Callable[[], bytes]
    head_file: Path | None

    @cached_property
    def key(self) -> bytes:
        """Read (or generated) when first needed, so a command that writes no entry makes no
        key file."""
        return self.key_source()


@dataclass(frozen=True)
class Head:
    entry_id: int
    hash: str


_keeping: Keeping | None = None


class NotConfigured(RuntimeError):
    """An audit entry was written or checked before the process configured the chain."""


def configure(key: bytes, head_file: Path | None) -> None:
    global _keeping
    _keeping = Keeping(lambda: key, head_file)


def configure_from(settings: Settings) -> None:
    global _keeping
    _keeping = Keeping(lambda: settings.audit_secret().encode(), settings.data_dir / HEAD_FILE)


def keeping() -> Keeping:
    if _keeping is None:
        raise NotConfigured("the audit chain's key is not configured: call configure_from()")
    return _keeping


def read_head() -> Head | None:
    """The head written outside the database, if any."""
    head_file = keeping().head_file
    if head_file is None or not head_file.exists():
        return None
    entry_id, _, digest = head_file.read_text().strip().partition(" ")
    return Head(int(entry_id), digest)


def _write_head(head: Head) -> None:
    """Move the head forward (never back), atomically and one process at a time."""
    head_file = keeping().head_file
    if head_file is None:
        return
    head_file.parent.mkdir(parents=True, exist_ok=True)
    with (head_file.parent / f".{HEAD_FILE}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_head()
        if current is not None and current.entry_id >= head.entry_id:
            return
        temporary = head_file.with_name(f".{HEAD_FILE}.tmp")
        temporary.write_text(f"{head.entry_id} {head.hash}\n")
        temporary.replace(head_file)


def remember_head(session: Session, head: Head) -> None:
    """Called as an entry is added: written out once the session commits."""
    pending = session.info.get(PENDING_HEAD)
    if pending is None or pending.entry_id < head.entry_id:
        session.info[PENDING_HEAD] = head


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    head = session.info.pop(PENDING_HEAD, None)
    if head is not None:
        _write_head(head)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(PENDING_HEAD, None)
