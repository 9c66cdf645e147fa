"""Every route, for every role: allowed where the access table says, refused everywhere else."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.approvals.models import ApprovalAlert
from bridge.approvals.service import open_request
from bridge.contracts.models import PaymentRequisition, WorkDelivery
from bridge.departments.service import all_departments
from bridge.notifications.models import Notification
from bridge.panel.access import PUBLIC, RULES
from bridge.sync.models import Opportunity, QuarantinedRecord, SyncRun
from tests.factories import create_contract, create_delivery
from tests.fakes.world import AWARDED

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")


def concrete_routes(app: Flask) -> dict[str, tuple[str, str]]:
    """endpoint → (method, URL) with real ids from the synced database."""
    from bridge.panel import db

    with app.test_request_context():
        database = db()
        run_id = database.scalar(select(SyncRun.id).limit(1))
        database.add(QuarantinedRecord(record_kind="user", record_key="k", payload={}, error="bad"))
        database.commit()
        record_id = database.scalar(select(QuarantinedRecord.id).limit(1))
        opportunity = database.get(Opportunity, AWARDED)
        assert opportunity is not None
        # In the department the matrix's approver approves for (the first one).
        department = all_departments(database)[0].id
        request_id = open_request(database, opportunity, department, None).id
        alert = ApprovalAlert(
            kind="unapproved_publication",
            opportunity_id=AWARDED,
            version=1,
            department_id=department,
        )
        subjects = {"subject_en": "Published", "subject_fr": "Publiée"}
        notification = Notification(
            kind="published",
            recipient="a@example.gc.ca",
            dedupe_key="published:1:a",
            status="failed",
            fields=subjects,
        )
        database.add_all([alert, notification])
        dead = create_delivery(database, AWARDED)
        requester = create_user(database, "owner@example.gc.ca", "Owner", None, [])
        contract = create_contract(database, AWARDED, department, requester.id)
        awaiting = database.scalar(select(WorkDelivery.id).where(WorkDelivery.state == "awaiting"))
        unpaid = database.scalar(select(PaymentRequisition.id))
        database.commit()
        alert_id, notification_id, delivery_id = alert.id, notification.id, dead.id
        contract_number = contract.number
        database.close()
    return {
        "auth.sign_out": ("POST", "/sign-out"),
        "dashboard.index": ("GET", "/"),
        "opportunities.index": ("GET", "/opportunities/?kind=code-with-us&status=AWARDED&q=Bridge"),
        "opportunities.detail": ("GET", f"/opportunities/{AWARDED}"),
        "proposals.index": ("GET", "/proposals/"),
        "awards.index": ("GET", "/awards/"),
        "awards.detail": ("GET", f"/awards/{AWARDED}"),
        "awards.coding": ("POST", f"/awards/{AWARDED}/coding"),
        "awards.amend": ("POST", f"/awards/{AWARDED}/amendments"),
        "awards.terminate": ("POST", f"/awards/{AWARDED}/termination"),
        "awards.export_now": ("POST", f"/awards/{AWARDED}/export"),
        "awards.reports": ("GET", "/awards/reports?department=TBS&period=2026&format=csv"),
        "awards.deliveries": ("GET", "/awards/deliveries?state=dead"),
        "awards.retry": ("POST", f"/awards/deliveries/{delivery_id}/retry"),
        "sync.runs": ("GET", "/sync/runs"),
        "sync.run_detail": ("GET", f"/sync/runs/{run_id}"),
        "sync.run_now": ("POST", "/sync/run-now"),
        "quarantine.index": ("GET", "/quarantine/"),
        "quarantine.detail": ("GET", f"/quarantine/{record_id}"),
        "quarantine.retry": ("POST", f"/quarantine/{record_id}/retry"),
        "users.index": ("GET", "/users/"),
        "users.create": ("GET", "/users/new"),
        "users.edit": ("GET", "/users/1"),
        "audit.index": ("GET", "/audit/"),
        "audit.check_now": ("POST", "/audit/check"),
        "rules.attention": ("GET", "/rules/attention?department=unrouted"),
        "rules.settings": ("GET", "/rules/settings"),
        "translations.editor": ("GET", f"/opportunities/{AWARDED}/translations"),
        "translations.exchange": ("GET", "/translations/"),
        "translations.export": ("GET", "/translations/export?format=csv"),
        "departments.index": ("GET", "/departments/"),
        "departments.edit": ("GET", "/departments/1"),
        "departments.unrouted": ("GET", "/departments/unrouted"),
        "departments.assign": ("POST", f"/departments/unrouted/{AWARDED}"),
        "approvals.queue": ("GET", "/approvals/"),
        "approvals.detail": ("GET", f"/approvals/{request_id}"),
        "approvals.publish": ("POST", f"/approvals/{request_id}/publish"),
        "approvals.alerts": ("GET", "/approvals/alerts"),
        "approvals.alert": ("GET", f"/approvals/alerts/{alert_id}"),
        "approvals.close_alert": ("POST", f"/approvals/alerts/{alert_id}/close"),
        "notifications.index": ("GET", "/notifications/?status=failed"),
        "notifications.send_again": ("POST", f"/notifications/{notification_id}/send-again"),
        "departments.chain": ("GET", "/departments/1/chain"),
        "contracts.index": ("GET", "/contracts/"),
        "contracts.detail": ("GET", f"/contracts/{contract_number}"),
        "contracts.document": ("GET", f"/contracts/{contract_number}/documents/0.pdf"),
        "contracts.new": ("GET", f"/contracts/new/{AWARDED}"),
        "contracts.issue_contract": ("POST", f"/contracts/new/{AWARDED}"),
        "contracts.send_contract": ("POST", f"/contracts/{contract_number}/send"),
        "contracts.sign": ("POST", f"/contracts/{contract_number}/signature"),
        "contracts.deliver": ("POST", f"/contracts/{contract_number}/deliveries"),
        "contracts.decide_work": (
            "POST",
            f"/contracts/{contract_number}/deliveries/{awaiting}/decision",
        ),
        "contracts.pay": ("POST", f"/contracts/{contract_number}/requisitions/{unpaid}/payment"),
        "contracts.import_payments": ("GET", "/contracts/payments/import"),
        "contracts.terms": ("GET", "/contracts/terms"),
        "outcomes.index": ("GET", "/outcomes/?period=2026&department=TBS"),
        "outcomes.table_csv": ("GET", "/outcomes/stages.csv?period=2026-2027-Q3"),
    }


def test_every_endpoint_is_in_the_access_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC - set(RULES) == set()
    assert set(RULES) - endpoints == set()


@pytest.mark.parametrize("role", list(Role))
def test_the_route_by_role_matrix(
    app: Flask, signed_in: Callable[..., FlaskClient], role: Role
) -> None:
    routes = concrete_routes(app)
    assert set(routes) == set(RULES)
    client = signed_in(role)
    for endpoint, (method, url) in sorted(routes.items()):
        if endpoint == "auth.sign_out":
            continue  # signs the client out; checked on its own below
        response = client.open(url, method=method)
        if role in RULES[endpoint]:
            # A form posted empty is refused for what it lacks (400), not for who sent it.
            allowed = (200, 302, 400) if method == "POST" else (200, 302)
            assert response.status_code in allowed, (role, endpoint, response.status_code)
            # A time ends in "a.m." or "p.m.": no sentence may add its own period after it.
            assert not re.search(r"[ap]\.m\.\.", response.get_data(as_text=True)), endpoint
            if response.status_code == 302:
                assert "/sign-in" not in response.headers["Location"], (role, endpoint)
        else:
            assert response.status_code == 403, (role, endpoint, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in_everywhere_but_public_pages(app: Flask) -> None:
    client = app.test_client()
    for endpoint, (method, url) in concrete_routes(app).items():
        response = client.open(url, method=method)
        assert response.status_code == 302, endpoint
        assert response.headers["Location"].startswith("/sign-in"), endpoint
    for url in ("/sign-in", "/healthz", "/readyz", "/static/panel.css"):
        assert client.get(url).status_code in (200, 503), url
    # Public, not behind sign-in; nothing is exported yet, so there is nothing to publish.
    assert client.get("/ocds/record-package.json").status_code == 404


def test_sign_out_ends_the_session(signed_in: Callable[..., FlaskClient]) -> None:
    client = signed_in(Role.VIEWER)
    assert client.get("/").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_an_approver_sees_data_pages_but_not_operations(
    signed_in: Callable[..., FlaskClient],
) -> None:
    client = signed_in(Role.APPROVER)
    page = client.get("/").get_data(as_text=True)
    assert "/opportunities/" in page and "/quarantine/" not in page and "/users/" not in page
