"""How the panel holds up with 10,000 opportunities and 20 people using it at once.

The panel is served as in production (waitress, 8 threads) by a separate process, from a database
holding 10,000 opportunities of the three kinds, their authors in GC departments and the GC rule
findings of each. Twenty signed-in clients then request, route after route: the opportunities
list (first and a deep page), the list filtered by kind, status, department and text, and
detail pages. Each route's median and 95th-percentile latency are printed as ratios to the
``/healthz`` route measured on the same server in the same run, so the figures travel between
machines. Run: ``python -m benchmarks.bench_panel`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "bench-admin@tbs-sct.gc.ca"
ADMIN_PASSWORD = "benchmark password 2026"
KINDS = ("code-with-us", "sprint-with-us", "team-with-us")
STATUSES = ("DRAFT", "UNDER_REVIEW", "PUBLISHED", "EVALUATION", "AWARDED", "CANCELED")
DOMAINS = ("tbs-sct.gc.ca", "hrsdc-rhdcc.gc.ca", "ssc-spc.gc.ca", "example.invalid")
WORDS = (
    "accessible",
    "form",
    "upload",
    "data",
    "pipeline",
    "migration",
    "dashboard",
    "service",
    "bilingual",
    "content",
    "review",
    "prototype",
    "open",
    "source",
    "API",
    "integration",
    "testing",
    "security",
    "audit",
    "reporting",
)


def settings_environment(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        "BRIDGE_MARKETPLACE_URL": "http://127.0.0.1:9",
        "BRIDGE_MARKETPLACE_SESSION": "s%3Abench.session",
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_DATA_DIR": data_dir,
        "BRIDGE_SECRET_KEY": "benchmark-secret-key",
    }


def _phrase(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _opportunity(
    rng: random.Random, index: int, authors: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    created = now - timedelta(days=rng.randint(0, 700))
    sections = (f"## {_phrase(rng, 3)}\n\n{_phrase(rng, 60)}" for _ in range(3))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "kind": KINDS[index % 10 % 3],
        "status": rng.choice(STATUSES),
        "title": f"{_phrase(rng, 4).capitalize()} {index}",
        "teaser": _phrase(rng, 15),
        "description": "\n\n".join(sections),
        "location": "Ottawa",
        "remote_ok": True,
        "remote_desc": _phrase(rng, 10),
        "submission_info": _phrase(rng, 10),
        "acceptance_criteria": _phrase(rng, 20),
        "evaluation_criteria": _phrase(rng, 20),
        "skills": ["Python", "Accessibility"],
        "amount": Decimal(rng.randint(1000, 15000)),
        "proposal_deadline": created + timedelta(days=30),
        "published_at": created,
        "num_proposals": rng.randint(0, 9),
        "created_by_id": rng.choice(authors)["id"],
        "marketplace_created_at": created,
        "marketplace_updated_at": created + timedelta(days=1),
        "payload": {},
        "content_hash": "0" * 64,
        "fingerprint": "0" * 64,
        "version": 1,
        "first_seen_at": now,
        "stored_at": now,
        "detail_checked_at": now,
    }


def seed(database_url: str, count: int) -> list[str]:
    """The schema, departments, rule settings, an admin, ``count`` opportunities; their ids."""
    from sqlalchemy import insert

    from bridge.accounts.models import Role
    from bridge.accounts.service import create_user
    from bridge.db.engine import make_engine, session_factory, transaction
    from bridge.db.migrate import upgrade
    from bridge.departments.service import seed_departments
    from bridge.rules.pipeline import RulePipeline
    from bridge.rules.settings import seed_rule_settings
    from bridge.sync.models import MarketplaceUser, Opportunity

    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    rng = random.Random(2026)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    authors = [
        {"id": str(uuid.UUID(int=rng.getrandbits(128))), "type": "GOV", "status": "ACTIVE",
         "name": f"Author {index}", "email": f"author{index}@{DOMAINS[index % len(DOMAINS)]}",
         "job_title": "Manager", "fingerprint": "0" * 64, "first_seen_at": now, "stored_at": now}
        for index in range(40)
    ]  # fmt: skip
    rows = [_opportunity(rng, index, authors, now) for index in range(count)]
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        create_user(session, ADMIN_EMAIL, "Bench Admin", ADMIN_PASSWORD, [(Role.ADMIN, None)])
        session.execute(insert(MarketplaceUser), authors)
        for start in range(0, len(rows), 1000):
            session.execute(insert(Opportunity), rows[start : start + 1000])
    with transaction(sessions) as session:
        RulePipeline().evaluate_all(session, "benchmark")
    engine.dispose()
    return [str(row["id"]) for row in rows]


def serve(database_url: str, data_dir: str) -> None:
    """The worker process: the panel behind waitress, as ``gc-bridge serve --no-sync`` runs it."""
    import waitress

    from bridge.panel import create_app
    from bridge.settings import load_settings

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 20 clients queue by design
    settings = load_settings(settings_environment(database_url, data_dir))
    app = create_app(settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    print(f"http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


@contextmanager
def served_panel(database_url: str, data_dir: str) -> Iterator[str]:
    command = [sys.executable, "-m", "benchmarks.bench_panel", "--serve",
               "--database-url", database_url, "--data-dir", data_dir]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("http://"):
                yield line.strip()
                return
        raise RuntimeError("the panel did not start")
    finally:
        process.terminate()
        process.wait(timeout=10)


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in_session(base_url: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    form = session.get(f"{base_url}/sign-in", timeout=30).text
    match = CSRF.search(form)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    answer = session.post(
        f"{base_url}/sign-in",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": match.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: HTTP {answer.status_code}")
    return session


def measure(
    sessions: list[requests.Session], base_url: str, paths: Callable[[int], str], total: int,
    expect: str,
) -> list[float]:  # fmt: skip
    """``total`` requests spread over the clients, all at once; each one's seconds."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))
    failures: list[str] = []

    def client(session: requests.Session) -> None:
        mine = []
        for number in counter:
            path = paths(number)
            started = time.perf_counter()
            answer = session.get(f"{base_url}{path}", timeout=60)
            mine.append(time.perf_counter() - started)
            if answer.status_code != 200 or expect not in answer.text:
                failures.append(f"{path}: HTTP {answer.status_code}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Panel latency under concurrent clients.")
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1_000, help="per route")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.database_url, args.data_dir)
        return

    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or f"sqlite:///{directory}/bench.sqlite3"
        started = time.perf_counter()
        ids = seed(database_url, args.opportunities)
        seeded = time.perf_counter() - started
        rng = random.Random(7)
        routes: list[tuple[str, Callable[[int], str], str]] = [
            ("/healthz", lambda _: "/healthz", "ok"),
            ("list, first page", lambda _: "/opportunities/", "Opportunities"),
            ("list, page 200", lambda _: "/opportunities/?page=200", "Opportunities"),
            ("list filtered (kind, status, department, text)",
             lambda _: "/opportunities/?kind=code-with-us&status=PUBLISHED&department=TBS&q=form",
             "Opportunities"),
            ("detail", lambda _: f"/opportunities/{rng.choice(ids)}", "GC rules"),
        ]  # fmt: skip
        with served_panel(database_url, directory) as base_url:
            clients = [signed_in_session(base_url) for _ in range(args.clients)]
            for _, path, expect in routes:  # warm caches and connections
                measure(clients, base_url, path, args.clients, expect)
            results = [
                (name, measure(clients, base_url, path, args.requests, expect))
                for name, path, expect in routes
            ]
    baseline = results[0][1]
    base_median, base_p95 = statistics.median(baseline), p95(baseline)
    backend = database_url.split(":", 1)[0]
    print(
        f"{args.opportunities} opportunities ({backend}, seeded and judged in {seeded:.0f} s), "
        f"{args.clients} clients, {args.requests} requests per route, {os.cpu_count()} cores"
    )
    print(f"{'route':48} {'median ms':>9} {'p95 ms':>8} {'median ratio':>12} {'p95 ratio':>9}")
    for name, latencies in results:
        median, high = statistics.median(latencies), p95(latencies)
        print(f"{name:48} {median * 1000:9.1f} {high * 1000:8.1f} "
              f"{median / base_median:12.2f} {high / base_p95:9.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
