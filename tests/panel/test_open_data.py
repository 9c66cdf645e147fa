"""The OCDS packages at /ocds/ for open-data harvesters: public, read-only, cached by ETag, the
same bytes as the export's files, and off when the setting says so."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.engine import transaction
from bridge.exports.models import ExportedAward
from bridge.exports.outbox import refresh
from bridge.exports.publication import build_packages
from bridge.panel import create_app
from bridge.settings import Settings
from tests.conftest import FIXED_NOW
from tests.exports.cove import passes
from tests.factories import create_amendment
from tests.fakes.world import AWARDED
from tests.panel.award_states import routed

# Every page here reads the marketplace data a sync brings.
pytestmark = pytest.mark.usefixtures("synced")


@pytest.fixture
def exported(
    app: Flask, synced: None, sessions: sessionmaker[Session], panel_settings: Settings
) -> None:
    routed(sessions)
    with transaction(sessions) as session:
        refresh(session, [AWARDED], panel_settings)
        assert (
            session.scalar(
                select(ExportedAward.record).where(ExportedAward.opportunity_id == AWARDED)
            )
            is not None
        )


@pytest.mark.usefixtures("exported")
def test_harvesters_read_the_packages_without_signing_in(
    app: Flask, sessions: sessionmaker[Session], panel_settings: Settings
) -> None:
    client = app.test_client()
    with sessions() as session:
        built = build_packages(session, panel_settings)
        assert built is not None
        files = built.files()
    for name in ("release-package.json", "record-package.json"):
        response = client.get(f"/ocds/{name}")
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.data == files[name]  # the bytes the export writes
        package = json.loads(response.data)
        assert passes(package)
        assert package["uri"] == f"urn:ocds-gcbrdg:{name}"
        assert "@" not in response.get_data(as_text=True)  # no e-mail address
        again = client.get(f"/ocds/{name}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    released = json.loads(files["release-package.json"])
    ids = {release["id"] for release in released["releases"]}
    for record in json.loads(files["record-package.json"])["records"]:
        for link in record["releases"]:  # each linked release is in the release package
            uri, _, release_id = link["url"].partition("#")
            assert uri == released["uri"] and release_id in ids
    assert client.get("/ocds/records.xml").status_code == 404


@pytest.mark.usefixtures("exported")
def test_the_packages_follow_a_change_of_the_records(
    app: Flask, sessions: sessionmaker[Session], panel_settings: Settings
) -> None:
    client = app.test_client()
    before = json.loads(client.get("/ocds/record-package.json").data)
    [record] = before["records"]
    assert record["ocid"] == f"ocds-gcbrdg-{AWARDED}"
    value = record["compiledRelease"]["contracts"][0]["value"]["amount"]
    with transaction(sessions) as session:
        create_amendment(session, AWARDED, effective_on=FIXED_NOW)
    with transaction(sessions) as session:
        assert refresh(session, [AWARDED], panel_settings) > 0
    [after] = json.loads(client.get("/ocds/record-package.json").data)["records"]
    assert after["compiledRelease"]["contracts"][0]["value"]["amount"] == value + 500


def test_the_endpoint_is_off_when_the_setting_says_so(app: Flask, panel_settings: Settings) -> None:
    settings = panel_settings.model_copy(update={"ocds_endpoint_enabled": False})
    closed = create_app(settings, app.config["BRIDGE_ENGINE"], testing=True)
    assert closed.test_client().get("/ocds/release-package.json").status_code == 404


def test_the_packages_name_where_they_are_published(panel_settings: Settings) -> None:
    from pydantic import AnyHttpUrl

    from bridge.exports.publication import packages_url

    served = panel_settings.model_copy(
        update={"panel_url": AnyHttpUrl("https://bridge.example.gc.ca/")}
    )
    assert packages_url(served) == "https://bridge.example.gc.ca/ocds/"
    portal = served.model_copy(
        update={"ocds_packages_url": AnyHttpUrl("https://open.canada.ca/data/ocds")}
    )
    assert packages_url(portal) == "https://open.canada.ca/data/ocds/"
    files_only = served.model_copy(update={"ocds_endpoint_enabled": False})
    assert packages_url(files_only) == "urn:ocds-gcbrdg:"
