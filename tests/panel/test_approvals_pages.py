"""The approver's queue and decision page, in both languages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.approvals.models import ApprovalDecision, ApprovalRequest
from bridge.approvals.service import open_request, seed_chains
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.notifications.models import Notification
from bridge.sync.models import Opportunity
from tests.fakes.world import UNDER_REVIEW
from tests.panel.conftest import UserFactory
from tests.panel.helpers import AUTHOR, opened

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]


def test_approvers_see_their_queue_and_decide_step_by_step(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    first, second = signed_in(Role.APPROVER), signed_in(Role.APPROVER)
    queue = first.get("/approvals/").get_data(as_text=True)
    assert f"/approvals/{request_id}" in queue and "Budget holder (FAA section 32)" in queue
    page = first.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "The opportunity in both languages" in page and "Approve this step" in page
    answer = first.post(f"/approvals/{request_id}", data={"approve": "1"}, follow_redirects=True)
    assert "Your decision is recorded." in answer.get_data(as_text=True)
    again = first.post(f"/approvals/{request_id}", data={"approve": "1"}, follow_redirects=True)
    assert "another person decides this one" in again.get_data(as_text=True)
    # 12,000 is above 5,000: the director general's step comes next, then procurement, whose
    # approval waits for the findings (no French, and over the cap) to clear.
    assert second.post(f"/approvals/{request_id}", data={"approve": "1"}).status_code == 302
    third = signed_in(Role.APPROVER)
    blocked = third.post(f"/approvals/{request_id}", data={"approve": "1"}, follow_redirects=True)
    assert "Blocking findings remain" in blocked.get_data(as_text=True)
    third.post("/language/fr")
    blocked = third.post(f"/approvals/{request_id}", data={"approve": "1"}, follow_redirects=True)
    assert "Des constats bloquants subsistent" in blocked.get_data(as_text=True)


def test_the_author_and_other_departments_cannot_decide(
    signed_in: SignedIn, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    author = signed_in(Role.APPROVER)
    with transaction(sessions) as session:  # the approver is also the opportunity's author
        request = session.get(ApprovalRequest, request_id)
        assert request is not None
        from bridge.accounts.models import PanelUser

        newest = session.scalars(select(PanelUser).order_by(PanelUser.id.desc())).first()
        assert newest is not None
        request.author_email = newest.email
    refused = author.post(f"/approvals/{request_id}", data={"approve": "1"}, follow_redirects=True)
    assert "someone else must approve it" in refused.get_data(as_text=True)
    viewer = signed_in(Role.VIEWER)
    assert viewer.get(f"/approvals/{request_id}").status_code == 403


def test_requesting_changes_needs_a_comment(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    empty = approver.post(
        f"/approvals/{request_id}", data={"request_changes": "1"}, follow_redirects=True
    )
    assert "Say what should change." in empty.get_data(as_text=True)
    asked = approver.post(
        f"/approvals/{request_id}",
        data={"request_changes": "1", "comment": "Name the deliverables."},
        follow_redirects=True,
    )
    assert "Nothing is waiting for an approval." not in asked.get_data(as_text=True)
    with sessions() as session:
        request = session.get(ApprovalRequest, request_id)
        assert request is not None and request.status == "changes_requested"
    page = approver.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "Name the deliverables." in page and "Approve this step" not in page


def test_the_dashboard_tells_each_role_what_waits_for_them(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    page = approver.get("/").get_data(as_text=True)
    assert "1 approval step to decide" in page  # singular
    approver.post(f"/approvals/{request_id}", data={"approve": "1"})
    assert "approval step to decide" not in approver.get("/").get_data(as_text=True)
    admin = signed_in(Role.ADMIN).get("/").get_data(as_text=True)
    assert (
        "texts waiting for a translation" in admin and "opportunities without a department" in admin
    )
    translator = signed_in(Role.TRANSLATOR)
    translator.post("/language/fr")
    assert "textes en attente de traduction" in translator.get("/").get_data(as_text=True)


def test_an_opportunity_shows_its_approval_timeline_in_both_languages(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    approver.post(f"/approvals/{request_id}", data={"request_changes": "1", "comment": "Shorter."})
    page = approver.get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "Approval timeline" in page and "Changes requested" in page
    assert "asked for changes (Shorter.)" in page and f"/approvals/{request_id}" in page
    approver.post("/language/fr")
    page = approver.get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "Historique des approbations" in page and "a demandé des modifications" in page
    viewer = signed_in(Role.VIEWER).get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "Approval timeline" in viewer and f"/approvals/{request_id}" not in viewer


def test_an_approver_of_another_department_neither_sees_nor_opens_the_request(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        seed_chains(session)
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        elsewhere = all_departments(session)[1].id  # the matrix approver approves for [0]
        request_id = open_request(session, opportunity, elsewhere, AUTHOR).id
    approver = signed_in(Role.APPROVER)
    assert f"/approvals/{request_id}" not in approver.get("/approvals/").get_data(as_text=True)
    assert approver.get(f"/approvals/{request_id}").status_code == 404
    assert approver.post(f"/approvals/{request_id}", data={"approve": "1"}).status_code == 404


def test_a_comment_too_long_for_a_note_is_refused_in_the_readers_language_and_kept(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    comment = "Décrivez les livrables. " * 60  # 1,440 characters
    for language, message in (
        ("en", "shorten the comment to"),
        ("fr", "raccourcissez le commentaire à"),
    ):
        approver.post(f"/language/{language}")
        answer = approver.post(
            f"/approvals/{request_id}", data={"request_changes": "1", "comment": comment}
        )
        page = answer.get_data(as_text=True).replace("&#39;", "'")
        assert answer.status_code == 400 and message in page
        assert "Décrivez les livrables." in page  # what was typed is kept
        room = re.search(r'maxlength="(\d+)"', page)  # the browser keeps to it as one types
        assert room is not None and 500 < int(room.group(1)) < 1000
        assert f" {room.group(1)} " in page  # and the description says it
    with sessions() as session:
        assert session.get_one(ApprovalRequest, request_id).status == "open"


def test_a_note_the_marketplace_refused_shows_on_the_approval_page(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    approver = signed_in(Role.APPROVER)
    approver.post(
        f"/approvals/{request_id}",
        data={"request_changes": "1", "comment": "Name the deliverables."},
    )
    with transaction(sessions) as session:
        decision = session.scalars(select(ApprovalDecision)).one()
        decision.note_status, decision.note_error = "refused", "too_long:1204"
    page = approver.get(f"/approvals/{request_id}").get_data(as_text=True)
    assert "Not written on the marketplace as a note." in page
    assert "The note would be 1,204 characters long" in page


def test_an_approver_added_after_the_request_opened_is_told_once(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    request_id = opened(sessions)
    with sessions() as session:
        department = all_departments(session)[0].id
    admin = signed_in(Role.ADMIN)
    form = {
        "email": "late.approver@hrsdc-rhdcc.gc.ca",
        "display_name": "Late Approver",
        "roles": ["approver"],
        "departments": [department],
        "active": "y",
    }
    assert admin.post("/users/new", data=form).status_code == 302

    def told() -> list[str]:
        with sessions() as session:
            return list(
                session.scalars(
                    select(Notification.dedupe_key).where(
                        Notification.recipient == form["email"],
                        Notification.kind == "step_awaiting",
                    )
                )
            )

    assert len(told()) == 1 and told()[0].startswith(f"step_awaiting:{request_id}:")
    with sessions() as session:
        user_id = session.scalars(
            select(PanelUser.id).where(PanelUser.email == form["email"])
        ).one()
    saved = admin.post(f"/users/{user_id}", data={**form, "display_name": "Renamed"})
    assert saved.status_code == 302
    assert len(told()) == 1  # saving the account again tells nothing new
