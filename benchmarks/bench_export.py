"""How fast and how lean the award export is: 10,000 award records to a disclosure CSV and the
OCDS release and record packages, generated and validated, against the same rows, releases and
records written with the standard library's ``csv`` and ``json`` and no validation, in the same
run.

Figures (targets from the export issue):

- export / baseline: the documents every delivery carries (the disclosure CSV and the release
  package), with every run-time check: the portal's table rules, the typed models of the
  releases and the official OCDS 1.1.5 schema (jsonschema-rs): target <= 3;
- the publication / its baseline: the same plus the record package, its records compiled by
  ocdsmerge (the standard's reference merge, in pure Python, which dominates) and checked
  against the official schema;
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
MODES = ("export", "publish")


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
            if number % 5 == 0
            else ()
        )
        made.append(
            AwardRecord(
                opportunity_id=f"00000000-0000-4000-8000-{number:012d}",
                kind="code-with-us",
                department_acronym="TBS",
                department_name_en="Treasury Board of Canada Secretariat",
                department_name_fr="Secrétariat du Conseil du Trésor du Canada",
                title_en=f"Work package {number}",
                title_fr=f"Lot de travail {number}",
                description_en="Build an accessible form.",
                description_fr="Créer un formulaire.",
                buyer_name="Local Gov User",
                supplier=SupplierRecord(
                    f"organization:{number % 700}",
                    "organization",
                    f"Vendor {number % 700} Ltd.",
                    "K1A 0B1",
                    "Canada",
                ),
                original_value=value,
                award_date=date(2026, 11, 20) - timedelta(days=number % 200),
                proposal_deadline=date(2026, 11, 10) - timedelta(days=number % 200),
                tender_published=date(2026, 10, 1) - timedelta(days=number % 200),
                start_date=date(2026, 12, 10),
                end_date=date(2027, 2, 1),
                number_of_bids=3,
                amendments=amendments,
                coding=coding,
            )
        )
    return made


def baseline(records: list[Any], with_records: bool) -> None:
    """The same rows, releases and (``with_records``) compiled records, made beforehand,
    written with csv and json, unchecked."""
    from bridge.exports.formats.disclosure import INDIVIDUAL_TABLE, individual_rows, load_table
    from bridge.exports.formats.ocds import compile_record, releases

    table = load_table(INDIVIDUAL_TABLE)
    rows = [row for record in records for row in individual_rows(record, table)]
    per_process = [releases(record, PREFIX) for record in records]
    compiled = [compile_record(items, releases_at="urn:x") for items in per_process if with_records]
    gc.freeze()
    started = time.perf_counter()
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=table.header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    head = {
        "uri": "urn:x",
        "version": "1.1",
        "publishedDate": PUBLISHED.isoformat(),
        "publisher": {"name": "TBS"},
    }
    items = [release for process in per_process for release in process]
    documents = [buffer.getvalue().encode(), json.dumps({**head, "releases": items}).encode()]
    if with_records:
        documents.append(json.dumps({**head, "records": compiled}).encode())
    print(json.dumps({"seconds": time.perf_counter() - started, "bytes": sum(map(len, documents))}))


def export(records: list[Any], with_records: bool) -> None:
    """What an export does: the disclosure rows checked against the portal's table, the
    releases against the typed models and, in their release package, the official OCDS schema;
    ``with_records``, the publication too: both packages built (records compiled with
    ocdsmerge) and checked against the official schema."""
    from bridge.exports.formats.disclosure import (
        INDIVIDUAL_TABLE,
        individual_rows,
        load_table,
        to_csv,
        validate,
    )
    from bridge.exports.formats.ocds import release_package, releases
    from bridge.exports.formats.ocds_models import problems
    from bridge.exports.outbox import schema_check
    from bridge.exports.publication import RELEASE_PACKAGE, metadata, packages_of, serialize
    from bridge.settings import load_settings

    settings = load_settings({"BRIDGE_OCDS_SCHEMA_DIR": str(SCHEMA_DIR)})
    check = schema_check(SCHEMA_DIR)
    table = load_table(INDIVIDUAL_TABLE)
    before = peak_memory_mb()
    gc.freeze()
    started = time.perf_counter()
    rows = [row for record in records for row in individual_rows(record, table)]
    assert validate(table, rows) == []
    document = to_csv(table, rows)
    per_process = [releases(record, PREFIX) for record in records]
    assert not any(problems(release) for items in per_process for release in items)
    if with_records:
        files = packages_of(per_process, settings, PUBLISHED).files()  # schema-checked
    else:
        items = [release for process in per_process for release in process]
        package = release_package(items, metadata(settings, RELEASE_PACKAGE, PUBLISHED))
        assert check(package) == []
        files = {RELEASE_PACKAGE: serialize(package)}
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": len(rows),
                "releases": sum(map(len, per_process)),
                "csv_bytes": len(document),
                "json_bytes": sum(map(len, files.values())),
                "peak_mb": peak_memory_mb(),
                "idle_mb": before,
            }
        )
    )


def run_once(mode: str, count: int) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_export",
        "--worker",
        mode,
        "--awards",
        str(count),
    ]
    answer = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def paired(mode: str, count: int, repeat: int) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """``repeat`` pairs of a baseline run and a ``mode`` run, back to back, each in a fresh
    process: the median of the pairs' ratios (a pair shares the machine's load of the moment),
    and the fastest run of each side."""
    ratios, bases, runs = [], [], []
    for _ in range(repeat):
        base, run = run_once(f"baseline-{mode}", count), run_once(mode, count)
        ratios.append(run["seconds"] / base["seconds"])
        bases.append(base)
        runs.append(run)
    return (
        statistics.median(ratios),
        min(bases, key=lambda item: item["seconds"]),
        min(runs, key=lambda item: item["seconds"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--awards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", choices=[*MODES, *(f"baseline-{mode}" for mode in MODES)])
    arguments = parser.parse_args()
    if arguments.worker:
        records = awards(arguments.awards)
        mode = arguments.worker.removeprefix("baseline-")
        if arguments.worker.startswith("baseline-"):
            baseline(records, with_records=mode == "publish")
        else:
            export(records, with_records=mode == "publish")
        return
    repeat = arguments.repeat
    ratio, base, run = paired("export", arguments.awards, repeat)
    published_ratio, published_base, published = paired("publish", arguments.awards, repeat)
    print(
        f"{arguments.awards} awards: {run['rows']} disclosure rows, "
        f"{run['releases']} OCDS releases; medians of {repeat} paired runs"
    )
    print(
        f"export (CSV + release package), official OCDS schema and every check: fastest "
        f"{run['seconds']:.2f} s against {base['seconds']:.2f} s, ratio {ratio:.2f} "
        "(target <= 3)"
    )
    print(
        f"peak memory: {run['peak_mb']:.0f} MB (target <= 300), "
        f"{run['peak_mb'] / run['idle_mb']:.2f} x the process before the work"
    )
    print(
        f"with the record package (ocdsmerge): fastest {published['seconds']:.2f} s against "
        f"{published_base['seconds']:.2f} s, ratio {published_ratio:.2f}; peak memory "
        f"{published['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
