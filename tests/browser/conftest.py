"""A live bridge for the browser: waitress serving the panel, syncing from the fake marketplace
on loopback, driven by Debian's Chromium through Playwright, with axe-core injected."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import waitress
from sqlalchemy.orm import Session

from adapters.registry import rule_pipeline
from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalAlert
from bridge.approvals.service import open_request, seed_chains
from bridge.audit.service import Actor
from bridge.db.engine import make_engine, session_factory, transaction
from bridge.db.migrate import upgrade
from bridge.departments.service import all_departments, assign_department, seed_departments
from bridge.jobs.runs import SyncService
from bridge.notifications.models import Notification
from bridge.panel import create_app
from bridge.rules.settings import seed_rule_settings
from bridge.settings import load_settings
from bridge.sync.models import Opportunity
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.server import serve
from tests.fakes.world import AWARDED, UNDER_REVIEW

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ADMIN_EMAIL = "ada.admin@tbs-sct.gc.ca"
ADMIN_PASSWORD = "correct horse battery staple"
APPROVER_EMAIL = "april.approver@tbs-sct.gc.ca"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (run scripts/ensure-browser)")
    pytest.skip(reason)


@dataclass
class LiveBridge:
    url: str
    fake: FakeMarketplace
    service: SyncService


@contextmanager
def running_bridge(
    directory: Path,
    fake: FakeMarketplace,
    before_sync: Callable[[Session], None] = lambda session: None,
    after_sync: Callable[[Session], None] = lambda session: None,
) -> Iterator[LiveBridge]:
    """A bridge on SQLite in ``directory``, synced once from ``fake`` (served on loopback),
    its panel served by waitress; an administrator can sign in. ``before_sync`` and
    ``after_sync`` prepare what a test needs, each in a transaction."""
    with serve(fake) as marketplace_url:
        settings = load_settings(
            {
                "BRIDGE_MARKETPLACE_URL": marketplace_url,
                "BRIDGE_MARKETPLACE_SESSION": "s%3Aa.b",
                "BRIDGE_DATABASE_URL": f"sqlite:///{directory / 'bridge.sqlite3'}",
                "BRIDGE_DATA_DIR": str(directory),
            }
        )
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as session:
            seed_departments(session)
            seed_rule_settings(session)
            create_user(session, ADMIN_EMAIL, "Ada Admin", ADMIN_PASSWORD, [(Role.ADMIN, None)])
            before_sync(session)
        service = SyncService(settings, engine)

        def launch(trigger: str) -> None:
            threading.Thread(target=service.run_once, kwargs={"trigger": trigger}).start()

        app = create_app(settings, engine, launch_sync=launch)  # the audit chain's key too
        app.config["BRIDGE_RETRY_QUARANTINED"] = service.retry_quarantined
        assert service.run_once() is not None
        with transaction(sessions) as session:
            after_sync(session)
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield LiveBridge(f"http://127.0.0.1:{server.effective_port}", fake, service)
        finally:
            server.close()
            engine.dispose()


def _pages_to_look_at(session: Session) -> None:
    """One request, an award with a department, an approver, an alert and a failed message:
    every page has something to show."""
    seed_chains(session)
    under_review = session.get(Opportunity, UNDER_REVIEW)
    assert under_review is not None
    department = all_departments(session)[0].id
    open_request(session, under_review, department, None)
    # The award belongs to a department, so its export record and forms show.
    assign_department(session, AWARDED, all_departments(session)[0], Actor.job("test"))
    rule_pipeline().evaluate(session, [AWARDED], "department")
    create_user(
        session, APPROVER_EMAIL, "April Approver", ADMIN_PASSWORD, [(Role.APPROVER, department)]
    )
    session.add(
        ApprovalAlert(
            kind="unapproved_publication",
            opportunity_id=UNDER_REVIEW,
            version=1,
            department_id=department,
        )
    )
    subjects = {"subject_en": "Published", "subject_fr": "Publiée"}
    session.add(
        Notification(
            kind="published",
            recipient="a@example.gc.ca",
            dedupe_key="published:1:a",
            status="failed",
            last_error="GC Notify 400: bad address",
            fields=subjects,
        )
    )


@pytest.fixture(scope="module")
def live_bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBridge]:
    fake = FakeMarketplace.from_fixtures()
    with running_bridge(
        tmp_path_factory.mktemp("live"), fake, after_sync=_pages_to_look_at
    ) as bridge:
        yield bridge


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require(CHROMIUM.exists(), "Debian's chromium is not installed")
    _require(AXE.exists(), "axe-core is not installed (npm install)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core and run the WCAG 2.1 A and AA rules on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]
