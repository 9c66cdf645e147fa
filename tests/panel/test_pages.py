"""What each page does: filters, pagination, run now, users, health probes, the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.audit.models import GENESIS_HASH, AuditEntry
from bridge.audit.service import entry_hash
from bridge.cli import main
from bridge.clock import utcnow
from bridge.marketplace.client import MarketplaceClient
from bridge.panel import db
from bridge.settings import Settings
from bridge.sync.models import SyncRun
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED, PUBLISHED
from tests.sync.helpers import make_sync

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")


def test_opportunities_filter_by_kind_status_text_and_department(
    app: Flask, signed_in: Callable[..., FlaskClient]
) -> None:
    client = signed_in(Role.VIEWER)

    def titles(query: str) -> int:
        page = client.get(f"/opportunities/?{query}").get_data(as_text=True)
        return page.count('<th scope="row"><a href="/opportunities/')

    assert titles("") == 8
    assert titles("kind=team-with-us") == 1
    assert titles("status=PUBLISHED") == 4
    assert titles("q=awarded+path") == 1
    assert titles("q=%25") == 0
    # The captured authors are @example.invalid: no department claims them yet.
    assert titles("department=ESDC") == 0
    from bridge.panel import db
    from bridge.sync.models import MarketplaceUser

    with app.test_request_context():
        database = db()
        database.get_one(
            MarketplaceUser, "00000000-0000-4000-8000-00000000b001"
        ).email = "gov.user@hrsdc-rhdcc.gc.ca"
        database.commit()
    assert titles("department=ESDC") == 2


def test_opportunities_paginate_on_the_server(
    app: Flask, signed_in: Callable[..., FlaskClient]
) -> None:
    app.config["BRIDGE_SETTINGS"] = app.config["BRIDGE_SETTINGS"].model_copy(
        update={"page_size": 5}
    )
    client = signed_in(Role.VIEWER)
    first = client.get("/opportunities/").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/opportunities/?page=2").get_data(as_text=True)
    assert second.count('<th scope="row"><a href="/opportunities/') == 3
    assert client.get("/opportunities/?page=99").status_code == 200
    assert client.get("/opportunities/?page=abc").status_code == 200


def test_the_detail_page_shows_the_award_proposals_and_history(
    signed_in: Callable[..., FlaskClient],
) -> None:
    page = signed_in(Role.PROCUREMENT).get(f"/opportunities/{AWARDED}").get_data(as_text=True)
    assert "Vendor One Ltd." in page and "Vendor Two Inc." in page
    assert "Addendum 1: clarified scope." in page
    assert "Approved and published." in page
    assert signed_in(Role.VIEWER).get("/opportunities/nope").status_code == 404


def test_run_now_launches_a_sync_and_is_audited(
    app: Flask, signed_in: Callable[..., FlaskClient], launched: list[str]
) -> None:
    response = signed_in(Role.OPERATOR).post("/sync/run-now")
    assert response.status_code == 302
    assert launched == ["panel"]
    from bridge.panel import db

    with app.test_request_context():
        entry = db().scalars(select(AuditEntry).where(AuditEntry.action == "sync.requested")).one()
    assert entry.actor.startswith("user:")


def test_an_admin_creates_and_edits_an_account_and_both_are_audited(
    app: Flask, signed_in: Callable[..., FlaskClient]
) -> None:
    admin = signed_in(Role.ADMIN)
    form = {
        "email": "new.approver@hrsdc-rhdcc.gc.ca",
        "display_name": "New Approver",
        "password": "a long enough password",
        "roles": ["approver"],
        "departments": [],
        "active": "y",
    }
    refused = admin.post("/users/new", data=form)
    assert refused.status_code == 400
    assert "An approver needs at least one department." in refused.get_data(as_text=True)
    from bridge.departments.service import all_departments
    from bridge.panel import db

    with app.test_request_context():
        esdc = next(d.id for d in all_departments(db()) if d.acronym == "ESDC")
    assert admin.post("/users/new", data={**form, "departments": [esdc]}).status_code == 302
    duplicate = admin.post("/users/new", data={**form, "departments": [esdc]})
    assert "exists already" in duplicate.get_data(as_text=True)
    with app.test_request_context():
        user = db().scalars(select(PanelUser).where(PanelUser.email == form["email"])).one()
        assert user.roles == {Role.APPROVER} and user.department_ids(Role.APPROVER) == {esdc}
        user_id = user.id
    unchanged = admin.post(f"/users/{user_id}", data={**form, "departments": [esdc]})
    assert unchanged.status_code == 302  # the same grants are kept, not inserted twice
    response = admin.post(
        f"/users/{user_id}",
        data={"display_name": "Renamed", "roles": ["viewer"], "active": "y"},
    )
    assert response.status_code == 302
    with app.test_request_context():
        entries = (
            db()
            .scalars(
                select(AuditEntry).where(AuditEntry.action.like("user.%")).order_by(AuditEntry.id)
            )
            .all()
        )
    assert [entry.action for entry in entries] == ["user.created", "user.updated", "user.updated"]
    assert (entries[2].before or {})["roles"] == [f"approver:{esdc}"]
    assert (entries[2].after or {})["roles"] == ["viewer"]
    assert "password" not in str(entries[0].after)


def bypass_append_only(database: Session) -> None:
    """What someone with the database owner's rights can do: lift the append-only triggers."""
    if database.get_bind().dialect.name == "postgresql":
        database.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        database.execute(text("DROP TRIGGER audit_log_no_update"))
        database.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.mark.parametrize("tampering", ["edit", "delete the newest", "recompute the chain"])
def test_the_audit_chain_detects_tampering_in_the_panel_and_the_cli(
    app: Flask,
    signed_in: Callable[..., FlaskClient],
    db_url: str,
    panel_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tampering: str,
) -> None:
    operator = signed_in(Role.OPERATOR)
    for _ in range(3):
        operator.post("/sync/run-now")
    assert "The audit chain is intact" in operator.get("/audit/").get_data(as_text=True)
    monkeypatch.setenv("BRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(panel_settings.data_dir))
    result = CliRunner().invoke(main, ["audit", "verify"])
    # The operator's sign-in and three requests.
    assert result.exit_code == 0 and "intact (4 entries)" in result.stdout

    with app.test_request_context():
        database = db()
        entries = database.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        with pytest.raises(DBAPIError, match="never"):  # the database itself refuses
            database.execute(
                text("UPDATE audit_log SET actor_name = 'x' WHERE id = :id"), {"id": entries[1].id}
            )
        database.rollback()
        with pytest.raises(DBAPIError, match="never"):
            database.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entries[2].id})
        database.rollback()
        bypass_append_only(database)
        if tampering == "edit":
            broken = entries[1].id
            database.execute(
                text("UPDATE audit_log SET actor_name = 'someone else' WHERE id = :id"),
                {"id": broken},
            )
        elif tampering == "delete the newest":
            broken = entries[-1].id
            database.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": broken})
        else:  # the whole chain recomputed, as unkeyed entries, without the key
            broken, prev = entries[-1].id, GENESIS_HASH
            for entry in entries:
                digest = entry_hash(
                    prev,
                    entry.occurred_at,
                    entry.actor,
                    "someone else",
                    entry.action,
                    entry.target_type,
                    entry.target_id,
                    entry.before,
                    entry.after,
                    keyed=False,
                )
                database.execute(
                    text(
                        "UPDATE audit_log SET actor_name = 'someone else', "
                        "keyed = :no, prev_hash = :prev, hash = :hash "
                        "WHERE id = :id"
                    ),
                    {"no": False, "prev": prev, "hash": digest, "id": entry.id},
                )
                prev = digest
        database.commit()
    assert f"broken at entry {broken}" not in operator.get("/audit/").get_data(as_text=True)
    page = operator.post("/audit/check", follow_redirects=True).get_data(as_text=True)
    assert f"broken at entry {broken}" in page  # checked again when asked (or minutes later)
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 1 and f"broken at entry {broken}" in result.stderr


def test_audit_entries_refuse_changes_through_the_application(app: Flask) -> None:
    import pytest

    from bridge.audit.models import AppendOnlyViolation
    from bridge.audit.service import Actor, record
    from bridge.panel import db

    with app.test_request_context():
        database = db()
        entry = record(database, Actor.job("test"), "thing.done", "thing", 1)
        database.commit()
        entry.action = "thing.undone"
        with pytest.raises(AppendOnlyViolation):
            database.commit()


def test_health_and_readiness(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = {"status": "ready", "last_sync": "succeeded", "errors": 0, "behind": 0}
    assert client.get("/readyz").get_json() == ready
    from bridge.panel import db

    with app.test_request_context():
        database = db()
        run = database.scalars(select(SyncRun)).one()
        run.started_at = utcnow() - timedelta(hours=2)
        database.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and "sync overdue" in response.get_json()["problems"]
    with app.test_request_context():
        database = db()
        database.add(SyncRun(outcome="failed", counts={}, errors=["x"], http={}))
        database.commit()
    assert "last sync failed" in client.get("/readyz").get_json()["problems"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users/999999"),
        ("GET", "/sync/runs/999999"),
        ("GET", "/awards/nope"),
        ("POST", "/awards/nope/coding"),
        ("POST", "/awards/nope/amendments"),
        ("POST", "/awards/nope/termination"),
        ("POST", "/awards/deliveries/999999/retry"),
        ("GET", "/quarantine/999999"),
        ("POST", "/quarantine/999999/retry"),
        ("POST", "/approvals/999999/publish"),
        ("GET", "/departments/999999"),
        ("POST", "/departments/unrouted/nope"),
        ("GET", "/departments/999999/chain"),
    ],
)
def test_a_record_that_is_not_there_is_a_404_page(
    signed_in: Callable[..., FlaskClient], method: str, path: str
) -> None:
    response = signed_in(Role.ADMIN).open(path, method=method)
    assert response.status_code == 404


def test_a_sync_with_records_behind_is_ready_and_says_how_many(
    app: Flask,
    signed_in: Callable[..., FlaskClient],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
) -> None:
    fake.fail(rf"^/opportunities/code-with-us/{PUBLISHED}$", (503, {}, b""), times=10)
    report = make_sync(client, sessions).run(full=True)
    assert report.ok and report.behind == 1
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {
        "status": "ready",
        "last_sync": "succeeded",
        "errors": len(report.errors),
        "behind": 1,
    }
    viewer = signed_in(Role.VIEWER)
    for language, behind, re_read in (
        ("en", "Opportunities behind", "A full re-read of the marketplace began"),
        ("fr", "Occasions en retard", "Une relecture complète du marché a commencé"),
    ):
        page = viewer.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
        assert behind in page and re_read in page
        assert PUBLISHED in page  # the run's error names the record
    runs = viewer.get("/sync/runs").get_data(as_text=True)
    assert "Opportunities behind" in runs
    detail = viewer.get(f"/sync/runs/{report.run_id}").get_data(as_text=True)
    assert "Opportunities behind" in detail and PUBLISHED in detail
