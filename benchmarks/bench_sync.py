"""How fast and how lean a sync is, against a generated marketplace served over loopback.

Every figure is a ratio to a baseline measured in the same run, on the same machine, so the
numbers travel between machines:

- full first sync / fetching the same URLs with the same concurrency and discarding the bodies
  (what HTTP alone costs): target <= 1.3;
- second sync with nothing changed / full first sync: target <= 0.15;
- a steady-state incremental run (every still-open opportunity due for its re-check, a few
  changed) / full first sync, for the honest cost of catching addenda;
- peak memory (maximum resident set) of the full sync: target <= 300 MB, also as a ratio to an
  idle bridge process's (loaded and connected, before any work).

The marketplace is served by a separate process (so that it does not share the bridge's GIL),
and the baseline and each sync run in fresh processes of their own, so that each peak memory
is that run's alone. Large runs write from a second process, as the bridge does by default
(``--writer inline`` measures writing in the run's own process); that process's peak is added
to the run's. Run: ``python -m benchmarks.bench_sync`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.processes import served_by

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def served_marketplace(sizes: dict[str, int], latency_ms: float) -> Iterator[str]:
    """Start ``benchmarks.marketplace`` in its own process; yield its base URL."""
    arguments = [
        "--cwu",
        str(sizes["cwu"]),
        "--swu",
        str(sizes["swu"]),
        "--twu",
        str(sizes["twu"]),
        "--latency-ms",
        str(latency_ms),
    ]
    with served_by("benchmarks.marketplace", arguments, "the marketplace server") as url:
        yield url


def peak_memory_mb() -> float:
    """This process's maximum resident set size so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def writer_peak_memory_mb() -> float:
    """The writing process's maximum resident set size (the run's only child, ended by now)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def worker(
    mode: str, base_url: str, database_url: str, concurrency: int, sizes: str, writer: str
) -> None:
    """Runs in a fresh process: one measurement, printed as a JSON line."""
    if mode == "baseline":
        from benchmarks.baseline_fetch import fetch_all
        from benchmarks.marketplace import all_read_urls, generate_marketplace

        counts = json.loads(sizes)
        urls = all_read_urls(generate_marketplace(counts["cwu"], counts["swu"], counts["twu"]))
        before = peak_memory_mb()
        # The bridge's own HTTP configuration: proxies resolved once, not per request.
        stats = fetch_all(base_url, urls, concurrency, trust_env=False)
        print(
            json.dumps(
                {
                    "seconds": stats.elapsed_seconds,
                    "requests": stats.requests,
                    "memory_mb": peak_memory_mb(),
                    "memory_before_mb": before,
                }
            )
        )
        return

    from bridge.clock import utcnow
    from bridge.db.engine import make_engine, session_factory
    from bridge.marketplace.client import MarketplaceClient
    from bridge.sync.engine import SyncEngine
    from bridge.sync.writing_process import writer_factory

    if mode == "idle":  # the bridge loaded and connected, before any work: memory's baseline
        make_engine(database_url).connect().close()
        print(json.dumps({"memory_mb": peak_memory_mb()}))
        return
    engine = make_engine(database_url)
    client = MarketplaceClient(f"{base_url}/api", "s%3Abenchmark.session", concurrency=concurrency)
    # "steady" looks two hours ahead: every still-open opportunity is due for its re-check.
    offset = timedelta(hours=2) if mode == "steady" else timedelta(0)
    writers = writer_factory(engine, separate_process=writer == "process")
    sync = SyncEngine(
        client, session_factory(engine), clock=lambda: utcnow() + offset, writers=writers
    )
    started = time.perf_counter()
    report = sync.run(full=mode == "full")
    seconds = time.perf_counter() - started
    # Both processes' peaks added: more than they ever held at once, never less.
    memory_mb = peak_memory_mb() + writer_peak_memory_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "ok": report.ok,
                "errors": report.errors[:5],
                "requests": report.http.get("requests", 0),
                "memory_mb": memory_mb,
                "counts": report.counts,
            }
        )
    )


def measure(
    mode: str,
    base_url: str,
    database_url: str,
    concurrency: int,
    sizes: dict[str, int],
    writer: str,
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_sync",
        "--worker",
        mode,
        "--base-url",
        base_url,
        "--database-url",
        database_url,
        "--concurrency",
        str(concurrency),
        "--sizes",
        json.dumps(sizes),
        "--writer",
        writer,
    ]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sync benchmark (ratios to a same-run baseline).")
    parser.add_argument("--cwu", type=int, default=5000)
    parser.add_argument("--swu", type=int, default=500)
    parser.add_argument("--twu", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", help="default: a new SQLite file; its tables are dropped before each run"
    )
    parser.add_argument("--pairs", type=int, default=3, help="baseline and full sync pairs")
    parser.add_argument(
        "--latency-ms",
        type=float,
        nargs="+",
        default=[0.0, 10.0],
        help="delay of each answer: 0 measures the bridge's own cost (loopback, CPU-bound); "
        "10 approximates a marketplace on the same cloud network",
    )
    parser.add_argument(
        "--writer",
        choices=("process", "inline"),
        default="process",
        help="where large runs write (BRIDGE_SYNC_WRITER_PROCESS): a second process, as by "
        "default, or the run's own",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(
            args.worker,
            args.base_url,
            args.database_url,
            args.concurrency,
            args.sizes,
            args.writer,
        )
        return

    sizes = {"cwu": args.cwu, "swu": args.swu, "twu": args.twu}
    print(
        f"sizes {sizes}, concurrency {args.concurrency}, {os.cpu_count()} cores, "
        f"writing in {'a second process' if args.writer == 'process' else 'the same process'}"
    )
    for latency_ms in args.latency_ms:
        run_suite(sizes, args.concurrency, args.database_url, latency_ms, args.writer, args.pairs)


def empty_database(database_url: str) -> None:
    """Drop every table and migrate again: each full sync is a first sync."""
    from sqlalchemy import text

    from bridge.db.engine import make_engine
    from bridge.db.migrate import upgrade
    from bridge.db.registry import metadata

    engine = make_engine(database_url)
    metadata().drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    engine.dispose()


def run_suite(
    sizes: dict[str, int],
    concurrency: int,
    database_url: str | None,
    latency_ms: float,
    writer: str,
    pairs: int,
) -> None:
    """Every measurement against one server, whose answers wait ``latency_ms`` each.

    A baseline and a full first sync run back to back, ``pairs`` times, and the full sync's
    ratio is the median of the pairs' ratios: a pair shares the machine's load of the moment,
    and single runs on a shared two-core machine vary by a quarter.
    """

    with tempfile.TemporaryDirectory() as directory:
        url = database_url or f"sqlite:///{directory}/bench.sqlite3"
        with served_marketplace(sizes, latency_ms) as base_url:

            def run(mode: str) -> dict[str, Any]:
                return measure(mode, base_url, url, concurrency, sizes, writer)

            empty_database(url)
            idle = run("idle")
            measured = []
            for _ in range(pairs):
                empty_database(url)
                measured.append((run("baseline"), run("full")))
            second = run("incremental")
            steady = run("steady")
    for name, result in (
        *(("full", full) for _, full in measured),
        ("second", second),
        ("steady", steady),
    ):
        if not result["ok"]:
            raise SystemExit(f"the {name} sync failed: {result['errors']}")

    ratios = [full["seconds"] / baseline["seconds"] for baseline, full in measured]
    baseline, full = measured[ratios.index(statistics.median_low(ratios))]

    def ratio(value: float, reference: float, name: str) -> str:
        return f"{value / reference:.3f} of {name}"

    rows = [
        ("baseline: fetch every URL, discard bodies", baseline, "1.000", ""),
        (
            "full first sync",
            full,
            f"{statistics.median(ratios):.3f} of baseline (median)",
            "target <= 1.3",
        ),
        (
            "second sync, nothing changed",
            second,
            ratio(second["seconds"], full["seconds"], "full"),
            "target <= 0.15",
        ),
        (
            "steady run, every open one re-checked",
            steady,
            ratio(steady["seconds"], full["seconds"], "full"),
            "",
        ),
    ]
    backend = url.split(":", 1)[0]
    print(f"\nanswers delayed {latency_ms:g} ms, database {backend}, {pairs} pairs")
    print(f"{'measurement':42} {'seconds':>8} {'requests':>9}  ratio")
    for name, result, relative, target in rows:
        print(f"{name:42} {result['seconds']:8.2f} {result['requests']:9d}  {relative} {target}")
    print("full sync / baseline, each pair: " + ", ".join(f"{value:.3f}" for value in ratios))
    memory_mb = max(full["memory_mb"] for _, full in measured)
    print(
        f"peak memory of the full sync (both processes): {memory_mb:.0f} MB "
        f"(target <= 300 MB), {memory_mb / idle['memory_mb']:.2f} x the idle bridge "
        f"process's {idle['memory_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
