"""The bridge as operators run it, a process of its own: its environment, what it recorded,
and the processes it started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from bridge.db.engine import make_engine, session_factory
from bridge.sync.models import SyncRun

ROOT = Path(__file__).resolve().parents[1]


def bridge_environment(url: str, database: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    environment.update(
        BRIDGE_MARKETPLACE_URL=url,
        BRIDGE_MARKETPLACE_SESSION="s%3Asession.signature",
        BRIDGE_DATABASE_URL=f"sqlite:///{database}",
        BRIDGE_DATA_DIR=str(database.parent / "data"),
        BRIDGE_HTTP_CONCURRENCY="2",
    )
    return environment


@contextmanager
def bridge_process(
    arguments: list[str], environment: dict[str, str]
) -> Iterator[subprocess.Popen[str]]:
    """``python arguments…`` from the project's root, its output kept; killed if the test left
    it running."""
    process = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def runs(database: Path) -> list[str]:
    """The outcome of each sync run recorded in ``database``, oldest first."""
    engine = make_engine(f"sqlite:///{database}")
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(SyncRun.outcome).order_by(SyncRun.id)))
    finally:
        engine.dispose()


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, parent = stat.rsplit(")", 1)[1].split()[:2]
    return state, int(parent)


def alive(pid: int) -> bool:
    """Running: neither gone nor a zombie waiting for a parent to collect it."""
    found = _state_and_parent(pid)
    return found is not None and found[0] != "Z"


def children_of(pid: int) -> set[int]:
    """The live processes whose parent is ``pid``."""
    return {
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and (found := _state_and_parent(int(entry.name))) is not None
        and found[1] == pid
        and found[0] != "Z"
    }


def gone_within(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)
