"""The panel in several processes on one socket, each process real (forked by the server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT, alive, children_of, gone_within

ATTEMPTS = 400  # fresh connections, each accepted by whichever process is first


class Served:
    def __init__(self, process: subprocess.Popen[str], first: int, url: str) -> None:
        self.process, self.first, self.url = process, first, url

    def answer(self, method: str, path: str) -> int:
        """The id of the process that served a request on a connection of its own."""
        reply = requests.request(method, f"{self.url}{path}", headers={"Connection": "close"})
        reply.raise_for_status()
        return int(reply.text)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.serve.forked_app", str(tmp_path / "launches")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first, url = process.stdout.readline().split()
    try:
        yield Served(process, int(first), url)
    finally:
        family = children_of(process.pid)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for pid in family:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_every_process_accepts_from_the_one_socket(served: Served) -> None:
    workers = children_of(served.first)
    assert len(workers) == 2
    seen = set()
    for _ in range(ATTEMPTS):
        seen.add(served.answer("GET", "/pid"))
        if len(seen) == 3:
            break
    assert seen == workers | {served.first}


def test_a_launch_asked_of_another_process_runs_in_the_first(
    served: Served, tmp_path: Path
) -> None:
    servers = []
    for _ in range(ATTEMPTS):
        servers.append(served.answer("POST", "/launch"))
        if servers[-1] != served.first:
            break
    assert servers[-1] != served.first, "no request reached another process"
    launches = tmp_path / "launches"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = launches.read_text().splitlines() if launches.exists() else []
        if len(lines) == len(servers):
            break
        time.sleep(0.05)
    assert lines == [f"{served.first} panel"] * len(servers)


def test_sigterm_stops_every_process(served: Served) -> None:
    workers = children_of(served.first)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=20) == 0
    assert gone_within(workers, 5)


def test_a_panel_process_stops_when_the_first_is_killed(served: Served) -> None:
    workers = children_of(served.first)
    served.process.kill()
    served.process.wait(timeout=10)
    assert gone_within(workers, 10)


def test_the_others_go_on_serving_when_one_dies(served: Served) -> None:
    dead = min(children_of(served.first))
    os.kill(dead, signal.SIGKILL)
    assert gone_within({dead}, 10)
    answers = {served.answer("GET", "/pid") for _ in range(50)}
    assert answers <= {served.first} | children_of(served.first)
    assert dead not in answers and served.process.poll() is None
    deadline = time.monotonic() + 5  # and the first process collected it: no zombie is left
    while Path(f"/proc/{dead}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{dead}").exists()
