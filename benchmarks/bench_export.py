"""How fast and how lean the award export is: 10,000 award records to a disclosure CSV and an
OCDS release package, generated and validated, against the same rows and releases written with
the standard library's ``csv`` and ``json`` and no validation, in the same run.

Figures (targets from the export issue):

- export / baseline, with the run-time checks (the portal's table rules and the typed models of
  the releases): target <= 3;
- the same with the official OCDS schema (jsonschema) in place of the typed models, for
  deployments that configure a schema directory, on fewer awards (``--schema-awards``, 500 by
  default): the full schema is far slower to apply than the typed models, which is why it is
  the option and the models the default;
- peak memory (maximum resident set) of the export: target <= 300 MB, also as a ratio to the
  process before the work.

Each measurement runs in a fresh process so that its peak memory is its own. A baseline run and
an export run go back to back, five times; the ratio is the median of the five pairs' ratios,
as each pair shares the machine's load of its moment (single runs here vary by half). In both
the baseline and the export, the objects made before the clock starts are frozen out of the
garbage collector's reach, so that neither pays for scanning the other's setup. Run:
``python -m benchmarks.bench_export`` (``--awards N``, ``--repeat N`` pairs).
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "config" / "reference" / "ocds-1.1"
PREFIX = "ocds-gcbrdg"
PUBLISHED = datetime(2026, 11, 26, tzinfo=UTC)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def awards(count: int) -> list[Any]:
    """``count`` records like the marketplace's: values around the threshold, some amended."""
    from bridge.exports.build import load_coding
    from bridge.exports.record import AmendmentRecord, AwardRecord, SupplierRecord

    coding = load_coding()["code-with-us"]
    made = []
    for number in range(count):
        value = Decimal(4000 + (number * 37) % 9000) + Decimal("0.50")
        amendments = (
            (AmendmentRecord(1, date(2027, 1, 5), Decimal("2500.00"), "More pages"),)
            if number % 5 == 0 else ()
        )  # fmt: skip
        made.append(AwardRecord(
            opportunity_id=f"00000000-0000-4000-8000-{number:012d}", kind="code-with-us",
            department_acronym="TBS", department_name_en="Treasury Board of Canada Secretariat",
            department_name_fr="Secrétariat du Conseil du Trésor du Canada",
            title_en=f"Work package {number}", title_fr=f"Lot de travail {number}",
            description_en="Build an accessible form.", description_fr="Créer un formulaire.",
            buyer_name="Local Gov User",
            supplier=SupplierRecord(f"organization:{number % 700}", "organization",
                                    f"Vendor {number % 700} Ltd.", "K1A 0B1", "Canada"),
            original_value=value,
            award_date=date(2026, 11, 20) - timedelta(days=number % 200),
            proposal_deadline=date(2026, 11, 10) - timedelta(days=number % 200),
            tender_published=date(2026, 10, 1) - timedelta(days=number % 200),
            start_date=date(2026, 12, 10), end_date=date(2027, 2, 1), number_of_bids=3,
            amendments=amendments, coding=coding,
        ))  # fmt: skip
    return made


def baseline(records: list[Any]) -> tuple[bytes, bytes]:
    """The same rows and releases (made beforehand), written with csv and json, unchecked."""
    from adapters.exporters.disclosure import INDIVIDUAL_TABLE, individual_rows, load_table
    from adapters.exporters.ocds import releases

    table = load_table(INDIVIDUAL_TABLE)
    rows = [row for record in records for row in individual_rows(record, table)]
    items = [release for record in records for release in releases(record, PREFIX)]
    gc.freeze()
    started = time.perf_counter()
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=table.header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    package = {"uri": "urn:x", "version": "1.1", "publishedDate": PUBLISHED.isoformat(),
               "publisher": {"name": "TBS"}, "releases": items}  # fmt: skip
    documents = (buffer.getvalue().encode(), json.dumps(package).encode())
    print(json.dumps({"seconds": time.perf_counter() - started}))
    return documents


def export(records: list[Any], official_schema: bool) -> None:
    """Generate and validate both documents as the bridge does."""
    from adapters.exporters.disclosure import (
        INDIVIDUAL_TABLE,
        individual_rows,
        load_table,
        to_csv,
        validate,
    )  # fmt: skip
    from adapters.exporters.ocds import release_package, releases, validator
    from adapters.exporters.ocds_models import problems

    table = load_table(INDIVIDUAL_TABLE)
    check = validator(SCHEMA_DIR) if official_schema else None
    before = peak_memory_mb()
    gc.freeze()
    started = time.perf_counter()
    rows = [row for record in records for row in individual_rows(record, table)]
    assert validate(table, rows) == []
    document = to_csv(table, rows)
    items = [release for record in records for release in releases(record, PREFIX)]
    package = release_package(items, uri="urn:x", published=PUBLISHED, publisher_name="TBS")
    if check is not None:
        assert check(package) == []
    else:
        assert not any(problems(release) for release in items)
    body = json.dumps(package).encode()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(rows), "releases": len(items),
                      "csv_bytes": len(document), "json_bytes": len(body),
                      "peak_mb": peak_memory_mb(), "idle_mb": before}))  # fmt: skip


def run_once(mode: str, count: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_export", "--worker", mode,
               "--awards", str(count)]  # fmt: skip
    answer = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def paired(mode: str, count: int, repeat: int) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """``repeat`` pairs of a baseline run and a ``mode`` run, back to back, each in a fresh
    process: the median of the pairs' ratios (a pair shares the machine's load of the moment),
    and the fastest run of each side."""
    ratios, bases, runs = [], [], []
    for _ in range(repeat):
        base, run = run_once("baseline", count), run_once(mode, count)
        ratios.append(run["seconds"] / base["seconds"])
        bases.append(base)
        runs.append(run)
    return (statistics.median(ratios), min(bases, key=lambda item: item["seconds"]),
            min(runs, key=lambda item: item["seconds"]))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--awards", type=int, default=10_000)
    parser.add_argument("--schema-awards", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", choices=["baseline", "export", "export-schema"])
    arguments = parser.parse_args()
    if arguments.worker:
        records = awards(arguments.awards)
        if arguments.worker == "baseline":
            baseline(records)
        else:
            export(records, official_schema=arguments.worker == "export-schema")
        return
    repeat = arguments.repeat
    ratio, base, typed = paired("export", arguments.awards, repeat)
    schema_ratio, _, schema = paired("export-schema", arguments.schema_awards, min(repeat, 3))
    print(f"{arguments.awards} awards: {typed['rows']} disclosure rows, "
          f"{typed['releases']} OCDS releases; medians of {repeat} paired runs")  # fmt: skip
    print(f"baseline (csv + json, no checks): fastest {base['seconds']:.2f} s")
    print(f"export, run-time checks:    fastest {typed['seconds']:.2f} s  "
          f"ratio {ratio:.2f} (target <= 3)")  # fmt: skip
    print(f"export, official schema ({arguments.schema_awards} awards): "
          f"fastest {schema['seconds']:.2f} s  ratio {schema_ratio:.2f}")  # fmt: skip
    print(f"peak memory: {typed['peak_mb']:.0f} MB (target <= 300), "
          f"{typed['peak_mb'] / typed['idle_mb']:.2f} x the process before the work")  # fmt: skip


if __name__ == "__main__":
    main()
