"""From award to payment in a real browser, in English and in French: procurement issues the
contract (milestone values typed the way each language writes them, a half-filled row refused
first), the business owner records the delivered work, the certifier accepts it under section
34, finance confirms the payment; axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.clock import utcnow
from bridge.departments.models import Department
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, LiveBridge, running_bridge
from tests.browser.steps import (
    assert_accessible,
    assert_one_language,
    choose_language,
    sign_in,
    sign_out,
)
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED, CWU

# One award per language, so that each run starts from the same place.
AWARDS = {
    "en": "7a2d0b5e-1c4f-4e8a-9b3d-5c6e7f8a9001",
    "fr": "7a2d0b5e-1c4f-4e8a-9b3d-5c6e7f8a9002",
}
PEOPLE = {
    Role.PROCUREMENT: "paula.procurement@tbs-sct.gc.ca",
    Role.OWNER: "omar.owner@tbs-sct.gc.ca",
    Role.CERTIFIER: "cecile.certifier@tbs-sct.gc.ca",
    Role.FINANCE: "fatima.finance@tbs-sct.gc.ca",
}
# What people type: amounts the way their language writes them.
TYPED = {
    "en": {"form": "5,000.00", "tests": "3,000"},
    "fr": {"form": "5 000,00", "tests": "3 000"},
}
WORDS = {
    "en": {
        "issue": "Issue the contract",
        "contract": "Contract",
        "both": "Name the milestone in both languages.",
        "ask": "Ask for acceptance",
        "delivered": "Delivered work recorded",
        "accept": "Accept the work (s.34)",
        "accepted": "Work accepted; its payment requisition goes to finance.",
        "pay": "Confirm the payment (s.33)",
        "paid": "confirmed.",
        "total": "$9,040.00",
    },
    "fr": {
        "issue": "Émettre le contrat",
        "contract": "Contrat",
        "both": "Nommez l'étape dans les deux langues.",
        "ask": "Demander l'acceptation",
        "delivered": "Travaux livrés consignés",
        "accept": "Accepter les travaux (art. 34)",
        "accepted": "Travaux acceptés; leur demande de paiement part vers les finances.",
        "pay": "Confirmer le paiement (art. 33)",
        "paid": "confirmé.",
        "total": "9\u00a0040,00\u00a0$",
    },
}


def _awards(fake: FakeMarketplace) -> None:
    for opportunity_id in AWARDS.values():
        fake.clone_award(CWU, AWARDED, opportunity_id, reward=9040)
    fake.move_author()  # the author works at the Treasury Board: the awards are TBS's


def _people(session: Session) -> None:
    tbs = session.scalars(select(Department).where(Department.acronym == "TBS")).one()
    for role, email in PEOPLE.items():
        name = email.split("@")[0].replace(".", " ").title()
        create_user(session, email, name, ADMIN_PASSWORD, [(role, tbs.id)])


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBridge]:
    fake = FakeMarketplace.from_fixtures()
    _awards(fake)
    with running_bridge(tmp_path_factory.mktemp("contracts"), fake, before_sync=_people) as live:
        yield live


def as_person(page: Any, base: str, role: Role | None, language: str) -> None:
    sign_out(page)
    sign_in(page, base, PEOPLE[role] if role else ADMIN_EMAIL)
    choose_language(page, base, language)


def checked(page: Any, language: str, where: str) -> None:
    assert page.get_attribute("html", "lang") == language
    assert_accessible(page, f"{where} ({language})")
    assert_one_language(page, language, f"{where} ({language})")


def alert(page: Any) -> str:
    return str(page.locator(".alert").first.inner_text())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_contract_is_issued_and_its_work_accepted_and_paid(
    bridge: LiveBridge, page: Any, language: str
) -> None:
    base, words, typed = bridge.url, WORDS[language], TYPED[language]
    # The panel's today, in its time zone: from midnight UTC until midnight in Toronto the
    # UTC date is tomorrow there, and a payment dated tomorrow is refused.
    today = utcnow().astimezone(bridge.service.settings.zone).date()
    as_person(page, base, Role.PROCUREMENT, language)
    page.goto(f"{base}/awards/{AWARDS[language]}")
    checked(page, language, "award")
    page.click(f"text={words['issue']}")
    checked(page, language, "issue form")
    page.fill("#milestones-0-name_en", "Form")
    page.fill("#milestones-0-value", typed["form"])
    page.click("form.form button[type=submit]")
    assert words["both"] in page.locator("#milestones-0-name_fr-error").inner_text()
    assert page.get_attribute("#milestones-0-name_fr", "aria-invalid") == "true"
    checked(page, language, "issue form with errors")
    page.fill("#milestones-0-name_fr", "Formulaire")
    page.fill("#milestones-1-name_en", "Tests")
    page.fill("#milestones-1-name_fr", "Essais")
    page.fill("#milestones-1-value", typed["tests"])
    page.click("form.form button[type=submit]")
    heading = page.locator("h1").inner_text()
    assert heading.startswith(f"{words['contract']} TBS-"), heading
    number = heading.split()[-1]
    assert words["total"] in page.locator("dl.summary").inner_text()
    checked(page, language, "contract issued")
    contract = f"{base}/contracts/{number}"

    as_person(page, base, Role.OWNER, language)
    page.goto(contract)
    page.select_option("#milestone", "1")
    page.fill("#url", "https://github.com/example/forms/pull/12")
    page.fill("#invoice_number", f"INV-{language}")
    page.fill("#invoice_date", (today - timedelta(days=2)).isoformat())
    page.fill("#invoice_received_on", (today - timedelta(days=1)).isoformat())
    page.fill("#attachments", "screenshot.png")
    page.click(f'button:has-text("{words["ask"]}")')
    assert words["delivered"] in alert(page)
    checked(page, language, "work delivered")

    as_person(page, base, Role.CERTIFIER, language)
    page.goto(contract)
    checked(page, language, "work to accept")
    page.click(f'button:has-text("{words["accept"]}")')
    assert words["accepted"] in alert(page)
    checked(page, language, "work accepted")

    as_person(page, base, Role.FINANCE, language)
    page.goto(f"{base}/contracts/")
    assert f"{number}-R1" in page.locator("main").inner_text()
    checked(page, language, "contracts and payments due")
    page.goto(f"{base}/contracts/payments/import")
    checked(page, language, "payment import")
    page.goto(contract)
    page.fill("input[id$='-paid_on']", today.isoformat())
    page.fill("input[id$='-reference']", "PAY-1")
    page.click(f'button:has-text("{words["pay"]}")')
    assert words["paid"] in alert(page)
    checked(page, language, "payment confirmed")

    as_person(page, base, None, language)
    page.goto(f"{base}/contracts/terms")
    checked(page, language, "terms")
    page.goto(contract)
    checked(page, language, "contract read by an administrator")
