"""Requests for changes reach the marketplace as notes, exactly once, even when answers are lost."""

from __future__ import annotations

import json

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser
from bridge.approvals.models import ApprovalDecision, ApprovalRequest, Decision
from bridge.approvals.notes import comment_room, marker, send_change_requests
from bridge.approvals.service import progress
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.limits import NOTE_UNITS, units
from tests.approvals.conftest import People, attempt
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, FIXTURES, UNDER_REVIEW


def notes_on(fake: FakeMarketplace) -> list[str]:
    history = fake.opportunities[CWU][UNDER_REVIEW].get("history") or []
    return [entry["note"] for entry in history if entry["type"]["value"] == "NOTE_ADDED"]


def status(sessions: sessionmaker[Session]) -> str | None:
    with sessions() as session:
        return session.scalars(select(ApprovalDecision.note_status)).one()


def request_changes(world: People, sessions: sessionmaker[Session]) -> None:
    assert (
        attempt(sessions, world.first, Decision.REQUEST_CHANGES, "Name the deliverables.") == "ok"
    )
    assert status(sessions) == "pending"


def test_a_request_for_changes_becomes_one_note(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    request_changes(world, sessions)
    assert send_change_requests(sessions, client) == 1
    (note,) = notes_on(fake)
    assert note.startswith(marker(1)) and "Name the deliverables." in note
    assert "Budget holder (FAA section 32)" in note and "Gestionnaire du budget" in note
    assert status(sessions) == "sent"
    assert send_change_requests(sessions, client) == 0  # sent once
    assert len(notes_on(fake)) == 1


def test_a_lost_answer_is_checked_on_the_marketplace_before_trying_again(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    request_changes(world, sessions)

    def applied_then_lost(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        assert request.path_url is not None and request.body is not None
        fake._command(request.path_url.removeprefix("/api"), json.loads(request.body))
        return 502, {"Content-Type": "text/plain"}, "bad gateway"

    fake.fail(r"^/opportunities/code-with-us/", applied_then_lost, method="PUT")
    assert send_change_requests(sessions, client) == 1
    assert len(notes_on(fake)) == 1 and status(sessions) == "sent"


def test_a_note_never_written_is_tried_again_on_the_next_run(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    request_changes(world, sessions)
    fake.fail(
        r"^/opportunities/code-with-us/",
        (502, {"Content-Type": "text/plain"}, "down"),
        method="PUT",
    )
    assert send_change_requests(sessions, client) == 0
    assert notes_on(fake) == [] and status(sessions) == "pending"
    assert send_change_requests(sessions, client) == 1
    assert len(notes_on(fake)) == 1


def test_kinds_whose_history_takes_no_notes_are_marked_not_sent(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    from bridge.db.engine import transaction
    from bridge.sync.models import Opportunity

    request_changes(world, sessions)
    with transaction(sessions) as session:
        opportunity = session.get(Opportunity, UNDER_REVIEW)
        assert opportunity is not None
        opportunity.kind = "sprint-with-us"
    assert send_change_requests(sessions, client) == 0
    assert status(sessions) == "unsupported" and notes_on(fake) == []
    assert fake.count("PUT", r".*") == 0


def room_for(world: People, sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        request = session.scalars(select(ApprovalRequest)).one()
        step = progress(session, request).next_step
        approver = session.get_one(PanelUser, world.first)
        assert step is not None
        return comment_room(step, approver.display_name)


def test_a_comment_whose_note_would_not_fit_is_refused_before_anything_is_written(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    room = room_for(world, sessions)
    assert 700 < room < NOTE_UNITS
    too_long = attempt(sessions, world.first, Decision.REQUEST_CHANGES, "x" * (room + 1))
    assert too_long == "comment_too_long"
    assert attempt(sessions, world.first, Decision.REQUEST_CHANGES, "é" * room) == "ok"
    assert send_change_requests(sessions, client) == 1
    (note,) = notes_on(fake)
    assert units(note) <= NOTE_UNITS and status(sessions) == "sent"


def test_a_note_the_marketplace_refuses_is_a_permanent_failure_never_sent_again(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    request_changes(world, sessions)
    refusal = (
        FIXTURES / "error.cwu-opportunity.update-addNote-too-long.admin.400.json"
    ).read_bytes()
    fake.fail(
        rf"^/opportunities/{CWU}/",
        (400, {"Content-Type": "application/json"}, refusal),
        method="PUT",
        times=10,
    )
    assert send_change_requests(sessions, client) == 0
    assert send_change_requests(sessions, client) == 0
    assert fake.count("PUT", rf"^/opportunities/{CWU}/") == 1  # not retried at every sync
    with sessions() as session:
        decision = session.scalars(select(ApprovalDecision)).one()
        assert decision.note_status == "refused"
        assert decision.note_error is not None
        assert decision.note_error.endswith(
            "Status Note must be between 0 and 1000 characters long."
        )


def test_a_note_over_the_limit_from_before_the_check_is_never_sent(
    world: People, sessions: sessionmaker[Session], fake: FakeMarketplace, client: MarketplaceClient
) -> None:
    request_changes(world, sessions)
    with transaction(sessions) as session:
        session.scalars(select(ApprovalDecision)).one().comment = "x" * 5000
    assert send_change_requests(sessions, client) == 0
    assert fake.count("PUT", rf"^/opportunities/{CWU}/") == 0
    with sessions() as session:
        decision = session.scalars(select(ApprovalDecision)).one()
        assert decision.note_status == "refused"
        assert (decision.note_error or "").startswith("too_long:")
