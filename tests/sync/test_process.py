"""The bridge as operators run it: a separate process, stopped by SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bridge.db.engine import make_engine, session_factory
from bridge.sync.models import Opportunity
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.server import serve
from tests.processes import ROOT, bridge_environment, bridge_process, runs


def test_sigterm_stops_a_scheduled_sync_cleanly_and_the_next_run_finishes(tmp_path: Path) -> None:
    fake = FakeMarketplace.from_fixtures()
    # Enough work that the signal lands mid-run.
    fake.grow("code-with-us", "05e8604f-703a-43ea-9cb5-308dc2053be6", 40)
    database = tmp_path / "bridge.sqlite3"
    with serve(fake, delay_seconds=0.05) as url:
        environment = bridge_environment(url, database)
        with bridge_process(["sync.py", "--schedule"], environment) as process:
            deadline = time.monotonic() + 30
            while len(fake.requests_seen) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "received SIGTERM" in err
        assert runs(database) == ["interrupted"]

        finished = subprocess.run(
            [sys.executable, "sync.py"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode == 0, finished.stderr
    assert runs(database) == ["interrupted", "succeeded"]
    engine = make_engine(f"sqlite:///{database}")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Opportunity)) == 48
    engine.dispose()
