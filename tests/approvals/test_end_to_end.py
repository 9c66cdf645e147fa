"""The path the approvals exist for, end to end: a GOV author submits for review on the
marketplace, the sync routes it to the author's department, three approvers decide in the panel,
and the next sync publishes it on the marketplace in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalRequest
from bridge.approvals.service import seed_chains
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.departments.service import seed_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.panel import create_app
from bridge.rules.settings import seed_rule_settings
from bridge.sync.models import Opportunity
from bridge.translations.service import save_translation
from tests.approvals.conftest import AUTHOR
from tests.approvals.helpers import bridge_settings, service, tags
from tests.bilingual import ENGLISH, FRENCH, TRANSLATOR
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, UNDER_REVIEW
from tests.panel.conftest import PASSWORD, sign_in

APPROVERS = ("budget@tbs-sct.gc.ca", "director@tbs-sct.gc.ca", "procurement@tbs-sct.gc.ca")


@pytest.mark.usefixtures("mocked")
def test_submitted_for_review_routed_approved_in_the_panel_and_published_in_both_languages(
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    db_url: str,
    db_engine: Engine,
    tmp_path: Path,
) -> None:
    fake.move_author(AUTHOR)
    fake.opportunities[CWU][UNDER_REVIEW]["addenda"] = []
    fake.edit(CWU, UNDER_REVIEW, reward=9500, **ENGLISH)
    fake.set_status(CWU, UNDER_REVIEW, "DRAFT")
    with transaction(sessions) as session:
        seed_departments(session)
        seed_rule_settings(session)
        seed_chains(session)
        tbs = session.scalars(select(Department.id).where(Department.acronym == "TBS")).one()
        for email in APPROVERS:
            create_user(session, email, email.split("@")[0], PASSWORD, [(Role.APPROVER, tbs)])
    bridge = service(db_url, db_engine, client)
    bridge.run_once()
    fake.set_status(CWU, UNDER_REVIEW, "UNDER_REVIEW")  # the author submits it for review
    bridge.run_once()
    with sessions() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        assert (request.department_id, request.status) == (tbs, "open")
    with transaction(sessions) as session:  # the translator's work (its own pages are tested)
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        for field, text in FRENCH.items():
            save_translation(session, opportunity, field, text, TRANSLATOR)
    with transaction(sessions) as session:
        rule_pipeline().evaluate(session, [UNDER_REVIEW], "translation")

    settings = bridge_settings(db_url, data_dir=str(tmp_path), secret_key="k" * 32)
    launched: list[str] = []
    app = create_app(settings, db_engine, launch_sync=launched.append, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    for number, email in enumerate(APPROVERS, start=1):
        browser: FlaskClient = app.test_client()
        sign_in(browser, email)
        if number == 2:
            browser.post("/language/fr")  # one approver works in French
        queue = browser.get("/approvals/").get_data(as_text=True)
        assert f"/approvals/{request.id}" in queue
        answer = browser.post(
            f"/approvals/{request.id}", data={"approve": "1"}, follow_redirects=True
        )
        assert answer.status_code == 200
        assert (
            "Votre décision est enregistrée." if number == 2 else "Your decision is recorded."
        ) in answer.get_data(as_text=True)
    assert launched == ["approval"]  # the last approval starts a sync that publishes

    bridge.run_once()
    detail = fake.opportunities[CWU][UNDER_REVIEW]
    assert detail["status"] == "PUBLISHED" and tags(fake)[-2:] == ["edit", "publish"]
    assert detail["title"] == f"{ENGLISH['title']} / {FRENCH['title']}"
    assert detail["description"].endswith(FRENCH["description"])
    with sessions() as session:
        assert session.scalars(select(ApprovalRequest.status)).all() == ["published"]
