"""How the panel holds up with 10,000 opportunities and 20 people using it at once.

The issue asks for the opportunities list, its filtered form and a detail page under 20
concurrent clients, each figure a ratio to ``/healthz`` served by the same server in the same
run: ``/healthz`` renders nothing and reads nothing, so it carries exactly the costs every route
shares (HTTP, waitress, Flask, the machine, the clients themselves), and the ratios say what the
pages add on top, in numbers that travel between machines.

The database is filled directly (SQLAlchemy Core bulk inserts, not a sync, which would take far
longer): opportunities of the three kinds in every status, with Markdown descriptions of a few
sections, amounts in dollars and cents, the marketplace payload kept beside them, a few proposals
and a status history each; their authors work in the seeded departments (by e-mail domain, so the
department filter selects a real share) or outside any. The GC rules then judge every
opportunity, so the detail pages show findings as they do in production. On PostgreSQL the
tables are then vacuumed and analysed, as autovacuum does on a live server; on SQLite the bridge's
own ``refresh_statistics`` runs, as it does after every sync.

The panel is served as in production (``create_app`` behind waitress, in the processes and
threads ``gc-bridge serve`` uses by default, no scheduler), apart from the clients' process, so
the clients do not share its GIL. Each client signs in with
its own session (CSRF token and all), then, route after route, the clients send ``--requests``
requests between them as fast as the server answers. Every answer must be a 200 holding what the
page should show (the expected first title of a list page, the opportunity's title on its detail
page), or the run fails. Run: ``python -m benchmarks.bench_panel`` (``--help`` for sizes).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import requests
from markupsafe import escape

from adapters.registry import rule_pipeline
from benchmarks.processes import served_by

ADMIN_EMAIL = "bench-admin@tbs-sct.gc.ca"
ADMIN_PASSWORD = "benchmark password 2026"
UNROUTED_DOMAIN = "example.com"  # authors outside any department: the unrouted queue
NOW = datetime(2026, 11, 1, tzinfo=UTC)
FILTER = {"kind": "code-with-us", "status": "PUBLISHED", "department": "TBS", "q": "form"}
OUTCOMES = "/outcomes/?period=2025-2026"  # the year most of the generated history falls in

ACTIONS = ("Build", "Redesign", "Migrate", "Audit", "Prototype", "Modernize", "Automate", "Test")
SUBJECTS = (
    "the grants intake form",
    "an open data pipeline",
    "the bilingual content API",
    "the accessibility dashboard",
    "a case management prototype",
    "the reporting service",
    "the document upload flow",
    "the permit renewal platform",
    "the records retention tool",
    "the call centre knowledge base",
)
PROGRAMS = (
    "for Employment Insurance",
    "for the Canada Summer Jobs program",
    "for fisheries licensing",
    "for the public health agency",
    "for regional offices",
    "for the open government portal",
    "for border services",
    "for student financial assistance",
)
SENTENCES = (
    "Citizens currently fill in a paper form and mail it to a regional office.",
    "The existing service runs on a platform that reaches its end of support next year.",
    "Staff re-key every submission into a case management system by hand.",
    "Users must be able to complete the task in English or in French.",
    "The service must meet the Standard on Web Accessibility (WCAG 2.1 AA).",
    "Data is classified Protected B and must stay in Canada.",
    "We publish the source code under the MIT licence on GitHub.",
    "The team works in two-week sprints with a product owner from the program.",
    "Research with users showed that most of them apply from a phone.",
    "The new service will integrate with the departmental sign-in service.",
    "Reports are produced monthly for the deputy minister's office.",
    "Volumes peak in the spring, with about 40,000 applications a week.",
)
DELIVERABLES = (
    "a working prototype deployed to the test environment",
    "automated tests covering the main user journeys",
    "an accessibility assessment with a remediation plan",
    "documentation for the operations team",
    "a data migration script with a dry-run mode",
    "a bilingual user interface reviewed by a translator",
)
SKILLS = ("Python", "JavaScript", "React", "Accessibility", "PostgreSQL", "DevOps", "UX research")
FIRST_NAMES = ("Alex", "Jordan", "Marie", "Samir", "Chloé", "Wei", "Priya", "Luc", "Fatima", "Sam")
LAST_NAMES = ("Tremblay", "Singh", "Nguyen", "Roy", "MacDonald", "Gagnon", "Chen", "Ahmed")


@dataclass(frozen=True)
class Seeded:
    """What the requests need to know about the data: ids and titles, in the list's order."""

    listed: list[dict[str, Any]]  # newest first, as the panel lists them
    filtered: list[dict[str, Any]]  # the same, matching FILTER
    authors: int
    proposals: int
    seed_seconds: float
    judge_seconds: float


def settings_environment(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        "BRIDGE_MARKETPLACE_URL": "http://127.0.0.1:9",  # never called: no sync runs
        "BRIDGE_MARKETPLACE_SESSION": "s%3Abench.session",
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_DATA_DIR": data_dir,
        "BRIDGE_SECRET_KEY": "benchmark-secret-key-of-forty-characters",
    }


def _new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _paragraph(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(3, 5)))


def _description(rng: random.Random, subject: str) -> str:
    deliverables = "\n".join(f"- {item}" for item in rng.sample(DELIVERABLES, 3))
    return (
        f"We are looking for help with {subject}. {_paragraph(rng)}\n\n"
        f"## Background\n\n{_paragraph(rng)}\n\n{_paragraph(rng)}\n\n"
        f"## What we need\n\n{deliverables}\n\n"
        f"## How to apply\n\nRead the **acceptance criteria** below, then submit a proposal "
        f"on the [Digital Marketplace](https://marketplace.example.ca/). {_paragraph(rng)}"
    )


def _authors(rng: random.Random, domains: list[str], count: int) -> list[dict[str, Any]]:
    """Marketplace government users, a few per department and some outside any."""
    authors = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = domains[index % len(domains)]
        authors.append(
            {
                "id": _new_id(rng),
                "type": "GOV",
                "status": "ACTIVE",
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{index}@{domain}",
                "job_title": "Product owner",
                "fingerprint": f"{index:064x}",
                "first_seen_at": NOW,
                "stored_at": NOW,
            }
        )
    return authors


def _opportunity(
    rng: random.Random, index: int, kind: str, status: str, author: dict[str, Any]
) -> dict[str, Any]:
    subject = rng.choice(SUBJECTS)
    title = f"{rng.choice(ACTIONS)} {subject} {rng.choice(PROGRAMS)} ({index + 1:05d})"
    created = NOW - timedelta(days=rng.randint(30, 700), seconds=rng.randint(0, 86_399))
    updated = created + timedelta(days=rng.randint(0, 29), seconds=rng.randint(0, 86_399))
    cents = rng.randrange(500_000, 7_000_000 if kind == "code-with-us" else 200_000_000)
    row: dict[str, Any] = {
        "id": _new_id(rng),
        "kind": kind,
        "status": status,
        "title": title,
        "teaser": f"{rng.choice(SENTENCES)} {rng.choice(SENTENCES)}",
        "description": _description(rng, subject),
        "location": rng.choice(("Ottawa", "Gatineau", "Halifax", "Winnipeg", "Vancouver")),
        "remote_ok": rng.random() < 0.7,
        "remote_desc": "Remote work is possible from anywhere in Canada.",
        "submission_info": "Submit through the Digital Marketplace before the deadline.",
        "acceptance_criteria": "\n".join(f"- {item}" for item in rng.sample(DELIVERABLES, 3)),
        "evaluation_criteria": "- Approach: 40%\n- Experience: 35%\n- Price: 25%",
        "skills": rng.sample(SKILLS, 3),
        "amount": Decimal(cents).scaleb(-2),
        "proposal_deadline": created + timedelta(days=30),
        "assignment_date": created + timedelta(days=45),
        "start_date": created + timedelta(days=60),
        "completion_date": created + timedelta(days=150),
        "published_at": None if status in ("DRAFT", "UNDER_REVIEW") else created,
        "num_proposals": 0,
        "created_by_id": author["id"],
        "updated_by_id": author["id"],
        "marketplace_created_at": created,
        "marketplace_updated_at": updated,
        "content_hash": f"{index:064x}",
        "fingerprint": f"{index:064x}",
        "version": 1,
        "etag": f'W/"{index:x}"',
        "first_seen_at": NOW,
        "stored_at": NOW,
        "detail_checked_at": NOW,
        "proposals_synced_for": f"{index:064x}",
    }
    # What the marketplace sent, kept as the sync keeps it: the rows weigh what real ones weigh.
    row["payload"] = {
        name: value.isoformat() if isinstance(value, datetime) else str(value)
        for name, value in row.items()
    }
    return row


def _proposals(rng: random.Random, opportunity: dict[str, Any], count: int) -> list[dict[str, Any]]:
    proposals = []
    for rank in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        submitted = opportunity["marketplace_created_at"] + timedelta(days=rng.randint(1, 29))
        proposals.append(
            {
                "id": _new_id(rng),
                "kind": opportunity["kind"],
                "opportunity_id": opportunity["id"],
                "status": "SUBMITTED",
                "proponent_type": "individual",
                "proponent_id": _new_id(rng),
                "proponent_name": f"{first} {last}",
                "proponent_email": f"{first.lower()}.{last.lower()}@supplier.example.com",
                "score": Decimal(rng.randrange(5_000, 10_000)).scaleb(-2),
                "rank": rank,
                "submitted_at": submitted,
                "marketplace_created_at": submitted,
                "marketplace_updated_at": submitted,
                "payload": {"id": opportunity["id"], "rank": rank},
                "fingerprint": f"{rank:064x}",
                "first_seen_at": NOW,
                "stored_at": NOW,
            }
        )
    return proposals


def _award(opportunity: dict[str, Any], proposal: dict[str, Any]) -> dict[str, Any]:
    """The first proposal wins, a few days after the deadline (the Outcomes page's reach)."""
    return {
        "opportunity_id": opportunity["id"],
        "kind": opportunity["kind"],
        "proposal_id": proposal["id"],
        "proponent_type": proposal["proponent_type"],
        "proponent_id": proposal["proponent_id"],
        "supplier_name": proposal["proponent_name"],
        "supplier_email": proposal["proponent_email"],
        "amount": min(opportunity["amount"], Decimal("10000.00")),
        "awarded_at": opportunity["proposal_deadline"] + timedelta(days=5),
        "fingerprint": proposal["fingerprint"],
        "created_at": NOW,
        "updated_at": NOW,
    }


def _history(
    rng: random.Random, opportunity: dict[str, Any], statuses: list[str]
) -> list[dict[str, Any]]:
    """Status records up to the current status, as the marketplace keeps them."""
    status = opportunity["status"]
    path = statuses[: statuses.index(status) + 1] if status in statuses[:3] else statuses[:3]
    if status not in path:
        path.append(status)
    return [
        {
            "id": _new_id(rng),
            "opportunity_id": opportunity["id"],
            "created_at": opportunity["marketplace_created_at"] + timedelta(days=step),
            "created_by_id": opportunity["created_by_id"],
            "note": None,
            "type_tag": "status",
            "type_value": value,
        }
        for step, value in enumerate(path)
    ]


def _matches_filter(opportunity: dict[str, Any], email: str, domains: list[str], text: str) -> bool:
    """What ``bridge.sync.queries.opportunities_query`` selects, said again in Python."""
    return (
        opportunity["kind"] == FILTER["kind"]
        and opportunity["status"] == FILTER["status"]
        and any(email.endswith(f"@{d}") or email.endswith(f".{d}") for d in domains)
        and any(text in opportunity[field].lower() for field in ("title", "teaser", "location"))
    )


def seed(database_url: str, count: int) -> Seeded:
    """The schema, departments, rule settings, an admin, ``count`` opportunities, judged."""
    from sqlalchemy import insert

    from bridge.accounts.models import Role
    from bridge.accounts.service import create_user
    from bridge.db.engine import make_engine, refresh_statistics, session_factory, transaction
    from bridge.db.migrate import upgrade
    from bridge.departments.service import all_departments, seed_departments
    from bridge.marketplace.vocabulary import (
        CWUOpportunityStatus,
        SWUOpportunityStatus,
        TWUOpportunityStatus,
    )
    from bridge.rules.settings import seed_rule_settings
    from bridge.sync.models import Award, HistoryEntry, MarketplaceUser, Opportunity, Proposal

    statuses = {
        "code-with-us": [status.value for status in CWUOpportunityStatus],
        "sprint-with-us": [status.value for status in SWUOpportunityStatus],
        "team-with-us": [status.value for status in TWUOpportunityStatus],
    }
    kinds = ["code-with-us"] * 6 + ["sprint-with-us"] * 2 + ["team-with-us"] * 2
    started = time.perf_counter()
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    rng = random.Random(2026)
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        create_user(session, ADMIN_EMAIL, "Bench Admin", ADMIN_PASSWORD, [(Role.ADMIN, None)])
        departments = all_departments(session)
        filtered_domains = next(d.email_domains for d in departments if d.acronym == "TBS")
        domains = [domain for d in departments for domain in d.email_domains]
        authors = _authors(rng, [*domains, UNROUTED_DOMAIN], 4 * (len(domains) + 1))
        session.execute(insert(MarketplaceUser), authors)
        emails = {author["id"]: author["email"] for author in authors}
        opportunities: list[dict[str, Any]] = []
        proposals: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        awards: list[dict[str, Any]] = []
        for index in range(count):
            kind = rng.choice(kinds)
            opportunity = _opportunity(
                rng, index, kind, rng.choice(statuses[kind]), rng.choice(authors)
            )
            if opportunity["published_at"] is not None:
                opportunity["num_proposals"] = rng.randint(0, 6)
                bids = _proposals(rng, opportunity, opportunity["num_proposals"])
                proposals += bids
                if opportunity["status"] == "AWARDED" and bids:
                    awards.append(_award(opportunity, bids[0]))
            history += _history(rng, opportunity, statuses[kind])
            opportunities.append(opportunity)
        for table, rows in (
            (Opportunity, opportunities),
            (Proposal, proposals),
            (HistoryEntry, history),
            (Award, awards),
        ):
            for start in range(0, len(rows), 1000):
                session.execute(insert(table), rows[start : start + 1000])
    seeded = time.perf_counter()
    with transaction(sessions) as session:
        rule_pipeline().evaluate_all(session, "benchmark")
    judged = time.perf_counter()
    if engine.dialect.name == "postgresql":  # what autovacuum does on a live server
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    refresh_statistics(engine)  # what every sync does on SQLite
    engine.dispose()

    listed = sorted(
        opportunities, key=lambda o: (o["marketplace_updated_at"], o["id"]), reverse=True
    )
    text = FILTER["q"].lower()
    return Seeded(
        listed=listed,
        filtered=[
            o
            for o in listed
            if _matches_filter(o, emails[o["created_by_id"]], filtered_domains, text)
        ],
        authors=len(authors),
        proposals=len(proposals),
        seed_seconds=seeded - started,
        judge_seconds=judged - seeded,
    )


def serve(database_url: str, data_dir: str) -> None:
    """The server: the panel as ``gc-bridge serve --no-sync`` serves it (its processes and
    threads from the settings' defaults), without the scheduler."""
    from bridge.db.engine import make_engine
    from bridge.panel import create_app
    from bridge.serve.processes import PanelProcesses, address_of, listening_socket
    from bridge.settings import load_settings

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 20 clients queue by design
    settings = load_settings(settings_environment(database_url, data_dir))
    engine = make_engine(settings.effective_database_url)
    app = create_app(settings, engine, launch_sync=None)
    listener = listening_socket("127.0.0.1", 0)
    panel = PanelProcesses(app, engine, listener, settings.panel_processes, settings.panel_threads)
    panel.fork()
    print(address_of(listener), flush=True)
    panel.serve()


@contextmanager
def served_panel(database_url: str, data_dir: str) -> Iterator[str]:
    """Start the ``--serve`` worker in its own process; yield its base URL."""
    arguments = ["--serve", "--database-url", database_url, "--data-dir", data_dir]
    with served_by("benchmarks.bench_panel", arguments, "the panel") as url:
        yield url


CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]+)"')


def signed_in_session(base_url: str) -> requests.Session:
    """A client of its own, signed in through the form as a person would be."""
    session = requests.Session()
    session.trust_env = False  # no proxy between the clients and the server
    form = session.get(f"{base_url}/sign-in", timeout=30)
    tag = CSRF_INPUT.search(form.text)
    token = VALUE.search(tag.group(0)) if tag else None
    if form.status_code != 200 or token is None:
        raise RuntimeError(f"no CSRF token on the sign-in page (HTTP {form.status_code})")
    answer = session.post(
        f"{base_url}/sign-in",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    target = answer.headers.get("Location", "")
    if answer.status_code != 302 or "sign-in" in target:
        raise RuntimeError(f"sign-in failed: HTTP {answer.status_code}, to {target!r}")
    check = session.get(f"{base_url}/opportunities/", allow_redirects=False, timeout=30)
    if check.status_code != 200:
        raise RuntimeError(f"signed in, yet the list answers HTTP {check.status_code}")
    return session


# A route: for the n-th request, the path to ask and a text its answer must hold.
Route = tuple[str, Callable[[int], tuple[str, str]]]


def routes(seeded: Seeded, deep_page: int, page_size: int) -> list[Route]:
    def title(opportunity: dict[str, Any]) -> str:
        return str(escape(opportunity["title"]))

    listed, filtered = seeded.listed, seeded.filtered
    deep = listed[(deep_page - 1) * page_size]
    query = "&".join(f"{name}={value}" for name, value in FILTER.items())
    filtered_expect = title(filtered[0]) if filtered else "0 opportunities"
    # Every opportunity in turn, in a shuffled order: no page is asked for twice in a row.
    order = random.Random(7).sample(range(len(listed)), len(listed))

    def detail(number: int) -> tuple[str, str]:
        opportunity = listed[order[number % len(order)]]
        return f"/opportunities/{opportunity['id']}", title(opportunity)

    return [
        ("/healthz", lambda _: ("/healthz", '"ok"')),
        ("list, first page", lambda _: ("/opportunities/", title(listed[0]))),
        (f"list, page {deep_page}", lambda _: (f"/opportunities/?page={deep_page}", title(deep))),
        (
            "list filtered (kind, status, department, text)",
            lambda _: (f"/opportunities/?{query}", filtered_expect),
        ),
        ("detail, a different opportunity each time", detail),
        ("outcomes of a fiscal year", lambda _: (OUTCOMES, "Days per stage")),
    ]


def measure(
    sessions: list[requests.Session],
    base_url: str,
    route: Callable[[int], tuple[str, str]],
    total: int,
) -> tuple[list[float], float]:
    """``total`` requests shared by the clients, all at once: each one's seconds, and the wall's."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    numbers = iter(range(total))

    def take() -> int | None:
        with lock:
            return next(numbers, None)

    def client(session: requests.Session) -> None:
        mine: list[float] = []
        while (number := take()) is not None:
            path, expect = route(number)
            started = time.perf_counter()
            answer = session.get(f"{base_url}{path}", allow_redirects=False, timeout=60)
            mine.append(time.perf_counter() - started)
            if answer.status_code != 200 or expect not in answer.text:
                with lock:
                    failures.append(f"{path}: HTTP {answer.status_code}, {expect!r} missing")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} of {total} requests failed, e.g. {failures[:3]}")
    if len(latencies) != total:
        raise SystemExit(f"{total - len(latencies)} requests were not made (a client died)")
    return latencies, wall


def made_afresh(session: requests.Session, base_url: str) -> float:
    """One request of the Outcomes page before any has been made: the figures counted from
    every opportunity, as after a sync changed the data (later requests find them kept)."""
    started = time.perf_counter()
    answer = session.get(f"{base_url}{OUTCOMES}", allow_redirects=False, timeout=120)
    took = time.perf_counter() - started
    if answer.status_code != 200 or "Days per stage" not in answer.text:
        raise SystemExit(f"{OUTCOMES}: HTTP {answer.status_code}")
    return took


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated between the two nearest observations."""
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Panel latency under concurrent clients, as "
        "ratios to /healthz on the same server."
    )
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1_000, help="per route (default 1000)")
    parser.add_argument("--page", type=int, default=200, help="the deep page of the list")
    parser.add_argument(
        "--database-url",
        help="an empty database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench "
        "(default: a new SQLite file)",
    )
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.database_url, args.data_dir)
        return

    from bridge.settings import load_settings

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        database_url = args.database_url or f"sqlite:///{directory}/bench.sqlite3"
        panel_settings = load_settings(settings_environment(database_url, directory))
        page_size = panel_settings.page_size
        if not 1 <= args.page <= -(-args.opportunities // page_size):
            parser.error(f"--page must be a page of the list ({page_size} a page)")
        seeded = seed(database_url, args.opportunities)
        table = routes(seeded, args.page, page_size)
        with served_panel(database_url, directory) as base_url:
            clients = [signed_in_session(base_url) for _ in range(args.clients)]
            fresh = made_afresh(clients[0], base_url)
            for _, route in table:  # templates compiled, connections pooled, caches warm
                measure(clients, base_url, route, 5 * args.clients)
            results = [
                (name, *measure(clients, base_url, route, args.requests)) for name, route in table
            ]
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"{args.opportunities} opportunities ({len(seeded.filtered)} match the filter "
        f"{FILTER}), {seeded.authors} authors, {seeded.proposals} proposals; {backend}, "
        f"seeded in {seeded.seed_seconds:.0f} s, judged by the rules in "
        f"{seeded.judge_seconds:.0f} s"
    )
    print(
        f"{args.clients} clients, {args.requests} requests per route, {page_size} a page, "
        f"server: waitress, {panel_settings.panel_processes} processes of "
        f"{panel_settings.panel_threads} threads; {os.cpu_count()} cores for the server and the "
        "clients"
    )
    baseline = results[0][1]
    base_median, base_p95 = statistics.median(baseline), p95(baseline)
    print(
        f"\n{'route':48} {'median ms':>9} {'p95 ms':>8} {'median ratio':>12} {'p95 ratio':>9}"
        f" {'req/s':>7}"
    )
    for name, latencies, wall in results:
        median, high, rate = statistics.median(latencies), p95(latencies), len(latencies) / wall
        print(
            f"{name:48} {median * 1000:9.1f} {high * 1000:8.1f} "
            f"{median / base_median:12.2f} {high / base_p95:9.2f} {rate:7.0f}"
        )
    print(
        f"outcomes made afresh (the first request, nothing kept yet): {fresh * 1000:.0f} ms, "
        f"{fresh / base_median:.1f} x the median of /healthz"
    )
    print(f"\nratios to /healthz on the same server; whole run {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
