"""The contract pages, role by role: procurement issues the contract (milestone values typed the
French way), sends it and records its signature; the business owner records delivered work;
the certifier accepts it; finance confirms the payment or imports the confirmation file; the
administrator words the terms. Every refusal is said in the reader's language."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.contracts.models import Contract, PaymentRequisition, WorkDelivery
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.marketplace.client import MarketplaceClient
from tests.exports.samples import synced_record
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED
from tests.panel.conftest import PASSWORD, sign_in

NUMBER = "TBS-2026-27-0001"
pytestmark = pytest.mark.usefixtures("frozen_clock")

Person = Callable[..., FlaskClient]


@pytest.fixture
def person(
    app: Flask,
    fake: FakeMarketplace,
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    mocked: Any,
) -> Person:
    """A signed-in client of someone holding ``role`` at TBS (or at ESDC), in ``language``."""
    synced_record(fake, client, sessions, reward=9040)
    counter = iter(range(100))

    def signed(role: Role, *, department: str = "TBS", language: str = "en") -> FlaskClient:
        email = f"{role.value}{next(counter)}@{department.lower()}.gc.ca"
        with transaction(sessions) as session:
            ids = {item.acronym: item.id for item in all_departments(session)}
            scope = None if role is Role.ADMIN else ids[department]
            create_user(session, email, email.split("@")[0], PASSWORD, [(role, scope)])
        browser = app.test_client()
        sign_in(browser, email)
        browser.post(f"/language/{language}")
        return browser

    return signed


def page(response: Any) -> str:
    """The page's text as a reader gets it (entities such as &#39; read as characters)."""
    return html.unescape(str(response.get_data(as_text=True)))


def issue(procurement: FlaskClient, **rows: str) -> Any:
    return procurement.post(f"/contracts/new/{AWARDED}", data=rows)


def test_procurement_issues_the_contract_typing_amounts_the_french_way(
    person: Person, sessions: sessionmaker[Session]
) -> None:
    procurement = person(Role.PROCUREMENT, language="fr")
    award = page(procurement.get(f"/awards/{AWARDED}"))
    assert "Émettre le contrat" in award
    half = issue(procurement, **{"milestones-0-name_en": "Form", "milestones-0-value": "5 000,00"})
    assert half.status_code == 400 and "Nommez l'étape dans les deux langues." in page(half)
    wrong = issue(
        procurement,
        **{
            "milestones-0-name_en": "Form",
            "milestones-0-name_fr": "Formulaire",
            "milestones-0-value": "5 000,00",
        },
    )
    assert wrong.status_code == 400
    assert "La somme des valeurs des étapes doit égaler la valeur du contrat" in page(wrong)
    response = issue(
        procurement,
        business_number="123456789",
        **{
            "milestones-0-name_en": "Form",
            "milestones-0-name_fr": "Formulaire",
            "milestones-0-value": "5 000,00",
            "milestones-1-name_en": "Tests",
            "milestones-1-name_fr": "Essais",
            "milestones-1-value": "3\u202f000,00",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/contracts/{NUMBER}"
    shown = page(procurement.get(f"/contracts/{NUMBER}"))
    assert f"Contrat {NUMBER}" in shown and "9\u00a0040,00\u00a0$" in shown
    assert "1. Formulaire" in shown and "Envoyer le contrat au fournisseur" in shown
    assert f'href="/contracts/{NUMBER}"' in page(procurement.get(f"/awards/{AWARDED}"))
    pdf = procurement.get(f"/contracts/{NUMBER}/documents/0.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    document = procurement.get(f"/contracts/{NUMBER}/documents/0.html")
    assert "default-src 'none'" in document.headers["Content-Security-Policy"]
    with sessions() as session:
        contract = session.scalars(select(Contract)).one()
        assert contract.supplier_business_number == "123456789"


def test_a_contract_is_carried_to_payment_through_the_panel(
    person: Person, sessions: sessionmaker[Session]
) -> None:
    procurement = person(Role.PROCUREMENT)
    assert issue(procurement).status_code == 302
    assert procurement.post(f"/contracts/{NUMBER}/send").status_code == 302
    signed = procurement.post(f"/contracts/{NUMBER}/signature", data={"signed_on": "2026-11-26"})
    assert signed.status_code == 302
    owner = person(Role.OWNER, language="fr")
    form = page(owner.get(f"/contracts/{NUMBER}"))
    assert "Consigner des travaux livrés" in form and "Accepter les travaux" not in form
    bad = owner.post(
        f"/contracts/{NUMBER}/deliveries",
        data={
            "milestone": "1",
            "url": "github.com/x",
            "invoice_number": "INV-7",
            "invoice_date": "2026-11-20",
            "invoice_received_on": "2026-11-21",
        },
    )
    assert bad.status_code == 400 and "Indiquez l'adresse de la demande de tirage" in page(bad)
    delivered = owner.post(
        f"/contracts/{NUMBER}/deliveries",
        data={
            "milestone": "1",
            "url": "https://github.com/example/forms/pull/12",
            "invoice_number": "INV-7",
            "invoice_date": "2026-11-20",
            "invoice_received_on": "2026-11-21",
            "attachments": "a.png, b.pdf",
        },
    )
    assert delivered.status_code == 302
    with sessions() as session:
        work_id = session.scalars(select(WorkDelivery.id)).one()
    certifier = person(Role.CERTIFIER)
    shown = page(certifier.get(f"/contracts/{NUMBER}"))
    assert "Accept the work (s.34)" in shown and "a.png, b.pdf" in shown
    decision = f"/contracts/{NUMBER}/deliveries/{work_id}/decision"
    owner_try = owner.post(decision, data={"decision": "accept"})
    assert owner_try.status_code == 403  # the access table: certifiers decide
    accepted = certifier.post(decision, data={"decision": "accept"}, follow_redirects=True)
    assert "Work accepted; its payment requisition goes to finance." in page(accepted)
    with sessions() as session:
        requisition = session.scalars(select(PaymentRequisition)).one()
    finance = person(Role.FINANCE)
    owed = page(finance.get("/contracts/")).split("What each department owes", 1)[1]
    owed = owed.split("</table>", 1)[0]
    assert '<th scope="row">TBS</th>' in owed and "$" in owed
    payment = f"/contracts/{NUMBER}/requisitions/{requisition.id}/payment"
    prefix = f"requisition{requisition.id}"
    missing = finance.post(payment, data={})
    assert missing.status_code == 400 and "Enter the payment date." in page(missing)
    paid = finance.post(
        payment,
        data={f"{prefix}-paid_on": "2026-11-26", f"{prefix}-reference": "P-1"},
        follow_redirects=True,
    )
    assert f"Payment of {NUMBER}-R1 confirmed." in page(paid)
    listed = page(finance.get("/contracts/"))
    assert "No payment is due." in listed and NUMBER in listed


def test_each_person_reads_the_contracts_of_their_own_departments(person: Person) -> None:
    assert issue(person(Role.PROCUREMENT)).status_code == 302
    elsewhere = person(Role.CERTIFIER, department="ESDC")
    assert elsewhere.get(f"/contracts/{NUMBER}").status_code == 403
    assert NUMBER not in page(elsewhere.get("/contracts/"))
    assert person(Role.ADMIN).get(f"/contracts/{NUMBER}").status_code == 200
    assert person(Role.FINANCE).get(f"/contracts/{NUMBER}").status_code == 200
    # Procurement of another department may not issue nor act.
    other = person(Role.PROCUREMENT, department="ESDC")
    refused = other.post(f"/contracts/{NUMBER}/send")
    assert refused.status_code == 403


def test_finance_imports_the_confirmation_file_and_sees_each_row(
    person: Person, sessions: sessionmaker[Session]
) -> None:
    assert issue(person(Role.PROCUREMENT)).status_code == 302
    owner = person(Role.OWNER)
    owner.post(
        f"/contracts/{NUMBER}/deliveries",
        data={
            "milestone": "1",
            "url": "https://github.com/example/forms/pull/12",
            "invoice_number": "INV-7",
            "invoice_date": "2026-11-20",
            "invoice_received_on": "2026-11-21",
        },
    )
    with sessions() as session:
        work_id = session.scalars(select(WorkDelivery.id)).one()
    person(Role.CERTIFIER).post(
        f"/contracts/{NUMBER}/deliveries/{work_id}/decision", data={"decision": "accept"}
    )
    finance = person(Role.FINANCE, language="fr")
    empty = finance.post("/contracts/payments/import", data={})
    assert empty.status_code == 400 and "Choisissez le fichier à importer." in page(empty)
    csv = (
        "requisition,paid_on,payment_reference\r\n"
        f"{NUMBER}-R1,2026-11-26,P-2\r\nX-R1,2026-11-26,\r\n"
    )
    response = finance.post(
        "/contracts/payments/import",
        data={"file": (io.BytesIO(csv.encode()), "paid.csv")},
        content_type="multipart/form-data",
    )
    shown = page(response)
    assert "Confirmés\u00a0: 1. Déjà confirmés\u00a0: 0. En erreur\u00a0: 1." in shown
    assert "line 3: no requisition" in shown
    with sessions() as session:
        assert session.scalars(select(PaymentRequisition.paid_on)).one() is not None


def test_an_administrator_words_the_terms_in_both_languages(person: Person) -> None:
    admin = person(Role.ADMIN, language="fr")
    shown = page(admin.get("/contracts/terms"))
    assert "Clause de licence, en français" in shown
    refused = admin.post("/contracts/terms", data={"payment_days": "45"})
    assert refused.status_code == 400 and "Entrez un nombre de jours de 1 à 30." in page(refused)
    saved = admin.post("/contracts/terms", data={"licence": "Apache-2.0"}, follow_redirects=True)
    assert "Clauses enregistrées" in page(saved)
    assert "Apache-2.0</textarea>" in page(admin.get("/contracts/terms"))


def test_an_amendment_on_the_award_issues_the_contract_amendment_at_once(
    person: Person, sessions: sessionmaker[Session]
) -> None:
    procurement = person(Role.PROCUREMENT)
    assert issue(procurement).status_code == 302
    response = procurement.post(
        f"/awards/{AWARDED}/amendments",
        data={"change": "1,130.00", "effective_on": "2026-12-01", "reason": "Two more pages"},
    )
    assert response.status_code == 302
    shown = page(procurement.get(f"/contracts/{NUMBER}"))
    assert "Amendment 1" in shown and "$10,170.00" in shown
    assert f"/contracts/{NUMBER}/documents/1.pdf" in shown


def test_the_opportunity_shows_its_contract_to_those_who_read_contracts(person: Person) -> None:
    procurement = person(Role.PROCUREMENT, language="fr")
    assert issue(procurement).status_code == 302
    shown = page(procurement.get(f"/opportunities/{AWARDED}"))
    assert f"Contrat {NUMBER}" in shown and "Contrat émis" in shown
    viewer = person(Role.VIEWER)
    assert NUMBER not in page(viewer.get(f"/opportunities/{AWARDED}"))
