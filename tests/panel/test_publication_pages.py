"""Panel pages added for publication and its safeguards: the administrator's publish button,
the guard's alerts, the notification outbox and the chain editor, in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.approvals.models import (
    ApprovalAlert,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStep,
    RequestStatus,
)
from bridge.audit.models import AuditEntry
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.notifications.models import Notification
from tests.fakes.world import UNDER_REVIEW
from tests.panel.conftest import UserFactory
from tests.panel.helpers import opened

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]


def approved(sessions: sessionmaker[Session], request_id: int) -> None:
    with transaction(sessions) as session:
        request = session.get(ApprovalRequest, request_id)
        assert request is not None
        request.status = RequestStatus.APPROVED.value


def test_an_administrator_publishes_an_approved_request(
    app: Flask, signed_in: SignedIn, sessions: sessionmaker[Session], launched: list[str]
) -> None:
    request_id = opened(sessions)
    admin = signed_in(Role.ADMIN)
    page = admin.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "Publish on the marketplace" not in page  # still being decided
    refused = admin.post(f"/approvals/{request_id}/publish", follow_redirects=True)
    assert "not waiting to be published" in refused.get_data(as_text=True)
    approved(sessions, request_id)
    page = admin.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "Published at the next sync" in page  # auto-publish is on
    settings = app.config["BRIDGE_SETTINGS"]
    app.config["BRIDGE_SETTINGS"] = settings.model_copy(update={"approvals_auto_publish": False})
    page = admin.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "Waiting for an administrator to publish it" in page
    assert f'action="/approvals/{request_id}/publish"' in page
    assert "Publish on the marketplace</button>" in page
    assert "1 approved opportunity to publish" in admin.get("/").get_data(as_text=True)
    admin.post("/language/fr")
    done = admin.post(f"/approvals/{request_id}/publish", follow_redirects=True)
    assert "La publication est en route" in done.get_data(as_text=True)
    assert launched == ["approval"]
    with sessions() as session:
        request = session.get(ApprovalRequest, request_id)
        assert request is not None and request.publish_authorized_by
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "approval.publish_authorized" in actions
    assert "Publiée à la prochaine synchronisation" in admin.get(
        f"/approvals/{request_id}"
    ).get_data(as_text=True)
    with transaction(sessions) as session:  # an attempt found it canceled on the marketplace
        request = session.get(ApprovalRequest, request_id)
        assert request is not None
        request.publish_attempts, request.publish_error = 1, "reason:status:CANCELED"
    failed = admin.get(f"/approvals/{request_id}").get_data(as_text=True).replace("&#39;", "'")
    assert (
        "La tentative 1 a échoué\u00a0: L'occasion est à l'état CANCELED sur le marché." in failed
    )


def test_alerts_are_seen_by_the_department_and_closed_by_an_administrator(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        department = all_departments(session)[0].id
        alert = ApprovalAlert(
            kind="unapproved_publication",
            opportunity_id=UNDER_REVIEW,
            version=1,
            department_id=department,
            details={"how": "created_published", "by_name": "Pat Gov", "by_type": "GOV"},
        )
        session.add(alert)
        session.flush()
        alert_id = alert.id
    approver, admin = signed_in(Role.APPROVER), signed_in(Role.ADMIN)
    assert "1 publication without approval" in admin.get("/").get_data(as_text=True)
    listing = approver.get("/approvals/alerts").get_data(as_text=True)
    assert f"/approvals/alerts/{alert_id}" in listing
    seen = approver.get(f"/approvals/alerts/{alert_id}").get_data(as_text=True)
    assert "Close this alert" not in seen
    assert (
        "Pat Gov (government user of the marketplace) created it directly as published" in seen
        and "If what was published may stay public" in seen
    )
    assert approver.post(f"/approvals/alerts/{alert_id}/close").status_code == 403
    timeline = approver.get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "Version 1 published without approval" in timeline
    alert_page = admin.get(f"/approvals/alerts/{alert_id}").get_data(as_text=True)
    assert f'action="/approvals/alerts/{alert_id}/close"' in alert_page
    assert "Close this alert</button>" in alert_page
    admin.post("/language/fr")
    closed = admin.post(f"/approvals/alerts/{alert_id}/close", follow_redirects=True)
    assert "Alerte fermée." in closed.get_data(as_text=True)
    again = admin.post(f"/approvals/alerts/{alert_id}/close", follow_redirects=True)
    assert "déjà fermée" in again.get_data(as_text=True)


def test_a_failed_message_is_visible_and_sent_again(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        error = "GC Notify 400: email_address Not a valid email"
        subjects = {"subject_en": "Published: X", "subject_fr": "Publiée : X"}
        item = Notification(
            kind="published",
            recipient="a@example.gc.ca",
            dedupe_key="published:1:a@example.gc.ca",
            status="failed",
            attempts=6,
            last_error=error,
            fields=subjects,
        )
        session.add(item)
        session.flush()
        item_id = item.id
    admin = signed_in(Role.ADMIN)
    assert "1 notification not sent" in admin.get("/").get_data(as_text=True)
    page = admin.get("/notifications/?status=failed").get_data(as_text=True)
    assert "Published: X" in page and "Not a valid email" in page and "Send again" in page
    admin.post("/language/fr")
    assert "Publiée : X" in admin.get("/notifications/").get_data(as_text=True)
    answer = admin.post(f"/notifications/{item_id}/send-again", follow_redirects=True)
    assert "sera envoyé de nouveau" in answer.get_data(as_text=True)
    with sessions() as session:
        again = session.get(Notification, item_id)
        assert again is not None and (again.status, again.attempts) == ("pending", 0)
    assert admin.post("/notifications/999999/send-again").status_code == 404


def chain_form(steps: list[ApprovalStep], **changes: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for index, step in enumerate(steps):
        data |= {
            f"steps-{index}-step_id": str(step.id),
            f"steps-{index}-position": str(index + 1),
            f"steps-{index}-name_en": step.name_en,
            f"steps-{index}-name_fr": step.name_fr,
            f"steps-{index}-min_amount": str(step.min_amount or ""),
        }
    return data | changes


def chain(sessions: sessionmaker[Session], department: int) -> list[tuple[str, str | None, int]]:
    with sessions() as session:
        steps = session.scalars(
            select(ApprovalStep)
            .where(ApprovalStep.department_id == department)
            .order_by(ApprovalStep.position)
        )
        return [
            (step.name_en, str(step.min_amount) if step.min_amount else None, len(step.approvers))
            for step in steps
        ]


def test_an_administrator_edits_a_chain(
    signed_in: SignedIn, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)  # seeds the chains
    approver = make_user(Role.APPROVER, email="named@tbs-sct.gc.ca")
    with sessions() as session:
        department = all_departments(session)[0].id
        steps = list(
            session.scalars(
                select(ApprovalStep)
                .where(ApprovalStep.department_id == department)
                .order_by(ApprovalStep.position)
            )
        )
        named = session.scalars(select(PanelUser.id).where(PanelUser.email == approver)).one()
    admin = signed_in(Role.ADMIN)
    page = admin.get(f"/departments/{department}/chain").get_data(as_text=True)
    assert "Budget holder (FAA section 32)" in page and "named" in page
    # Reorder, raise the director's threshold, name who decides procurement, add a step.
    data = chain_form(
        steps,
        **{
            "steps-0-position": "2",
            "steps-1-position": "1",
            "steps-1-min_amount": "7,500.00",
            "steps-2-approvers": str(named),
            "new_step-name_en": "Chief information officer",
            "new_step-name_fr": "Dirigeant principal de l'information",
        },
    )
    saved = admin.post(f"/departments/{department}/chain", data=data, follow_redirects=True)
    assert "Approval chain saved." in saved.get_data(as_text=True)
    assert chain(sessions, department) == [
        ("Director general", "7500.00", 0),
        ("Budget holder (FAA section 32)", None, 0),
        ("Departmental procurement officer", None, 1),
        ("Chief information officer", None, 0),
    ]
    # In French: errors in French, a decided step cannot go, a chain cannot be empty.
    admin.post("/language/fr")
    invalid = chain_form(steps, **{"steps-0-name_fr": "", "new_step-name_en": "X"})
    bad = admin.post(f"/departments/{department}/chain", data=invalid)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Entrez le nom de l'étape en français." in text.replace("&#39;", "'")
    assert "deux langues" in text
    with transaction(sessions) as session:
        budget = session.scalars(
            select(ApprovalStep).where(
                ApprovalStep.department_id == department, ApprovalStep.key == "budget"
            )
        ).one()
        someone = session.scalars(select(PanelUser.id)).first()
        assert someone is not None
        session.add(
            ApprovalDecision(
                request_id=request_id,
                step_id=budget.id,
                user_id=someone,
                user_name="x",
                decision="approve",
            )
        )
    with sessions() as session:
        steps = list(
            session.scalars(
                select(ApprovalStep)
                .where(ApprovalStep.department_id == department)
                .order_by(ApprovalStep.position)
            )
        )
    removing = chain_form(steps, **{"steps-1-remove": "y"})
    refused = admin.post(f"/departments/{department}/chain", data=removing, follow_redirects=True)
    assert "déjà décidée" in refused.get_data(as_text=True)
    everything = chain_form(steps, **{f"steps-{i}-remove": "y" for i in range(len(steps))})
    empty = admin.post(f"/departments/{department}/chain", data=everything, follow_redirects=True)
    assert "au moins une étape" in empty.get_data(as_text=True)
    assert len(chain(sessions, department)) == 4


@pytest.mark.parametrize(
    ("stored", "shown", "english"),
    [
        ("not_cancelable:AWARDED", "L'occasion est à l'état «\u00a0Attribuée\u00a0»", False),
        ("lost_answer", "La réponse du marché s'est perdue", False),
        ("HTTP 400: Opportunity cannot be canceled", "HTTP 400: Opportunity cannot be", True),
    ],
)
def test_a_cancel_attempt_that_failed_says_why_in_the_readers_words(
    signed_in: SignedIn, sessions: sessionmaker[Session], stored: str, shown: str, english: bool
) -> None:
    with transaction(sessions) as session:
        alert = ApprovalAlert(
            kind="unapproved_publication",
            opportunity_id=UNDER_REVIEW,
            version=1,
            department_id=all_departments(session)[0].id,
            status="cancel_pending",
            cancel_error=stored,
        )
        session.add(alert)
        session.flush()
        alert_id = alert.id
    admin = signed_in(Role.ADMIN)
    admin.post("/language/fr")
    page = admin.get(f"/approvals/alerts/{alert_id}").get_data(as_text=True)
    page = page.replace("&#39;", "'")
    assert shown in page and ('<dd lang="en">' in page) is english
