"""The GC rule pages: settings (validation in both languages, audit, re-evaluation), the
attention list, findings on an opportunity, the translation editor, export and import."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.accounts.models import Role
from bridge.audit.models import AuditEntry
from bridge.marketplace.client import MarketplaceClient
from bridge.rules.pipeline import drain_pending
from bridge.rules.queries import current_evaluation
from bridge.rules.settings import load_rule_settings
from bridge.translations.models import Translation
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import PUBLISHED, UNDER_REVIEW
from tests.sync.helpers import make_sync
from tests.translations.helpers import filled_xliff

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")

SignedIn = Callable[..., FlaskClient]

VALID = {
    "cap_amount": "12,000.00",
    "amounts_include_taxes": "y",
    "tax_rate_percent": "13",
    "code_with_us_eligible": "y",
    "award_window_days": "365",
    "posting_window_days": "30",
    "similarity_threshold": "0.60",
    "length_ratio_low": "0.60",
    "length_ratio_high": "1.80",
}


def french(client: FlaskClient) -> FlaskClient:
    client.post("/language/fr")
    return client


def test_the_settings_page_shows_the_values_the_reader_s_way(signed_in: SignedIn) -> None:
    admin = signed_in(Role.ADMIN)
    english = admin.get("/rules/settings").get_data(as_text=True)
    assert 'value="10,000.00"' in english and 'inputmode="decimal"' in english
    assert 'value="10\u00a0000,00"' in french(admin).get("/rules/settings").get_data(as_text=True)


def test_saving_the_cap_audits_and_re_evaluates(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    admin = signed_in(Role.ADMIN)
    with sessions() as session:
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None
        assert "cap.exceeded" in [finding.message_key for finding in evaluation.findings]
    response = admin.post("/rules/settings", data=VALID, follow_redirects=True)
    assert response.status_code == 200
    assert "opportunities re-evaluated" in response.get_data(as_text=True)
    with sessions() as session:
        assert str(load_rule_settings(session).cap_amount) == "12000.00"
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None
        assert "cap.exceeded" not in [finding.message_key for finding in evaluation.findings]
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "rule_setting.changed")
        ).one()
        assert entry.target_id == "cap_amount" and entry.after == {"value": "12000.00"}


def test_french_numbers_are_understood(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    admin = french(signed_in(Role.ADMIN))
    data = {**VALID, "cap_amount": "12 500,50", "tax_rate_percent": "14,975"}
    assert admin.post("/rules/settings", data=data).status_code == 302
    with sessions() as session:
        settings = load_rule_settings(session)
        assert str(settings.cap_amount) == "12500.50"
        assert str(settings.tax_rate) == "0.1498"


def test_invalid_settings_say_what_is_wrong_in_the_reader_s_language(signed_in: SignedIn) -> None:
    admin = signed_in(Role.ADMIN)
    bad = {**VALID, "cap_amount": "-5", "length_ratio_high": "0.50", "award_window_days": ""}
    response = admin.post("/rules/settings", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a number from 0.01 to" in page
    assert "Must be greater than the shortest plausible translation." in page
    assert "Enter a number of days." in page
    assert 'aria-invalid="true"' in page
    french_page = french(admin).post("/rules/settings", data=bad).get_data(as_text=True)
    assert "Entrez un nombre de jours." in french_page


def test_only_administrators_reach_the_settings(signed_in: SignedIn) -> None:
    for role in (Role.OPERATOR, Role.TRANSLATOR, Role.VIEWER):
        assert signed_in(role).post("/rules/settings", data=VALID).status_code == 403


def test_the_attention_list_shows_findings_in_both_languages(signed_in: SignedIn) -> None:
    viewer = signed_in(Role.VIEWER)
    page = viewer.get("/rules/attention").get_data(as_text=True)
    assert "opportunities need attention" in page and "The French version is missing." in page
    page = french(viewer).get("/rules/attention").get_data(as_text=True)
    assert "La version en français est manquante." in page


def test_an_opportunity_shows_its_findings(signed_in: SignedIn) -> None:
    viewer = signed_in(Role.VIEWER)
    page = viewer.get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "GC rules" in page and "Blocking" in page and "The French version is missing." in page
    assert "The contract value, $12,000.00, is over the cap of $10,000.00 by $2,000.00." in page
    assert "Edit the translations" not in page  # a viewer does not translate
    page = french(viewer).get(f"/opportunities/{UNDER_REVIEW}").get_data(as_text=True)
    assert "dépasse le plafond de 10\u00a0000,00\u00a0$ de 2\u00a0000,00\u00a0$" in page


def test_the_editor_saves_previews_and_refuses_oversized_text(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    translator = signed_in(Role.TRANSLATOR)
    url = f"/opportunities/{UNDER_REVIEW}/translations"
    page = translator.get(url).get_data(as_text=True)
    assert 'name="text-title"' in page and 'lang="fr"' in page and "Missing" in page

    preview = translator.post(url, data={"text-title": "**Titre** en français", "preview": "1"})
    assert preview.status_code == 200
    assert "<strong>Titre</strong>" in preview.get_data(as_text=True)
    with sessions() as session:
        assert session.scalars(select(Translation)).first() is None  # a preview saves nothing

    too_long = translator.post(url, data={"text-title": "x" * 100_001})
    assert too_long.status_code == 400
    assert "Shorten this text" in too_long.get_data(as_text=True)

    saved = translator.post(url, data={"text-title": "Outil de facturation accessible"})
    assert saved.status_code == 302
    with sessions() as session:
        row = session.scalars(select(Translation)).one()
        assert (row.field, row.text, row.target_language) == (
            "title",
            "Outil de facturation accessible",
            "fr",
        )
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.trigger == "translation"
        missing = [f.field for f in evaluation.findings if f.message_key == "bilingual.missing"]
        assert "title" not in missing


def test_export_then_import_a_csv_round_trip(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    translator = signed_in(Role.TRANSLATOR)
    exported = translator.get("/translations/export?format=csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data().decode("utf-8-sig"))))
    title_row = next(row for row in rows if row["unit_id"] == f"{UNDER_REVIEW}/title")
    title_row["target_text"] = "Titre traduit par le Bureau de la traduction"
    unknown = {**title_row, "unit_id": "00000000-0000-0000-0000-000000000000/title"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(title_row))
    writer.writeheader()
    writer.writerows([title_row, unknown])
    upload = (io.BytesIO(buffer.getvalue().encode("utf-8")), "back.csv")
    response = translator.post(
        "/translations/", data={"file": upload}, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 translation saved." in page
    assert "No such text" in page
    with sessions() as session:
        saved = session.scalars(select(Translation)).one()
        assert saved.text == "Titre traduit par le Bureau de la traduction"


@pytest.mark.parametrize("department", ["x\r\nSet-Cookie: stolen=1", 'a"; filename="evil.exe'])
def test_the_export_file_name_never_echoes_the_query(signed_in: SignedIn, department: str) -> None:
    exported = signed_in(Role.TRANSLATOR).get(
        "/translations/export", query_string={"format": "csv", "department": department}
    )
    assert exported.status_code == 200 and "Set-Cookie" not in str(
        exported.headers.get_all("Content-Disposition")
    )
    disposition = exported.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=gc-bridge-translations-all-")
    assert "evil" not in disposition and "stolen" not in disposition
    esdc = signed_in(Role.TRANSLATOR).get(
        "/translations/export", query_string={"format": "csv", "department": "ESDC"}
    )
    assert "gc-bridge-translations-ESDC-" in esdc.headers["Content-Disposition"]


def test_an_import_without_a_file_says_so_in_french(signed_in: SignedIn) -> None:
    translator = french(signed_in(Role.TRANSLATOR))
    response = translator.post("/translations/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choisissez un fichier à importer." in response.get_data(as_text=True)


def test_xliff_export_is_offered_for_one_direction(signed_in: SignedIn) -> None:
    exported = signed_in(Role.ADMIN).get("/translations/export?format=xliff")
    assert exported.status_code == 200
    body = exported.get_data(as_text=True)
    assert "urn:oasis:names:tc:xliff:document:2.0" in body and f"{UNDER_REVIEW}/title" in body


def test_editor_and_import_errors_in_both_languages(signed_in: SignedIn) -> None:
    translator = signed_in(Role.TRANSLATOR)
    url = f"/opportunities/{UNDER_REVIEW}/translations"
    english = translator.post("/translations/", data={}, content_type="multipart/form-data")
    assert "Choose a file to import." in english.get_data(as_text=True)
    french(translator)
    too_long = translator.post(url, data={"text-title": "x" * 100_001})
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 400
    assert "Raccourcissez ce texte à 100" in page and 'aria-invalid="true"' in page
    broken = translator.post(
        "/translations/",
        data={"file": (io.BytesIO(b"<not xliff"), "retour.xlf")},
        content_type="multipart/form-data",
    )
    assert "Le fichier n'est pas un document XLIFF 2.0." in broken.get_data(as_text=True)


def test_with_the_scheduler_the_re_evaluation_runs_in_the_background(
    app: Flask, signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    launched: list[str] = []
    app.config["BRIDGE_LAUNCH_REEVALUATION"] = launched.append
    admin = signed_in(Role.ADMIN)
    page = admin.post("/rules/settings", data=VALID, follow_redirects=True).get_data(as_text=True)
    assert "Every opportunity is being judged again" in page
    assert launched == ["settings"]
    with sessions() as session:  # saved and committed before the job starts
        assert str(load_rule_settings(session).cap_amount) == "12000.00"
        evaluation = current_evaluation(session, UNDER_REVIEW)
        assert evaluation is not None and evaluation.trigger != "settings"


def test_xliff_holds_one_direction_and_csv_may_hold_both(
    signed_in: SignedIn, sessions: sessionmaker[Session]
) -> None:
    from bridge.sync.models import Opportunity

    french_source = "05e8604f-703a-43ea-9cb5-308dc2053be6"
    with sessions() as session, session.begin():
        opportunity = session.get(Opportunity, french_source)
        assert opportunity is not None
        opportunity.title = "Créer un formulaire Web accessible pour les demandeurs"
        opportunity.teaser = (
            "Le Ministère cherche une personne pour créer un formulaire accessible."
        )
        opportunity.description = (
            "Le formulaire permet aux demandeurs de téléverser leurs pièces justificatives "
            "et de suivre leur demande en ligne, en français comme en anglais."
        )
        rule_pipeline().evaluate(session, [french_source], "test")
    admin = signed_in(Role.ADMIN)
    refused = admin.get("/translations/export?format=xliff", follow_redirects=True)
    assert "choose a direction" in refused.get_data(as_text=True)
    answer = admin.get("/translations/export?format=csv&direction=")
    exported = answer.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    directions = {(row["source_language"], row["target_language"]) for row in rows}
    assert directions == {("en", "fr"), ("fr", "en")}


FRENCH_SOURCE = {
    "title": "Correctifs du système de gestion de contenu bilingue",
    "teaser": "Corriger les gabarits du système de gestion de contenu pour les deux langues.",
    "description": "Le ministère a besoin de correctifs pour les gabarits de son système de "
    "gestion de contenu, afin que chaque page paraisse dans les deux langues officielles.",
}


@pytest.mark.parametrize("direction", ["en-fr", "fr-en"])
def test_xliff_exports_one_direction_at_a_time_and_each_comes_back_in(
    signed_in: SignedIn,
    sessions: sessionmaker[Session],
    fake: FakeMarketplace,
    client: MarketplaceClient,
    direction: str,
) -> None:
    fake.opportunities["code-with-us"][PUBLISHED].update(FRENCH_SOURCE)  # written in French
    assert make_sync(client, sessions).run().ok
    drain_pending(sessions, rule_pipeline())
    translator = signed_in(Role.TRANSLATOR)
    both = translator.get("/translations/export?format=xliff&direction=", follow_redirects=True)
    assert "choose a direction" in both.get_data(as_text=True)
    exported = translator.get(f"/translations/export?format=xliff&direction={direction}")
    source, target = direction.split("-")
    document = exported.get_data()
    assert f'srcLang="{source}"'.encode() in document
    assert f'trgLang="{target}"'.encode() in document
    upload = (io.BytesIO(filled_xliff(document)), "back.xlf")
    answer = translator.post(
        "/translations/", content_type="multipart/form-data", data={"file": upload}
    )
    saved = re.search(r"(\d+) translations? saved", answer.get_data(as_text=True))
    assert saved is not None and int(saved.group(1)) > 0
    with sessions() as session:
        languages = set(session.scalars(select(Translation.target_language)))
    assert languages == {target}
