"""What of a department's matters each role reads beyond the page: bidders' names, approval
comments, proposals by department, an individual winner's postal code."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import set_grants, user_by_email
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.exports.models import ExportedAward
from bridge.panel import LoginUser
from bridge.panel.findings import finding_message
from tests.fakes.world import AWARDED, UNDER_REVIEW
from tests.panel.award_states import routed
from tests.panel.conftest import UserFactory, sign_in
from tests.panel.helpers import opened

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]
PROSPECTIVE = {
    "supplier": "Dana Developer",
    "days": 365,
    "total": "12000.00",
    "count": 2,
    "others": "Earlier work",
}


def approver_of(
    app: Flask,
    make_user: UserFactory,
    sessions: sessionmaker[Session],
    acronym: str,
    role: Role = Role.APPROVER,
) -> FlaskClient:
    """A signed-in account of ``role`` whose grant names the department ``acronym``."""
    email = make_user(role)
    with transaction(sessions) as session:
        department = session.scalars(select(Department).where(Department.acronym == acronym))
        account = user_by_email(session, email)
        assert account is not None
        set_grants(account, [(role, department.one().id)])
    client = app.test_client()
    sign_in(client, email)
    return client


def test_a_bidders_name_in_a_finding_is_for_those_who_read_proposals(
    app: Flask, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    for role, shown in (
        (Role.VIEWER, "a supplier"),
        (Role.TRANSLATOR, "a supplier"),
        (Role.PROCUREMENT, "Dana Developer"),
    ):
        email = make_user(role)
        with app.test_request_context(), sessions() as session:
            account = session.scalars(select(PanelUser).where(PanelUser.email == email)).one()
            login_user(LoginUser(account))
            message = finding_message("splitting.prospective", PROSPECTIVE)
        assert message.startswith(f"Awarding this to {shown} "), (role, message)


def test_approval_comments_are_for_administrators_and_the_departments_approvers(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    asked = {"request_changes": "1", "comment": "Budget too tight for TBS."}
    approver.post(f"/approvals/{request_id}", data=asked)
    page = f"/opportunities/{UNDER_REVIEW}"
    for reader in (approver, signed_in(Role.ADMIN)):
        assert "Budget too tight for TBS." in reader.get(page).get_data(as_text=True)
    for role in (Role.VIEWER, Role.TRANSLATOR, Role.OPERATOR, Role.PROCUREMENT):
        text = signed_in(role).get(page).get_data(as_text=True)
        assert "asked for changes" in text and "Budget too tight" not in text, role


def test_an_approver_reads_the_proposals_of_their_departments_only(
    app: Flask, signed_in: SignedIn, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    routed(sessions)  # the awarded opportunity is TBS's
    bidder = "Vendor Two Inc."
    tbs = approver_of(app, make_user, sessions, "TBS")
    esdc = approver_of(app, make_user, sessions, "ESDC")
    for client, sees in ((tbs, True), (esdc, False), (signed_in(Role.PROCUREMENT), True)):
        listing = client.get("/proposals/").get_data(as_text=True)
        detail = client.get(f"/opportunities/{AWARDED}").get_data(as_text=True)
        assert (bidder in listing) is sees and (bidder in detail) is sees


def test_an_individual_winners_postal_code_is_whole_for_procurement_only(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    routed(sessions)
    page = f"/awards/{AWARDED}"
    assert "V8W 1A1" in signed_in(Role.PROCUREMENT).get(page).get_data(as_text=True)
    viewer = signed_in(Role.VIEWER).get(page).get_data(as_text=True)
    assert "(V8W," in viewer and "V8W 1A1" not in viewer


def test_procurement_staff_limited_to_departments_handle_their_awards_only(
    app: Flask, make_user: UserFactory, sessions: sessionmaker[Session], signed_in: SignedIn
) -> None:
    routed(sessions)  # the award is TBS's
    other = approver_of(app, make_user, sessions, "ESDC", Role.PROCUREMENT)
    page = other.get(f"/awards/{AWARDED}")
    assert page.status_code == 200 and f"/awards/{AWARDED}/coding" not in page.get_data(True)
    for action in ("coding", "amendments", "termination", "export"):
        assert other.post(f"/awards/{AWARDED}/{action}").status_code == 403, action
    reports = other.get("/awards/reports").get_data(as_text=True)
    assert 'value="ESDC"' in reports and 'value="TBS"' not in reports
    refused = other.get("/awards/reports?department=TBS&period=2026&format=csv")
    assert refused.status_code == 400
    mine = approver_of(app, make_user, sessions, "TBS", Role.PROCUREMENT)
    assert f"/awards/{AWARDED}/coding" in mine.get(f"/awards/{AWARDED}").get_data(True)
    assert mine.post(f"/awards/{AWARDED}/export").status_code == 302
    # "Export held back" for a limited account builds only its departments' held-back records.
    with transaction(sessions) as session:
        held = ExportedAward(opportunity_id=AWARDED, revision=0, coding={}, problem="waiting")
        session.merge(held)
    other.post("/awards/export")
    with sessions() as session:
        assert session.get(ExportedAward, AWARDED).problem == "waiting"  # type: ignore[union-attr]
    mine.post("/awards/export")
    with sessions() as session:
        assert session.get(ExportedAward, AWARDED).problem is None  # type: ignore[union-attr]
    report = mine.get("/awards/reports?department=TBS&period=2026&format=csv")
    assert report.status_code == 200
    unscoped = signed_in(Role.PROCUREMENT)
    assert unscoped.post(f"/awards/{AWARDED}/export").status_code == 302


def test_a_procurement_account_keeps_the_departments_it_is_limited_to(
    app: Flask, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    email = make_user(Role.PROCUREMENT)
    with transaction(sessions) as session:
        account = user_by_email(session, email)
        assert account is not None and account.named_departments() == frozenset()
        esdc = session.scalars(select(Department).where(Department.acronym == "ESDC")).one()
        set_grants(account, [(Role.PROCUREMENT, esdc.id), (Role.VIEWER, esdc.id)])
    with transaction(sessions) as session:
        account = user_by_email(session, email)
        assert account is not None
        assert account.department_ids(Role.PROCUREMENT) == {esdc.id}
        assert account.named_departments() == {esdc.id}  # a viewer's grant names none
