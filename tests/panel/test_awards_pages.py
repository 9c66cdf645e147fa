"""The awards pages: the export record and its deliveries, procurement staff's coding,
amendments and termination (each a corrective delivery), disclosure report downloads and the
retry of dead deliveries, in both languages."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.exports.models import Delivery, ExportedAward
from bridge.sync.models import Opportunity
from bridge.translations.service import save_translation
from tests.factories import create_delivery, create_exported_award
from tests.fakes.world import AWARDED
from tests.panel.award_states import held_back, revisions, routed

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]


def test_procurement_completes_an_award_and_each_change_is_delivered_again(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    staff = signed_in(Role.PROCUREMENT)
    page = staff.get(f"/awards/{AWARDED}").get_data(as_text=True)
    assert "No export record yet: no department" in page
    routed(sessions)
    page = staff.get(f"/awards/{AWARDED}").get_data(as_text=True)
    assert "Vendor One Ltd." in page and "Save the coding" in page
    coding = {
        "economic_object_code": "0473",
        "commodity_code": "D302A",
        "solicitation_procedure": "OB",
        "trade_agreement": "XX",
    }
    answer = staff.post(f"/awards/{AWARDED}/coding", data=coding, follow_redirects=True)
    assert "Coding saved" in answer.get_data(as_text=True)
    assert revisions(sessions) == [("directory", 1)]
    refused = staff.post(f"/awards/{AWARDED}/coding", data={**coding, "commodity_type": "Z"})
    assert refused.status_code == 400
    assert "Not in its list: Z." in refused.get_data(as_text=True)
    assert revisions(sessions) == [("directory", 1)]
    staff.post("/language/fr")
    missing = staff.post(
        f"/awards/{AWARDED}/amendments", data={"change": "1 500,00"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Entrez la date d'entrée en vigueur." in missing.replace("&#39;", "'")
    amended = staff.post(
        f"/awards/{AWARDED}/amendments",
        data={"change": "1 500,00", "effective_on": "2027-01-05", "reason": "Deux pages de plus"},
        follow_redirects=True,
    )
    assert "Modification enregistrée" in amended.get_data(as_text=True)
    ended = staff.post(
        f"/awards/{AWARDED}/termination",
        data={"terminated_on": "2027-01-20"},
        follow_redirects=True,
    )
    assert "Résiliation enregistrée" in ended.get_data(as_text=True)
    assert revisions(sessions) == [("directory", 1), ("directory", 2), ("directory", 3)]
    listing = staff.get("/awards/").get_data(as_text=True)
    assert "Fichiers sur le serveur\u00a0: En attente de livraison" in listing
    viewer = signed_in(Role.VIEWER)
    assert viewer.post(f"/awards/{AWARDED}/coding", data=coding).status_code == 403


def test_reports_download_valid_files_and_say_why_not(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    routed(sessions)
    staff = signed_in(Role.PROCUREMENT)
    staff.post(f"/awards/{AWARDED}/export")  # its record, built and queued for delivery
    with sessions() as session:
        payload = session.scalars(select(Delivery.payload)).first()
        assert payload is not None
        period = payload["disclosure_rows"][0]["reporting_period"]
    answer = staff.get(f"/awards/reports?department=TBS&period={period}&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert f"disclosure-individual-{period}-TBS.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert [row["procurement_id"] for row in rows] == [AWARDED]
    other = staff.get(f"/awards/reports?department=ESDC&period={period}&format=csv")
    assert list(csv.DictReader(io.StringIO(other.get_data().decode("utf-8-sig")))) == []
    json_answer = staff.get("/awards/reports?department=TBS&period=2026&format=json")
    assert json_answer.status_code == 200 and json_answer.json is not None
    assert json_answer.json[0]["year"] == "2026"
    staff.post("/language/fr")
    bad = staff.get("/awards/reports?department=TBS&period=Q3&format=csv")
    assert bad.status_code == 400
    assert "Entrez un trimestre comme 2026-2027-Q3" in bad.get_data(as_text=True)


def test_a_dead_delivery_is_listed_and_tried_again(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        dead_id = create_delivery(session, AWARDED, attempts=8, last_error="HTTP 503").id
    operator = signed_in(Role.OPERATOR)
    listing = operator.get("/awards/deliveries").get_data(as_text=True)
    assert "HTTP 503" in listing and "Try again" in listing
    assert '<td lang="en">HTTP 503</td>' in listing  # the sink's own words, marked as English
    answer = operator.post(f"/awards/deliveries/{dead_id}/retry", follow_redirects=True)
    assert "tried again at the next export run" in answer.get_data(as_text=True)
    again = operator.post(f"/awards/deliveries/{dead_id}/retry", follow_redirects=True)
    assert "has not failed for good" in again.get_data(as_text=True)
    assert operator.post("/awards/deliveries/999999/retry").status_code == 404


def test_a_held_back_record_says_why(signed_in: SignedIn, sessions: sessionmaker[Session]) -> None:
    routed(sessions)
    with transaction(sessions) as session:
        problem = "invalid export: disclosure row 1 commodity_type"
        create_exported_award(session, AWARDED, problem=problem)
    staff = signed_in(Role.PROCUREMENT)
    staff.post("/language/fr")
    page = staff.get(f"/awards/{AWARDED}").get_data(as_text=True).replace("&#39;", "'")
    assert "Retenu\u00a0: ses documents ne respectent pas leur format" in page
    assert "commodity_type" in page


def test_routing_a_held_back_award_builds_and_delivers_it_at_once(
    app: Flask, signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    held_back(app, sessions)
    exports: list[str] = []
    app.config["BRIDGE_LAUNCH_EXPORT"] = exports.append
    with sessions() as session:
        tbs = session.scalars(select(Department.id).where(Department.acronym == "TBS")).one()
    admin = signed_in(Role.ADMIN)
    answer = admin.post(
        f"/departments/unrouted/{AWARDED}", data={"department": tbs}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Its award record is built. Delivery to every sink has started." in answer
    assert revisions(sessions) == [("directory", 1)] and exports == ["panel"]


def test_procurement_exports_now_and_learns_why_when_it_cannot(
    app: Flask, signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    held_back(app, sessions)
    staff = signed_in(Role.PROCUREMENT)
    staff.post("/language/fr")
    refused = staff.post(f"/awards/{AWARDED}/export", follow_redirects=True)
    text = refused.get_data(as_text=True).replace("&#39;", "'")
    assert "Le dossier ne peut pas encore être livré\u00a0: aucun ministère" in text
    routed(sessions)  # a department, but nobody asked for the record since
    staff.post("/language/en")
    listing = staff.get("/awards/").get_data(as_text=True)
    assert 'action="/awards/export"' in listing
    answer = staff.post("/awards/export", follow_redirects=True).get_data(as_text=True)
    assert "Deliveries of new record revisions queued: 1." in answer
    assert "Delivery follows at the next export run." in answer
    again = staff.post(f"/awards/{AWARDED}/export", follow_redirects=True)
    assert "No record changed since its last export." in again.get_data(as_text=True)
    assert revisions(sessions) == [("directory", 1)]
    assert 'action="/awards/export"' not in signed_in(Role.VIEWER).get("/awards/").get_data(
        as_text=True
    )


class FormValues(HTMLParser):
    """What a browser posts for the coding form as the page shows it: each input's value and
    each select's selected option (the first when none is selected)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = (found.get("action") or "").endswith("/coding")
        elif self.inside and tag == "input" and found.get("name"):
            self.values[found["name"] or ""] = found.get("value") or ""
        elif self.inside and tag == "select":
            self.select = found.get("name")
        elif (
            self.inside
            and tag == "option"
            and self.select
            and (self.select not in self.values or "selected" in found)
        ):
            self.values[self.select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def shown_coding(page: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(page)
    return parser.values


def test_the_coding_saved_as_shown_changes_nothing_and_a_refusal_keeps_what_was_typed(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    routed(sessions)
    staff = signed_in(Role.PROCUREMENT)
    shown = shown_coding(staff.get(f"/awards/{AWARDED}").get_data(as_text=True))
    assert shown["agreement_type_code"] == "" and shown["commodity_type"] == "S"
    answer = staff.post(f"/awards/{AWARDED}/coding", data=shown, follow_redirects=True)
    assert "The coding is unchanged; no new revision of the record." in answer.get_data(
        as_text=True
    )
    assert shown_coding(answer.get_data(as_text=True))["agreement_type_code"] == ""
    with sessions() as session:
        exported = session.get(ExportedAward, AWARDED)
        assert exported is None or exported.coding == {}
    staff.post("/language/fr")
    typed = {**shown, "economic_object_code": "47", "trade_agreement": "XX, ZZ"}
    refused = staff.post(f"/awards/{AWARDED}/coding", data=typed)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Entrez 3 ou 4 chiffres, ou NA." in page and "Absent de sa liste\u00a0: ZZ." in page
    kept = shown_coding(page)
    assert kept["economic_object_code"] == "47" and kept["trade_agreement"] == "XX, ZZ"
    assert "economic_object_code:" not in page and "trade_agreement:" not in page
    assert revisions(sessions) == []


def test_a_record_described_in_one_language_is_flagged_until_translated(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    routed(sessions)
    staff = signed_in(Role.PROCUREMENT)
    staff.post(f"/awards/{AWARDED}/export")
    assert "Description in one language" in staff.get("/awards/").get_data(as_text=True)
    detail = staff.get(f"/awards/{AWARDED}").get_data(as_text=True)
    assert "The disclosure needs a French description" in detail
    with transaction(sessions) as session:
        opportunity = session.get_one(Opportunity, AWARDED)
        save_translation(
            session, opportunity, "title", "Essai A de la passerelle (attribuée)", Actor.job("test")
        )
    staff.post(f"/awards/{AWARDED}/export")  # a corrected record
    assert "Description in one language" not in staff.get("/awards/").get_data(as_text=True)
    assert "needs a French description" not in staff.get(f"/awards/{AWARDED}").get_data(
        as_text=True
    )
