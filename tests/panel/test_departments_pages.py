"""Departments: edited by administrators (validated in both languages, audited), and the
unrouted queue where an administrator gives an opportunity its department."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.approvals.models import ApprovalRequest
from bridge.audit.models import AuditEntry
from bridge.departments.models import Department
from bridge.rules.queries import current_evaluation
from tests.fakes.world import UNDER_REVIEW
from tests.panel.award_states import held_back, revisions

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]


def tbs(sessions: sessionmaker[Session]) -> Department:
    with sessions() as session:
        department = session.scalars(select(Department).where(Department.acronym == "TBS")).one()
        session.expunge(department)
        return department


def test_the_captured_marketplace_is_unrouted_until_an_admin_assigns_it(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    admin = signed_in(Role.ADMIN)
    page = admin.get("/departments/unrouted").get_data(as_text=True)
    assert "opportunities without a department" in page and UNDER_REVIEW in page
    department = tbs(sessions)
    answer = admin.post(f"/departments/unrouted/{UNDER_REVIEW}", data={"department": department.id})
    assert answer.status_code == 302
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.department_id == department.id
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "opportunity.department_assigned")
        ).one()
        assert entry.target_id == UNDER_REVIEW and entry.after == {
            "department": department.id,
            "acronym": "TBS",
        }
    assert UNDER_REVIEW not in admin.get("/departments/unrouted").get_data(as_text=True)
    with sessions() as session:  # under review: its department's approval starts now
        request = session.scalars(select(ApprovalRequest)).one()
        assert (request.opportunity_id, request.department_id) == (UNDER_REVIEW, department.id)


def test_an_unknown_department_is_refused(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    admin = signed_in(Role.ADMIN)
    answer = admin.post(
        f"/departments/unrouted/{UNDER_REVIEW}", data={"department": 999_999}, follow_redirects=True
    )
    assert "Choose a department." in answer.get_data(as_text=True)
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.department_id is None


def test_adding_a_domain_routes_the_authors_opportunities(
    app: Flask, signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    held_back(app, sessions)  # the awarded one, by the same author, waits for a department
    admin = signed_in(Role.ADMIN)
    department = tbs(sessions)
    data = {
        "acronym": "TBS",
        "name_en": department.name_en,
        "name_fr": department.name_fr,
        "email_domains": "tbs-sct.gc.ca\nexample.invalid\n",
    }
    assert admin.post(f"/departments/{department.id}", data=data).status_code == 302
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)  # its author is gov@example.invalid
        assert evaluation is not None and evaluation.department_id == department.id
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "department.updated")
        ).one()
        assert entry.after is not None
        assert entry.after["email_domains"] == ["example.invalid", "tbs-sct.gc.ca"]
    assert revisions(sessions) == [("directory", 1)]  # its record was built at once


def test_department_errors_in_both_languages(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    admin = signed_in(Role.ADMIN)
    department = tbs(sessions)
    bad = {"acronym": "PSPC", "name_en": "", "name_fr": "x", "email_domains": "not a domain"}
    answer = admin.post(f"/departments/{department.id}", data=bad)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Enter the name in English." in page and "Not an e-mail domain: not a domain" in page
    taken = {**bad, "name_en": "Treasury", "email_domains": "tbs-sct.gc.ca"}
    assert "Another department uses this acronym." in admin.post(
        f"/departments/{department.id}", data=taken
    ).get_data(as_text=True)
    admin.post("/language/fr")
    page = admin.post(f"/departments/{department.id}", data=bad).get_data(as_text=True)
    assert "Entrez le nom en anglais." in page and "Ce n'est pas un domaine de courriel" in page


def test_the_unrouted_queue_shows_the_authors_domain_and_starts_on_no_department(
    signed_in: SignedIn,
) -> None:
    page = signed_in(Role.ADMIN).get("/departments/unrouted").get_data(as_text=True)
    assert "example.invalid" in page  # the captured GOV author's domain, to add to a department
    assert '<option value="" selected>Choose a department</option>' in page
    refused = signed_in(Role.ADMIN).post(
        f"/departments/unrouted/{UNDER_REVIEW}", data={"department": ""}, follow_redirects=True
    )
    assert "Choose a department." in refused.get_data(as_text=True)  # one careless click


def test_the_users_list_shows_which_departments_approvers_decide_for(
    signed_in: SignedIn, make_user: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    from bridge.departments.service import all_departments

    make_user(Role.APPROVER, email="approver.list@tbs-sct.gc.ca")  # the first department's
    with sessions() as session:
        acronym = all_departments(session)[0].acronym
    page = signed_in(Role.ADMIN).get("/users/").get_data(as_text=True)
    row = page.split("approver.list@tbs-sct.gc.ca</td>", 1)[1].split("</tr>", 1)[0]
    assert '<th scope="col">Departments</th>' in page and f"<td>{acronym}</td>" in row
