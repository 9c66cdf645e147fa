"""How a sync converges through a network that loses answers, against a clean one.

A generated marketplace is served by its own process, and reached through the test suite's
fault-injecting proxy (``tests.fakes.faulty_network``, in a process of its own too): at each
fault rate, equal shares of 503s, reset connections, stalls past the client's timeout and bodies
cut off before their ``Content-Length``. Each scenario starts from an empty database and runs
syncs, each in a fresh process as scheduled runs are, until one succeeds with nothing behind.

The baseline is one full first sync through the same proxy with no faults, measured in the same
invocation. Reported for each rate: runs to converge, total requests and total seconds of those
runs, as ratios to the baseline. Run: ``python -m benchmarks.bench_flaky_sync`` (``--help``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_sync import empty_database, served_marketplace
from benchmarks.processes import served_by

ROOT = Path(__file__).resolve().parent.parent
MAX_RUNS = 10


def proxy(upstream: str, rate: float, seed: int, stall_seconds: float) -> None:
    """Runs in a process of its own: the proxy, until it is terminated."""
    from tests.fakes.faulty_network import FaultPlan, faulty_proxy

    plan = FaultPlan(rate=rate, seed=seed, stall_seconds=stall_seconds)
    with faulty_proxy(upstream, plan) as (url, _):
        print(url, flush=True)
        while True:
            time.sleep(3600)


def worker(base_url: str, database_url: str, full: bool, settings: dict[str, float]) -> None:
    """Runs in a fresh process: one sync run, printed as a JSON line."""
    from bridge.db.engine import make_engine, session_factory
    from bridge.marketplace.client import MarketplaceClient
    from bridge.marketplace.retry import RetryPolicy
    from bridge.sync.engine import SyncEngine
    from bridge.sync.writing_process import writer_factory

    engine = make_engine(database_url)
    policy = RetryPolicy(
        max_attempts=int(settings["attempts"]),
        base_seconds=settings["backoff_base"],
        max_seconds=settings["backoff_max"],
    )
    client = MarketplaceClient(
        f"{base_url}/api",
        "s%3Abenchmark.session",
        timeout=settings["timeout"],
        concurrency=int(settings["concurrency"]),
        retry=policy,
    )
    sync = SyncEngine(
        client, session_factory(engine), writers=writer_factory(engine, separate_process=True)
    )
    started = time.perf_counter()
    report = sync.run(full=full)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "outcome": report.outcome.value,
                "behind": report.behind,
                "requests": report.http.get("requests", 0),
                "retries": report.http.get("retries", 0),
                "gave_up": report.http.get("gave_up", 0),
                "errors": report.errors[:3],
            }
        )
    )


def one_run(url: str, database_url: str, full: bool, settings: dict[str, float]) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_flaky_sync",
        "--worker",
        "--base-url",
        url,
        "--database-url",
        database_url,
        "--settings",
        json.dumps(settings),
        *(["--full"] if full else []),
    ]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def converge(
    upstream: str, database_url: str, rate: float, seed: int, settings: dict[str, float]
) -> list[dict[str, Any]]:
    """Runs from an empty database until one succeeds with nothing behind (at most MAX_RUNS)."""
    stall = 2 * settings["timeout"]
    arguments = [
        "--proxy",
        upstream,
        "--rate",
        str(rate),
        "--seed",
        str(seed),
        "--stall-seconds",
        str(stall),
    ]
    empty_database(database_url)
    runs: list[dict[str, Any]] = []
    with served_by("benchmarks.bench_flaky_sync", arguments, "the faulty proxy") as url:
        while len(runs) < MAX_RUNS:
            runs.append(one_run(url, database_url, not runs, settings))
            if runs[-1]["outcome"] == "succeeded" and runs[-1]["behind"] == 0:
                break
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cwu", type=int, default=1800)
    parser.add_argument("--swu", type=int, default=115)
    parser.add_argument("--twu", type=int, default=115)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.1, 0.3])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=2.0, help="the client's, in seconds")
    parser.add_argument("--attempts", type=int, default=5)
    parser.add_argument("--backoff-max", type=float, default=2.0)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    parser.add_argument("--proxy", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--stall-seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.proxy:
        proxy(args.proxy, args.rate, args.seed, args.stall_seconds)
        return
    if args.worker:
        worker(args.base_url, args.database_url, args.full, json.loads(args.settings))
        return

    settings = {
        "timeout": args.timeout,
        "attempts": args.attempts,
        "backoff_base": 0.5,
        "backoff_max": args.backoff_max,
        "concurrency": args.concurrency,
    }
    sizes = {"cwu": args.cwu, "swu": args.swu, "twu": args.twu}
    print(f"sizes {sizes}, {os.cpu_count()} cores, client {settings}")
    with tempfile.TemporaryDirectory() as directory, served_marketplace(sizes, 0.0) as upstream:
        url = args.database_url or f"sqlite:///{directory}/bench.sqlite3"
        [clean] = converge(upstream, url, 0.0, args.seed, settings)
        scenarios = [
            (rate, converge(upstream, url, rate, args.seed, settings)) for rate in args.rates
        ]
    print(
        f"\nbaseline: one clean full sync through the proxy: {clean['seconds']:.1f} s, "
        f"{clean['requests']} requests"
    )
    print(
        f"{'faults':>6} {'runs':>5} {'requests':>9} {'ratio':>6} {'seconds':>8} {'ratio':>6}"
        "  each run: outcome, behind, requests, seconds"
    )
    for rate, runs in scenarios:
        requests = sum(run["requests"] for run in runs)
        seconds = sum(run["seconds"] for run in runs)
        each = "; ".join(
            f"{run['outcome']} {run['behind']} {run['requests']} {run['seconds']:.1f}"
            for run in runs
        )
        print(
            f"{rate:6.0%} {len(runs):5d} {requests:9d} {requests / clean['requests']:6.2f} "
            f"{seconds:8.1f} {seconds / clean['seconds']:6.2f}  {each}"
        )


if __name__ == "__main__":
    main()
