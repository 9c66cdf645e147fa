"""``gc-bridge serve`` as operators run it: the scheduler and the panel in processes of their
own, stopped together by SIGTERM."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

import requests

from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.server import serve
from tests.processes import bridge_environment, bridge_process, children_of, gone_within, runs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.ConnectionError:
            time.sleep(0.1)
    return False


def test_serve_forks_its_panel_processes_and_sigterm_stops_them_all(tmp_path: Path) -> None:
    database = tmp_path / "bridge.sqlite3"
    with serve(FakeMarketplace.from_fixtures()) as marketplace:
        port = free_port()
        environment = bridge_environment(marketplace, database)
        environment.update(BRIDGE_PORT=str(port), BRIDGE_PANEL_PROCESSES="3")
        serving = ["-c", "from bridge.cli import run; run()", "serve"]
        with bridge_process(serving, environment) as process:
            assert healthy(f"http://127.0.0.1:{port}", 60)
            panel_processes = children_of(process.pid)
            assert len(panel_processes) >= 2  # and the sync's writing process, when it runs
            deadline = time.monotonic() + 60
            while runs(database) != ["succeeded"] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert runs(database) == ["succeeded"]  # the scheduler runs in the first process
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "received SIGTERM" in err and "(3 processes)" in err
    assert gone_within(panel_processes, 5)
