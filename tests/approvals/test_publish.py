"""Publication on the marketplace once every step is approved, and its safety under failures:
the whole path through the sync service, auto-publish off, and a failure injected at every
step of an attempt (each answer refused, or applied and then lost)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser
from bridge.approvals.models import ApprovalAlert, ApprovalRequest
from bridge.approvals.publish import Publisher, approval_note, authorize
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.notifications.models import Notification
from bridge.rules.models import RuleEvaluation
from bridge.sync.models import Opportunity, SyncRun
from bridge.translations.service import field_statuses, save_translation
from tests.approvals.conftest import AUTHOR, People, attempt, translate
from tests.approvals.helpers import bridge_settings, messages_to, service, tags
from tests.bilingual import ENGLISH, FRENCH, TRANSLATOR
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, FIXTURES, UNDER_REVIEW

DETAIL = rf"opportunities/{CWU}/{UNDER_REVIEW}$"
LOST = (502, {"Content-Type": "text/html"}, "Bad Gateway")


def approve_every_step(sessions: sessionmaker[Session], world: People) -> None:
    translate(sessions)
    for person in (world.first, world.second, world.third):
        assert attempt(sessions, person) == "ok"


def request_state(sessions: sessionmaker[Session]) -> tuple[str, int, str | None]:
    with sessions() as session:
        request = session.scalars(
            select(ApprovalRequest).order_by(ApprovalRequest.id.desc())
        ).first()
        assert request is not None
        return request.status, request.publish_attempts, request.publish_error


def test_the_whole_path_publishes_both_languages_once(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    bridge = service(db_url, db_engine, client)
    assert bridge.run_once() is not None
    assert tags(fake) == ["edit", "publish"]
    published = fake.opportunities[CWU][UNDER_REVIEW]
    assert published["status"] == "PUBLISHED"
    assert published["title"] == f"{ENGLISH['title']} / {FRENCH['title']}"
    assert published["description"].endswith(f"## Version française\n\n{FRENCH['description']}")
    note = published["history"][0]["note"]
    assert "Approved by TBS / Approuvé par TBS" in note
    assert all(name in note for name in ("first", "second", "third"))
    assert request_state(sessions) == ("published", 1, None)
    with sessions() as session:  # read back in the same turn: every page agrees at once
        assert session.get_one(Opportunity, UNDER_REVIEW).status == "PUBLISHED"
        assert session.scalars(select(ApprovalAlert)).all() == []
        runs = session.scalars(select(SyncRun.trigger).order_by(SyncRun.id)).all()
        assert runs[-1] == "write-back"

    bridge.run_once()  # the next sync reads it again
    assert tags(fake) == ["edit", "publish"]  # nothing sent twice
    with sessions() as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None and opportunity.status == "PUBLISHED"
        assert session.scalars(select(ApprovalAlert)).all() == []  # the guard sees it approved
        # The copy is the bridge's: the translations stay current and nothing blocks.
        assert not any(item.outdated for item in field_statuses(session, opportunity))
        evaluation = session.scalars(
            select(RuleEvaluation).where(
                RuleEvaluation.opportunity_id == UNDER_REVIEW, RuleEvaluation.current.is_(True)
            )
        ).one()
        assert evaluation.version == opportunity.version and not evaluation.blocking
        requests_ = session.scalars(select(ApprovalRequest.status)).all()
        assert requests_ == ["published"]
    assert messages_to(sessions, AUTHOR) == ["published"]  # one digest of the whole path
    with sessions() as session:
        digest = (
            session.scalars(select(Notification).where(Notification.recipient == AUTHOR))
            .one()
            .fields
        )
    assert all(name in digest["body_en"] for name in ("first", "second", "third"))
    assert "Budget holder (FAA section 32): first, " in digest["body_en"]
    assert "\u00a0: first, le " in digest["body_fr"]
    assert FRENCH["title"] in digest["subject_fr"] and FRENCH["title"] not in digest["subject_en"]
    assert "step_awaiting" in messages_to(sessions, "second@tbs-sct.gc.ca")
    assert "published" in messages_to(sessions, "admin@tbs-sct.gc.ca")


def test_a_translation_changed_after_approval_is_not_published(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    with transaction(sessions) as session:
        opportunity = session.get_one(Opportunity, UNDER_REVIEW)
        save_translation(
            session, opportunity, "title", "Titre que personne n'a approuvé", TRANSLATOR
        )
    service(db_url, db_engine, client).run_once()
    published = fake.opportunities[CWU][UNDER_REVIEW]
    assert published["status"] == "PUBLISHED"
    assert published["title"] == f"{ENGLISH['title']} / {FRENCH['title']}"  # as approved
    assert "personne" not in json.dumps(published)


def test_without_auto_publish_an_administrator_lets_it_go(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    bridge = service(
        db_url, db_engine, client, approvals_auto_publish=False, approvals_bilingual_copy=False
    )
    bridge.run_once()
    assert tags(fake) == [] and request_state(sessions)[0] == "approved"
    assert messages_to(sessions, "admin@tbs-sct.gc.ca") == ["ready_to_publish"]
    bridge.run_once()
    assert messages_to(sessions, "admin@tbs-sct.gc.ca") == ["ready_to_publish"]  # told once
    with transaction(sessions) as session:
        request = session.scalars(select(ApprovalRequest)).one()
        admin = session.get(PanelUser, world.admin)
        assert admin is not None
        authorize(session, request, admin)
        with pytest.raises(ValueError, match="not waiting"):
            authorize(session, request, admin)
    bridge.run_once()
    assert tags(fake) == ["publish"]  # no copy asked for: the content goes as approved
    assert request_state(sessions)[0] == "published"
    assert messages_to(sessions, AUTHOR) == ["approved", "published"]  # the wait, then the end


def test_an_edit_after_approval_is_never_published(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    # Edited on the marketplace after the approval, before the bridge publishes.
    fake.edit(CWU, UNDER_REVIEW, title="A different piece of work")
    report = Publisher(sessions, client, bridge_settings(db_url)).run()
    assert report.failed == 1 and "changed since it was approved" in report.errors[0]
    assert tags(fake) == []
    with sessions() as session:  # administrators read why, in both languages
        told = session.scalars(
            select(Notification).where(Notification.kind == "publish_failed")
        ).one()
        assert "changed since it was approved" in told.fields["body_en"]
        assert "L'occasion a changé depuis son approbation" in told.fields["body_fr"]
    # The sync then sees the edit: the approval is superseded and the chain starts again.
    service(db_url, db_engine, client).run_once()
    assert tags(fake) == []
    with sessions() as session:
        statuses = session.scalars(select(ApprovalRequest.status).order_by(ApprovalRequest.id))
        assert list(statuses) == ["superseded", "open"]


def lost_after(
    fake: FakeMarketplace, error: Exception | None = None
) -> Callable[[requests.PreparedRequest], Any]:
    """A reply that applies the command on the marketplace, then loses its answer."""

    def reply(request: requests.PreparedRequest) -> Any:
        path = (request.url or "").split("/api", 1)[1]
        fake._command(path, json.loads(request.body or b"{}"))
        if error is not None:
            raise error
        return LOST

    return reply


FAILURES: dict[str, Callable[[FakeMarketplace], None]] = {
    "read refused": lambda fake: fake.fail(DETAIL, (503, {}, ""), times=4),
    "read times out": lambda fake: fake.fail(DETAIL, requests.ReadTimeout("slow"), times=4),
    "edit refused": lambda fake: fake.fail(DETAIL, LOST, method="PUT"),
    "edit applied, answer lost": lambda fake: fake.fail(DETAIL, lost_after(fake), method="PUT"),
    "edit applied, timed out": lambda fake: fake.fail(
        DETAIL, lost_after(fake, requests.ReadTimeout("slow")), method="PUT"
    ),
    "publish refused": lambda fake: fake.fail(
        DETAIL,
        lambda request: (
            LOST
            if b'"publish"' in (request.body or b"")
            else (
                200,
                {},
                json.dumps(
                    fake._command(
                        (request.url or "").split("/api", 1)[1], json.loads(request.body or b"{}")
                    )[1]
                ),
            )
        ),
        method="PUT",
        times=2,
    ),
    "publish applied, answer lost": lambda fake: fake.fail(
        DETAIL,
        lambda request: (
            lost_after(fake)(request)
            if b'"publish"' in (request.body or b"")
            else (
                200,
                {"Content-Type": "application/json"},
                json.dumps(
                    fake._command(
                        (request.url or "").split("/api", 1)[1], json.loads(request.body or b"{}")
                    )[1]
                ),
            )
        ),
        method="PUT",
        times=2,
    ),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_attempt_is_repeated_safely(
    failure: str,
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
) -> None:
    approve_every_step(sessions, world)
    publisher = Publisher(sessions, client, bridge_settings(db_url))
    FAILURES[failure](fake)
    first = publisher.run()
    assert first.failed == 1 and first.published == 0
    assert request_state(sessions)[0] == "approved"
    assert messages_to(sessions, "admin@tbs-sct.gc.ca") == ["publish_failed"]
    fake.failures.clear()
    second = publisher.run()
    assert second.published == 1, second.errors
    detail = fake.opportunities[CWU][UNDER_REVIEW]
    statuses = [entry["type"]["value"] for entry in detail["history"]]
    assert statuses.count("PUBLISHED") == 1  # published once
    assert detail["title"] == f"{ENGLISH['title']} / {FRENCH['title']}"  # the copy, once
    assert detail["status"] == "PUBLISHED"
    assert request_state(sessions) == ("published", 2, None)
    assert publisher.run().published == 0  # nothing left to do


def test_a_crash_before_the_bookkeeping_publishes_nothing_twice(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    approve_every_step(sessions, world)
    bridge = service(db_url, db_engine, client)
    original = Publisher._published

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("UPDATE approval_requests", {}, Exception("database went away"))

    monkeypatch.setattr(Publisher, "_published", crash)
    bridge.run_once()  # published on the marketplace, not recorded
    assert tags(fake) == ["edit", "publish"] and request_state(sessions)[0] == "approved"
    monkeypatch.setattr(Publisher, "_published", original)
    bridge.run_once()
    assert tags(fake) == ["edit", "publish"]
    assert request_state(sessions)[0] == "published"
    with sessions() as session:
        assert session.scalars(select(ApprovalAlert)).all() == []


def test_a_publication_the_marketplace_refuses_waits_for_an_administrator(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    refusal = FIXTURES / "error.cwu-opportunity.update-edit-title-too-long.admin.400.json"
    fake.fail(
        DETAIL,
        (400, {"Content-Type": "application/json"}, refusal.read_bytes()),
        method="PUT",
        times=100,
    )
    bridge = service(db_url, db_engine, client)
    first = bridge.run_once()
    assert first is not None and first.ok
    assert any("Title must be between 1 and 200" in error for error in first.errors)
    with sessions() as session:
        run = session.get_one(SyncRun, first.run_id)
        assert run.errors == first.errors  # "Succeeded, 1 error", not "0 errors"
    status, attempts, error = request_state(sessions)
    assert (status, attempts) == ("approved", 1) and error is not None and "refused" in error
    puts = fake.count("PUT", DETAIL)
    second = bridge.run_once()
    assert second is not None and second.errors == []
    assert fake.count("PUT", DETAIL) == puts  # not retried at every sync
    assert messages_to(sessions, "admin@tbs-sct.gc.ca").count("publish_failed") == 1  # told once

    fake.failures.clear()  # the cause fixed, an administrator publishes again
    with transaction(sessions) as session:
        request = session.scalars(select(ApprovalRequest)).one()
        authorize(session, request, session.get_one(PanelUser, world.admin))
    bridge.run_once()
    assert request_state(sessions)[0] == "published"


def test_a_bilingual_copy_over_the_limit_is_never_sent_and_waits_for_an_administrator(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    approve_every_step(sessions, world)
    with transaction(sessions) as session:  # a copy approved before the limit was checked
        request = session.scalars(select(ApprovalRequest)).one()
        request.approved_copy = {**(request.approved_copy or {}), "title": "T" * 201}
    service(db_url, db_engine, client).run_once()
    assert tags(fake) == []  # nothing written
    status, _, error = request_state(sessions)
    assert status == "approved" and error == "reason:too_long:title: 201 > 200"
    with sessions() as session:
        assert session.scalars(select(ApprovalRequest)).one().publish_refused_at is not None


def test_the_notes_dates_are_the_panels_days_not_utcs(
    world: People, sessions: sessionmaker[Session]
) -> None:
    approve_every_step(sessions, world)
    with transaction(sessions) as session:
        request = session.scalars(select(ApprovalRequest)).one()
        for decision in request.decisions:  # 21:30 in Ottawa is already tomorrow in UTC
            decision.decided_at = datetime(2026, 11, 27, 2, 30, tzinfo=UTC)
        note = approval_note(session, request, ZoneInfo("America/Toronto"))
    assert "(2026-11-26)" in note and "2026-11-27" not in note
