"""The guard: a publication no completed approval covers raises an alert, and is canceled
when settings say so; what predates the bridge, and the bridge's own publications, are left."""

from __future__ import annotations

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.approvals.guard import alerts_of, published_since
from bridge.approvals.models import ApprovalAlert
from bridge.approvals.publisher import how_published
from bridge.marketplace.client import MarketplaceClient
from bridge.notifications.models import Notification
from bridge.sync.models import ChangeEvent, Opportunity, SyncRun
from tests.approvals.conftest import People
from tests.approvals.helpers import messages_to, service
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, PUBLISHED, UNDER_REVIEW

DIRECT = "7a7d8a52-7a4e-4f7e-9a53-3b1c7f1d2e01"
AFTER_FIRST_SYNC = "2026-11-27T12:00:00.000Z"


def alerts(sessions: sessionmaker[Session]) -> list[tuple[str, str, int | None]]:
    with sessions() as session:
        rows = session.scalars(select(ApprovalAlert).order_by(ApprovalAlert.id))
        return [(alert.opportunity_id, alert.status, alert.department_id) for alert in rows]


def test_what_was_published_before_the_bridge_raises_nothing_and_loads_nothing(
    world: People,
    sessions: sessionmaker[Session],
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    """A first sync's created events, published ones included, load no opportunity at all."""
    service(db_url, db_engine, client).run_once()
    assert alerts(sessions) == []
    loaded: list[str] = []

    def count(target: Opportunity, _context: object) -> None:
        loaded.append(target.id)

    with sessions() as session:
        events = list(session.scalars(select(ChangeEvent).order_by(ChangeEvent.id)))
        watching_since = session.scalar(select(func.min(SyncRun.started_at)))
        assert watching_since is not None
        assert PUBLISHED in {e.opportunity_id for e in events if e.type == "created"}
        event.listen(Opportunity, "load", count)
        try:
            assert published_since(session, events, watching_since) == []
        finally:
            event.remove(Opportunity, "load", count)
    assert loaded == []


def test_a_direct_publication_raises_an_alert_to_admins_and_the_department(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    bridge = service(db_url, db_engine, client)
    bridge.run_once()
    # A GOV author creates one directly as PUBLISHED (the marketplace allows it for CWU)...
    fake.clone(CWU, UNDER_REVIEW, DIRECT, status="PUBLISHED", publishedAt=AFTER_FIRST_SYNC)
    # ... and an administrator publishes the one still under approval.
    fake.set_status(CWU, UNDER_REVIEW, "PUBLISHED", by="admin@example.invalid")
    bridge.run_once()
    found = alerts(sessions)
    assert {opportunity for opportunity, _, _ in found} == {DIRECT, UNDER_REVIEW}
    assert all(status == "open" and department is not None for _, status, department in found)
    assert messages_to(sessions, "admin@tbs-sct.gc.ca").count("unapproved_publication") == 2
    assert "unapproved_publication_department" in messages_to(sessions, "first@tbs-sct.gc.ca")
    assert not messages_to(sessions, "other@hrsdc-rhdcc.gc.ca")
    assert fake.opportunities[CWU][DIRECT]["status"] == "PUBLISHED"  # settings leave it
    bridge.run_once()
    assert len(alerts(sessions)) == 2  # raised once
    with sessions() as session:
        assert [alert.version for alert in alerts_of(session, DIRECT)] == [1]


def test_the_alert_says_who_published_and_how_and_tells_approvers_what_to_do(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    bridge = service(db_url, db_engine, client)
    bridge.run_once()
    fake.set_status(CWU, UNDER_REVIEW, "PUBLISHED", by="admin@example.invalid")
    bridge.run_once()
    with sessions() as session:
        (alert,) = alerts_of(session, UNDER_REVIEW)
        assert alert.details["by_name"] == "Local Admin" and alert.details["by_type"] == "ADMIN"
        how = how_published(alert.details)
        admins = session.scalars(
            select(Notification).where(Notification.recipient == "admin@tbs-sct.gc.ca")
        ).all()
        approvers = session.scalars(
            select(Notification).where(
                Notification.recipient == "first@tbs-sct.gc.ca",
                Notification.kind.like("unapproved%"),
            )
        ).all()
    assert how.en == (
        "Local Admin (marketplace administrator) published it while it was "
        "under review, before the department's approval was complete."
    )
    assert how.fr.startswith("Local Admin (administrateur ou administratrice du marché) l'a")
    (to_admin,) = [item for item in admins if item.kind == "unapproved_publication"]
    assert how.en in to_admin.fields["body_en"] and how.fr in to_admin.fields["body_fr"]
    assert "What you can do" not in to_admin.fields["body_en"]
    (to_approver,) = approvers
    assert to_approver.kind == "unapproved_publication_department"
    assert "What you can do" in to_approver.fields["body_en"]
    assert "Ce que vous pouvez faire" in to_approver.fields["body_fr"]


def test_a_direct_creation_by_an_unknown_account_is_described_as_such(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    bridge = service(db_url, db_engine, client)
    bridge.run_once()
    detail = fake.clone(CWU, UNDER_REVIEW, DIRECT, status="PUBLISHED", publishedAt=AFTER_FIRST_SYNC)
    detail["history"] = []
    fake.set_status(CWU, DIRECT, "PUBLISHED")
    bridge.run_once()
    with sessions() as session:
        (alert,) = alerts_of(session, DIRECT)
        assert how_published(alert.details).en == (
            "An account the marketplace does not name created it directly as published, "
            "without submitting it for review."
        )


def test_settings_can_have_it_canceled_with_a_note(
    world: People,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    db_url: str,
    db_engine: Engine,
) -> None:
    bridge = service(db_url, db_engine, client, approvals_cancel_unapproved=True)
    bridge.run_once()
    fake.clone(CWU, UNDER_REVIEW, DIRECT, status="PUBLISHED", publishedAt=AFTER_FIRST_SYNC)
    fake.fail(rf"{DIRECT}$", (502, {}, ""), method="PUT")  # the first cancel is lost
    bridge.run_once()
    assert [status for _, status, _ in alerts(sessions)] == ["cancel_pending"]
    bridge.run_once()
    detail = fake.opportunities[CWU][DIRECT]
    assert detail["status"] == "CANCELED"
    assert "without a completed approval" in detail["history"][0]["note"]
    assert [status for _, status, _ in alerts(sessions)] == ["canceled"]
    cancels = [body for _, key, body in fake.commands if key == DIRECT and body["tag"] == "cancel"]
    bridge.run_once()
    assert len(
        [body for _, key, body in fake.commands if key == DIRECT and body["tag"] == "cancel"]
    ) == len(cancels)
