"""One opportunity's whole way to publication, in a real browser, in English and in French: a
request for changes at the note's limit written on the marketplace, the author's edit, a
translation whose bilingual title would not fit (blocked, with the reason, then fixed), every
approval of the chain, and the publication read back so that every page agrees."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.approvals.notes import marker
from bridge.approvals.service import seed_chains
from bridge.clock import utcnow
from bridge.departments.models import Department
from bridge.marketplace.limits import NOTE_UNITS, units
from tests.bilingual import ENGLISH, FRENCH
from tests.browser.conftest import ADMIN_PASSWORD, LiveBridge, running_bridge
from tests.browser.steps import (
    assert_accessible,
    assert_one_language,
    choose_language,
    sign_in,
    sign_out,
)
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import CWU, UNDER_REVIEW

# One opportunity per language, so that each run starts from the same place.
OPPORTUNITIES = {
    "en": "5e1c0a6e-0d7c-4b8a-9f3e-2a41c7d0e001",
    "fr": "5e1c0a6e-0d7c-4b8a-9f3e-2a41c7d0e002",
}
APPROVERS = [
    "first.approver@tbs-sct.gc.ca",
    "second.approver@tbs-sct.gc.ca",
    "third.approver@tbs-sct.gc.ca",
]
LONG_FRENCH_TITLE = (
    "Formulaire Web accessible de téléversement des pièces justificatives pour les demandeurs "
    "de prestations, conforme aux normes d'accessibilité et rédigé en langage clair"
)
WORDS = {
    "en": {
        "changes": "Request changes",
        "approve": "Approve this step",
        "recorded": "Your decision is recorded.",
        "save": "Save translations",
        "too_long": "Published in both languages, this field would be",
        "blocked": "Blocking findings remain",
        "published": "Published on the marketplace on",
        "status": "Published",
    },
    "fr": {
        "changes": "Demander des modifications",
        "approve": "Approuver cette étape",
        "recorded": "Votre décision est enregistrée.",
        "save": "Enregistrer les traductions",
        "too_long": "Publié dans les deux langues, ce champ compterait",
        "blocked": "Des constats bloquants subsistent",
        "published": "Publiée sur le marché le",
        "status": "Publiée",
    },
}


def _write_opportunities(fake: FakeMarketplace) -> None:
    """Two opportunities under review, in English, worth 9,500, closing in a month."""
    deadline = utcnow() + timedelta(days=30)
    dates = {
        name: (deadline + timedelta(days=offset)).strftime("%Y-%m-%dT00:00:00.000Z")
        for name, offset in (
            ("proposalDeadline", 0),
            ("assignmentDate", 5),
            ("startDate", 10),
            ("completionDate", 60),
        )
    }
    for opportunity_id in OPPORTUNITIES.values():
        fake.clone(CWU, UNDER_REVIEW, opportunity_id, reward=9500, addenda=[], **dates, **ENGLISH)
    fake.move_author()  # the author works at the Treasury Board


def _people(session: Session) -> None:
    seed_chains(session)
    tbs = session.scalars(select(Department).where(Department.acronym == "TBS")).one()
    for email in APPROVERS:
        create_user(
            session,
            email,
            email.split("@")[0].replace(".", " ").title(),
            ADMIN_PASSWORD,
            [(Role.APPROVER, tbs.id)],
        )


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBridge]:
    fake = FakeMarketplace.from_fixtures()
    _write_opportunities(fake)
    with running_bridge(tmp_path_factory.mktemp("path"), fake, before_sync=_people) as live:
        yield live


def sync_now(bridge: LiveBridge) -> None:
    """A sync, once any sync the panel started has finished."""
    deadline = time.monotonic() + 60
    while bridge.service.run_once(trigger="panel") is None:
        assert time.monotonic() < deadline, "a sync held the lock for a minute"
        time.sleep(0.2)


def open_request(page: Any, base: str, opportunity_id: str) -> None:
    """From the opportunity's page, the newest request of its approval timeline."""
    page.goto(f"{base}/opportunities/{opportunity_id}")
    links = page.locator("a[href^='/approvals/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    newest = max(
        (link for link in links if link.rsplit("/", 1)[1].isdigit()),
        key=lambda link: int(link.rsplit("/", 1)[1]),
    )
    page.goto(f"{base}{newest}")


def decide(
    page: Any,
    base: str,
    email: str,
    language: str,
    opportunity_id: str,
    button: str,
    comment: str = "",
) -> str:
    """Sign in as ``email``, open the request, decide; the message the panel answers."""
    sign_out(page)
    sign_in(page, base, email)
    choose_language(page, base, language)
    open_request(page, base, opportunity_id)
    assert_accessible(page, f"decision page ({language}, {email})")
    assert_one_language(page, language, f"decision page ({email})")
    if comment:
        page.fill("#comment", comment)
    page.get_by_role("button", name=button).click()
    message: str = page.locator(".alert").first.inner_text()
    return message


def translate(page: Any, base: str, language: str, opportunity_id: str, title: str) -> str:
    """As the administrator, fill every French text in the editor; the page as saved."""
    sign_out(page)
    sign_in(page, base)
    choose_language(page, base, language)
    page.goto(f"{base}/opportunities/{opportunity_id}/translations")
    for field, text in FRENCH.items():
        page.fill(f"#text-{field}", title if field == "title" else text)
    page.get_by_role("button", name=WORDS[language]["save"]).click()
    assert_accessible(page, f"translation editor after saving ({language})")
    assert_one_language(page, language, "translation editor")
    shown: str = page.locator("main").inner_text()
    return shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_opportunity_goes_from_review_to_publication(
    bridge: LiveBridge, page: Any, language: str
) -> None:
    base, words, opportunity_id = bridge.url, WORDS[language], OPPORTUNITIES[language]
    marketplace = bridge.fake.opportunities[CWU][opportunity_id]

    # 1. The first approver asks for changes, with a comment as long as a note can take.
    sign_in(page, base, APPROVERS[0])
    choose_language(page, base, language)
    open_request(page, base, opportunity_id)
    room = int(page.get_attribute("#comment", "maxlength"))
    comment = ("Précisez les livrables et la date de chaque jalon. " * 40)[: room + 20]
    page.fill("#comment", "")
    page.type("#comment", comment[: room + 5])  # the browser stops at the limit
    assert units(page.input_value("#comment")) == room
    page.get_by_role("button", name=words["changes"]).click()
    assert words["recorded"] in page.locator(".alert").first.inner_text()
    sync_now(bridge)
    notes = [entry["note"] for entry in marketplace["history"] if marker(0)[:20] in entry["note"]]
    assert len(notes) == 1 and units(notes[0]) <= NOTE_UNITS
    assert notes[0].endswith(comment[:room].strip())

    # 2. The author edits the opportunity on the marketplace: a new request opens.
    bridge.fake.edit(CWU, opportunity_id, teaser=ENGLISH["teaser"] + " Two pages more.")
    sync_now(bridge)

    # 3. A French title that would not fit beside the English one blocks, with the reason.
    findings = translate(page, base, language, opportunity_id, LONG_FRENCH_TITLE)
    assert words["too_long"] in findings and "200" in findings
    assert_accessible(page, f"editor with a title too long ({language})")
    assert words["recorded"] in decide(
        page, base, APPROVERS[0], language, opportunity_id, words["approve"]
    )
    assert words["recorded"] in decide(
        page, base, APPROVERS[1], language, opportunity_id, words["approve"]
    )
    assert words["blocked"] in decide(
        page, base, APPROVERS[2], language, opportunity_id, words["approve"]
    )

    # 4. Fixed: the finding clears, and the last step is approved.
    findings = translate(page, base, language, opportunity_id, FRENCH["title"])
    assert words["too_long"] not in findings
    assert words["recorded"] in decide(
        page, base, APPROVERS[2], language, opportunity_id, words["approve"]
    )

    # 5. The approval starts a sync that publishes both languages and reads them back.
    deadline = time.monotonic() + 60
    while marketplace["status"] != "PUBLISHED":
        assert time.monotonic() < deadline, "not published within a minute"
        time.sleep(0.2)
    sync_now(bridge)  # waits for the sync the approval started to finish
    assert marketplace["title"] == f"{ENGLISH['title']} / {FRENCH['title']}"
    page.goto(f"{base}/opportunities/{opportunity_id}")
    assert words["status"] in page.locator("dl.summary").first.inner_text()
    assert_accessible(page, f"opportunity published ({language})")
    open_request(page, base, opportunity_id)
    assert words["published"] in page.locator("main").inner_text()
    assert_accessible(page, f"approval published ({language})")
