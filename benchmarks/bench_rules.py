"""How long judging every opportunity again takes, as a rule setting or a department change asks.

The database is filled as the panel benchmark fills it (``bench_panel.seed``: the three kinds in
every status, Markdown descriptions, proposals, authors across the departments) and judged once.
Then ``reevaluate_all``, what the panel starts after a setting change, runs in a fresh process
(the detector's models and every cache cold, as after a restart), each time over every live
opportunity:

- the baseline: the same pass with no rules at all, which reads the opportunities and what
  their contexts need, builds the contexts and stores the evaluations;
- the measure: the same pass with the registry's rules, the GC's.

Baseline and measure run back to back, ``--pairs`` times; the figure is the median. The target
is absolute (2 ms an opportunity); the ratio says how much of it is the rules' own work. Run:
``python -m benchmarks.bench_rules`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.processes import ROOT

TARGET_MS = 2.0


def judge(database_url: str, with_rules: bool) -> None:
    """One pass in this process; prints the opportunities judged and the seconds, as JSON."""
    from adapters.registry import rule_pipeline
    from bridge.db.engine import make_engine, session_factory
    from bridge.rules.pipeline import RulePipeline, reevaluate_all

    pipeline = rule_pipeline() if with_rules else RulePipeline(())
    sessions = session_factory(make_engine(database_url))
    started = time.perf_counter()
    report = reevaluate_all(sessions, "benchmark", pipeline)
    seconds = time.perf_counter() - started
    print(json.dumps({"evaluated": report.evaluated, "seconds": seconds}))


def timed_pass(database_url: str, with_rules: bool) -> tuple[int, float]:
    command = [sys.executable, "-m", "benchmarks.bench_rules", "--judge", database_url]
    if with_rules:
        command.append("--with-rules")
    answer = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    figures = json.loads(answer.stdout.strip().splitlines()[-1])
    return int(figures["evaluated"]), float(figures["seconds"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        help="default: a new SQLite file; its tables are dropped before the database is seeded",
    )
    parser.add_argument("--judge", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--with-rules", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.judge:
        judge(args.judge, args.with_rules)
        return
    from benchmarks.bench_panel import seed
    from benchmarks.bench_sync import empty_database

    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("BRIDGE_DATA_DIR", folder)
        url = args.database_url or f"sqlite:///{Path(folder) / 'rules.sqlite3'}"
        empty_database(url)  # a second run on the same server seeds from nothing too
        seeded = seed(url, args.opportunities)
        print(f"seeded {args.opportunities} opportunities in {seeded.seed_seconds:.1f} s")
        baselines: list[float] = []
        measures: list[float] = []
        for _ in range(args.pairs):
            count, seconds = timed_pass(url, with_rules=False)
            baselines.append(1000 * seconds / count)
            count, seconds = timed_pass(url, with_rules=True)
            measures.append(1000 * seconds / count)
        baseline, measure = statistics.median(baselines), statistics.median(measures)
        verdict = "met" if measure <= TARGET_MS else "MISSED"
        print(f"re-judging {count} opportunities, fresh process, median of {args.pairs} pairs:")
        print(f"  baseline, no rules: {baseline:.2f} ms an opportunity")
        print(
            f"  GC rules: {measure:.2f} ms an opportunity ({measure / baseline:.1f} x baseline; "
            f"<= {TARGET_MS} ms: {verdict})"
        )


if __name__ == "__main__":
    main()
