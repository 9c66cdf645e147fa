"""How long an operator waits for ``gc-bridge --help`` and ``gc-bridge status`` to answer.

Each command runs as a fresh process, as a person or a monitoring script runs it, against a
migrated SQLite database; the figure is the median of ``--runs`` runs. The baseline, measured
in the same invocation the same way, is the interpreter starting and importing nothing
(``python -c pass``): the part of every command no code of the bridge can shorten. The targets
are absolute (0.5 s), since the wait is what a person notices. Run:
``python -m benchmarks.bench_cli``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.processes import ROOT

TARGET_SECONDS = 0.5


def median_seconds(command: list[str], environment: dict[str, str], runs: int) -> float:
    """The median wall time of ``runs`` fresh processes of ``command`` (each must succeed)."""
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=environment, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9, help="Processes per command.")
    args = parser.parse_args(argv)
    bridge = [str(Path(sys.executable).parent / "gc-bridge")]  # the installed entry point
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ,
            "BRIDGE_DATABASE_URL": f"sqlite:///{Path(folder) / 'bridge.sqlite3'}",
            "BRIDGE_DATA_DIR": folder,
        }
        subprocess.run([*bridge, "db", "upgrade"], env=environment, check=True, capture_output=True)
        baseline = median_seconds([sys.executable, "-c", "pass"], environment, args.runs)
        print(f"baseline, the interpreter alone: {baseline:.3f} s (median of {args.runs})")
        print("| command | median | / interpreter | target |")
        print("|---|---|---|---|")
        for name, arguments in (("--help", ["--help"]), ("status", ["status"])):
            seconds = median_seconds([*bridge, *arguments], environment, args.runs)
            verdict = "met" if seconds <= TARGET_SECONDS else "MISSED"
            print(
                f"| `gc-bridge {name}` | {seconds:.3f} s | {seconds / baseline:.1f} "
                f"| <= {TARGET_SECONDS} s, {verdict} |"
            )


if __name__ == "__main__":
    main()
