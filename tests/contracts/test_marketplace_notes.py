"""The contract's progress on the marketplace and to the supplier: a bilingual note in the
opportunity's history when the contract is issued and when work is accepted (written once, even
when an answer is lost; a refusal kept, not retried), and messages to the supplier, who cannot
see that history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.contracts.acceptance import decide
from bridge.contracts.marketplace_notes import send_progress_notes
from bridge.contracts.models import ContractNote, PaymentRequisition
from bridge.contracts.requisitions import confirm_payment
from bridge.db.engine import transaction
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.limits import NOTE_UNITS, units
from bridge.notifications.models import Notification
from tests.contracts.conftest import People, contract_settings
from tests.contracts.helpers import delivered, issued, work
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED, CWU

NUMBER = "TBS-2026-27-0001"


def notes_on(fake: FakeMarketplace) -> list[str]:
    history = fake.opportunities[CWU][AWARDED].get("history") or []
    return [entry["note"] for entry in history if entry["type"]["value"] == "NOTE_ADDED"]


def statuses(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.scalars(select(ContractNote).order_by(ContractNote.id))
        return [(row.event, row.status) for row in rows]


def test_issue_and_acceptance_are_noted_once_in_both_languages(
    sessions: sessionmaker[Session],
    people: People,
    fake: FakeMarketplace,
    client: MarketplaceClient,
    tmp_path: Path,
) -> None:
    work_id = delivered(sessions, people, issued(sessions, people))
    with transaction(sessions) as session:
        certifier = people.get(session, "certifier")
        decide(session, certifier, work(session, work_id), contract_settings(tmp_path), accept=True)

    def applied_then_lost(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        assert request.path_url is not None and request.body is not None
        fake._command(request.path_url.removeprefix("/api"), json.loads(request.body))
        return 502, {"Content-Type": "text/plain"}, "bad gateway"

    fake.fail(r"^/opportunities/code-with-us/", applied_then_lost, method="PUT", times=1)
    refusals: list[str] = []
    assert send_progress_notes(sessions, client, refusals) == 2
    assert send_progress_notes(sessions, client, refusals) == 0 and refusals == []
    accepted, issued_note = notes_on(fake)  # newest first
    assert issued_note.startswith(f"[GC contract {NUMBER}, issued]")
    assert "issued to Vendor One Ltd. on November 26, 2026" in issued_note
    assert "émis à Vendor One Ltd. le 26 novembre 2026" in issued_note
    assert f"[GC contract {NUMBER}, accepted:{work_id}]" in accepted
    assert "section 34" in accepted and "article 34" in accepted
    assert all(units(note) <= NOTE_UNITS for note in (issued_note, accepted))
    assert statuses(sessions) == [("issued", "sent"), (f"accepted:{work_id}", "sent")]


def test_a_note_the_marketplace_refuses_is_kept_and_reported_not_retried(
    sessions: sessionmaker[Session],
    people: People,
    fake: FakeMarketplace,
    client: MarketplaceClient,
) -> None:
    issued(sessions, people)
    refusal = {"opportunity": {"tag": "addNote", "value": {"note": ["Not allowed."]}}}
    fake.fail(
        r"^/opportunities/code-with-us/",
        (400, {"Content-Type": "application/json"}, json.dumps(refusal)),
        method="PUT",
    )
    refusals: list[str] = []
    assert send_progress_notes(sessions, client, refusals) == 0
    assert statuses(sessions) == [("issued", "refused")] and len(refusals) == 1
    assert send_progress_notes(sessions, client, refusals) == 0
    assert fake.count("PUT", r".*") == 1


def test_the_supplier_hears_of_the_acceptance_and_the_payment(
    sessions: sessionmaker[Session], people: People, tmp_path: Path
) -> None:
    settings = contract_settings(tmp_path)
    work_id = delivered(sessions, people, issued(sessions, people))
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, work_id), settings, accept=True
        )
    with transaction(sessions) as session:
        requisition = session.scalars(select(PaymentRequisition)).one()
        user = people.get(session, "finance")
        confirm_payment(session, user, requisition, date(2026, 11, 26), "P-9", settings)
    with sessions() as session:
        told = {
            row.kind: row.fields
            for row in session.scalars(
                select(Notification).where(Notification.kind.like("supplier_%"))
            )
        }
    assert sorted(told) == ["supplier_paid", "supplier_work_accepted"]
    assert "INV-0042" in told["supplier_work_accepted"]["body_en"]
    assert "26 décembre 2026" in told["supplier_work_accepted"]["body_fr"]
    assert "on November 26, 2026" in told["supplier_paid"]["body_en"]
