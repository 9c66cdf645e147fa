"""Issuing a contract from a synced award: numbered per department and fiscal year, its amounts
as the rule settings say, a bilingual tagged PDF whose hash is audited; its amendments, its
sending to the supplier, its signature date, and the terms administrators set."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor
from bridge.awards.models import AwardAmendment
from bridge.contracts.amounts import Amounts, shares
from bridge.contracts.document import digest
from bridge.contracts.duties import DutyRefused
from bridge.contracts.issuing import (
    ContractRefused,
    MilestonePlan,
    by_number,
    documents_of,
    issue,
    issue_amendments,
    milestones_of,
    record_signature,
    send,
)
from bridge.contracts.numbering import contract_number, fiscal_year
from bridge.contracts.terms import TermRefused, set_term
from bridge.db.engine import transaction
from bridge.notifications.models import Notification
from tests.conftest import FIXED_NOW
from tests.contracts.conftest import People
from tests.contracts.helpers import audited, issued
from tests.exports.samples import OTTAWA
from tests.fakes.world import AWARDED

NUMBER = "TBS-2026-27-0001"  # the clock stands on 26 November 2026


def structure(pdf: bytes) -> list[str]:
    """The structure elements of a PDF, depth first."""
    found: list[str] = []

    def walk(node: pikepdf.Object | None) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.append(str(node["/S"]))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        walk(document.Root.StructTreeRoot)
    return found


def pdf_text(pdf: bytes) -> str:
    """The text a reader gets, its no-break spaces (French amounts) as plain ones."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2026, 4, 1), "2026-27"), (date(2027, 3, 31), "2026-27"), (date(2027, 4, 1), "2027-28")],
)
def test_the_fiscal_year_runs_from_april_to_march(day: date, year: str) -> None:
    assert fiscal_year(day) == year
    assert contract_number("TBS", year, 7) == f"TBS-{year}-0007"


def test_taxes_are_shared_by_milestones_to_the_cent() -> None:
    whole = Amounts(Decimal("8000.00"), Decimal("1040.00"), Decimal("9040.00"))
    parts = shares(whole, [Decimal("3333.33"), Decimal("3333.33"), Decimal("1333.34")])
    assert [part.taxes for part in parts] == [
        Decimal("433.33"),
        Decimal("433.33"),
        Decimal("173.34"),
    ]
    assert sum(part.total for part in parts) == whole.total


def test_procurement_issues_a_numbered_bilingual_tagged_contract(
    sessions: sessionmaker[Session], people: People
) -> None:
    assert issued(sessions, people) == NUMBER
    with sessions() as session:
        contract = by_number(session, NUMBER)
        assert (contract.value, contract.taxes, contract.total) == (
            Decimal("8000.00"),
            Decimal("1040.00"),
            Decimal("9040.00"),
        )
        [milestone] = milestones_of(session, contract)
        assert (milestone.name_en, milestone.name_fr, milestone.value) == (
            "The work",
            "Les travaux",
            Decimal("8000.00"),
        )
        [document] = documents_of(session, contract)
        pdf, html = document.pdf, document.html
        assert document.sha256 == digest(pdf)
    [entry] = audited(sessions, "contract.issued")
    assert entry["target"] == NUMBER and entry["sha256"] == digest(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert bool(opened.Root.MarkInfo.Marked) and str(opened.Root.Lang) == "en"
        assert str(opened.docinfo["/Title"]) == f"{NUMBER} — Contract / Contrat"
    elements = structure(pdf)
    for tag in ("/Document", "/Sect", "/H1", "/H2", "/P", "/Table", "/TH", "/TD"):
        assert tag in elements, tag
    text = pdf_text(pdf)
    english, french = text.split(f"Contrat {NUMBER}")
    assert f"Contract {NUMBER}" in english and "Treasury Board" in english
    assert "$9,040.00" in english and "$1,040.00" in english and "MIT licence" in english
    assert "All tests pass; code merged." in english
    assert "9 040,00 $" in french and "1 040,00 $" in french
    assert "Essai A de la passerelle (attribuée)" in french
    assert "Secrétariat du Conseil du Trésor" in french and "licence MIT" in french
    assert '<section class="side" lang="fr">' in html


def test_only_procurement_of_the_department_issues_it_once(
    sessions: sessionmaker[Session], people: People
) -> None:
    for name in ("owner", "certifier", "admin", "certifier_elsewhere"):
        with transaction(sessions) as session, pytest.raises(DutyRefused):
            issue(session, people.get(session, name), AWARDED, OTTAWA)
    issued(sessions, people)
    with transaction(sessions) as session, pytest.raises(ContractRefused, match="already"):
        issue(session, people.get(session, "procurement"), AWARDED, OTTAWA)


def test_milestones_must_add_up_to_the_value_and_be_named_in_both_languages(
    sessions: sessionmaker[Session], people: People
) -> None:
    wrong = [MilestonePlan("Form", "Formulaire", Decimal("5000.00"))]
    unnamed = [
        MilestonePlan("Form", "", Decimal("5000.00")),
        MilestonePlan("Tests", "Essais", Decimal("3000.00")),
    ]
    for plans in (wrong, unnamed):
        with transaction(sessions) as session, pytest.raises(ContractRefused):
            issue(session, people.get(session, "procurement"), AWARDED, OTTAWA, milestones=plans)
    plans = [
        MilestonePlan("Form", "Formulaire", Decimal("5000.00")),
        MilestonePlan("Tests", "Essais", Decimal("3000.00")),
    ]
    number = issued(sessions, people, plans)
    with sessions() as session:
        values = [item.value for item in milestones_of(session, by_number(session, number))]
        text = pdf_text(documents_of(session, by_number(session, number))[0].pdf)
    assert values == [Decimal("5000.00"), Decimal("3000.00")]
    assert "1. Form" in text and "2. Essais" in text and "5 650,00 $" in text


def test_an_award_amendment_issues_a_contract_amendment(
    sessions: sessionmaker[Session], people: People
) -> None:
    issued(sessions, people)
    with transaction(sessions) as session:
        session.add(
            AwardAmendment(
                opportunity_id=AWARDED,
                amount_change=Decimal("1130.00"),  # posted with taxes, as the award
                reason="Two more pages",
                recorded_by="test",
                effective_on=datetime(2026, 12, 1, 15, tzinfo=UTC),
                recorded_at=FIXED_NOW.replace(hour=13),
            )
        )
    with transaction(sessions) as session:
        assert issue_amendments(session, Actor.job("test"), OTTAWA) == 1
    with transaction(sessions) as session:
        assert issue_amendments(session, Actor.job("test"), OTTAWA) == 0  # once
        contract = by_number(session, NUMBER)
        assert contract.total == Decimal("10170.00") and contract.value == Decimal("9000.00")
        assert milestones_of(session, contract)[0].value == Decimal("9000.00")
        _, amendment = documents_of(session, contract)
        text = pdf_text(amendment.pdf)
    assert amendment.amendment == 1
    assert f"Amendment 1 to contract {NUMBER}" in text and "Two more pages" in text
    assert "$9,040.00" in text and "$10,170.00" in text and "10 170,00 $" in text
    [entry] = audited(sessions, "contract.amended")
    assert entry["sha256"] == amendment.sha256


def test_the_contract_goes_to_the_supplier_once_with_its_text_in_both_languages(
    sessions: sessionmaker[Session], people: People
) -> None:
    issued(sessions, people)
    for _ in range(2):
        with transaction(sessions) as session:
            send(session, people.get(session, "procurement"), by_number(session, NUMBER))
    with sessions() as session:
        [message] = session.scalars(select(Notification)).all()
        contract = by_number(session, NUMBER)
        assert contract.sent_at is not None
        assert message.recipient == (contract.supplier_email or "").lower()
    assert message.kind == "contract_issued"
    assert f"Contract {NUMBER}" in message.fields["body_en"]
    assert f"Contrat {NUMBER}" in message.fields["body_fr"]
    assert "9 040,00 $" in message.fields["body_fr"].replace("\u202f", " ").replace("\xa0", " ")


def test_the_signature_date_falls_between_the_issue_and_today(
    sessions: sessionmaker[Session], people: People
) -> None:
    issued(sessions, people)
    for day in (date(2026, 11, 25), date(2026, 11, 27)):
        with transaction(sessions) as session, pytest.raises(ContractRefused):
            user = people.get(session, "procurement")
            record_signature(session, user, by_number(session, NUMBER), day, OTTAWA)
    with transaction(sessions) as session:
        user = people.get(session, "procurement")
        record_signature(session, user, by_number(session, NUMBER), date(2026, 11, 26), OTTAWA)
    [entry] = audited(sessions, "contract.signed")
    assert entry["signed_on"] == "2026-11-26"


def test_a_reworded_term_goes_into_contracts_issued_after_it(
    sessions: sessionmaker[Session], people: People
) -> None:
    admin = Actor.user(people.admin, "ada")
    with transaction(sessions) as session:
        for key, value in (("payment_days", "45"), ("licence_en", "Under %(nope)s"), ("x", "y")):
            with pytest.raises(TermRefused):
                set_term(session, admin, key, value)
        set_term(session, admin, "licence", "Apache-2.0")
    issued(sessions, people)
    with sessions() as session:
        contract = by_number(session, NUMBER)
        text = pdf_text(documents_of(session, contract)[0].pdf)
    assert contract.terms["licence"] == "Apache-2.0" and "Apache-2.0 licence" in text
    [entry] = audited(sessions, "contract.term_set")
    assert entry["value"] == "Apache-2.0"
