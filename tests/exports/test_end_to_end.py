"""An award on the marketplace reaches procurement's directory: ``gc-bridge sync`` then
``gc-bridge export``, once, as valid disclosure rows and OCDS releases; and the checks that
stop a record whose documents would break their format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.sinks.email import EmailSink
from bridge.db.engine import transaction
from bridge.exports.delivery import Item
from bridge.exports.formats.disclosure import INDIVIDUAL_TABLE, load_table, validate
from bridge.exports.formats.ocds import PackageMetadata, Publisher, release_package, validator
from bridge.exports.models import Delivery, ExportedAward
from bridge.exports.outbox import drain, refresh
from bridge.exports.publication import PACKAGE_NAMES, RECORD_PACKAGE
from bridge.settings import load_settings
from tests.cli import run
from tests.exports.cove import passes
from tests.exports.samples import PUBLISHED, SCHEMA_DIR
from tests.factories import create_exported_award
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED
from tests.notifications.conftest import RecordingNotifier


@pytest.mark.usefixtures("environment")
def test_an_award_reaches_the_directory_once_as_valid_records(
    mocked: responses.RequestsMock, fake: FakeMarketplace, tmp_path: Path
) -> None:
    fake.move_author()  # the author works at TBS
    assert run("sync")[0] == 0
    out = tmp_path / "procurement"
    code, printed, _ = run("export", "--out", str(out), "--period", "2026-2027-Q3")
    assert code == 0, printed
    assert "delivered: 1, to retry: 0, dead: 0" in printed
    [batch] = sorted(out.glob("directory-*.json"))
    assert (out / f"{batch.name}.sha256").exists()
    [delivery] = json.loads(batch.read_text(encoding="utf-8"))["deliveries"]
    assert delivery["idempotency_key"] == f"directory:{AWARDED}:1"
    package = release_package(
        delivery["ocds_releases"], PackageMetadata("urn:test", PUBLISHED, Publisher("TBS"))
    )
    assert validator(SCHEMA_DIR)(package) == []
    assert validate(load_table(INDIVIDUAL_TABLE), delivery["disclosure_rows"]) == []
    # One report per department with awards: the award is TBS's.
    assert sorted(path.name for path in out.glob("disclosure-*")) == [
        "disclosure-individual-2026-2027-Q3-TBS.csv",
        "disclosure-individual-2026-2027-Q3-TBS.json",
    ]
    report = (out / "disclosure-individual-2026-2027-Q3-TBS.csv").read_text(encoding="utf-8-sig")
    assert AWARDED in report
    code, printed, _ = run("export", "--out", str(out), "--period", "2026", "--department", "ESDC")
    assert code == 0 and (out / "disclosure-aggregate-2026-ESDC.csv").exists()
    assert run("export", "--period", "2026", "--department", "NOPE")[0] != 0
    packages = {name: out / "ocds" / name for name in PACKAGE_NAMES}
    for path in packages.values():
        package = json.loads(path.read_text(encoding="utf-8"))
        assert validator(SCHEMA_DIR)(package) == [] and passes(package), path.name
        assert package["uri"] == f"urn:ocds-gcbrdg:{path.name}"  # no public address set
        assert (path.parent / f"{path.name}.sha256").exists()
    records = json.loads(packages[RECORD_PACKAGE].read_text(encoding="utf-8"))["records"]
    assert [record["ocid"] for record in records] == [f"ocds-gcbrdg-{AWARDED}"]
    written = {path: path.stat().st_mtime_ns for path in packages.values()}
    code, printed, _ = run("export", "--out", str(out))  # nothing new: nothing sent again
    assert "delivered: 0" in printed and sorted(out.glob("directory-*.json")) == [batch]
    assert {path: path.stat().st_mtime_ns for path in packages.values()} == written
    assert run("export", "--period", "last quarter")[0] != 0


def test_a_record_whose_documents_break_their_format_is_held_back(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(sessions) as session:
        create_exported_award(session, AWARDED, coding={"commodity_type": "Z"})
    settings = load_settings({}, export_directory=tmp_path)
    drain(sessions, settings)
    with sessions() as session:
        exported = session.get(ExportedAward, AWARDED)
        assert exported is not None and exported.revision == 0
        assert exported.problem and "commodity_type" in exported.problem
        assert session.scalars(select(Delivery)).all() == []
    with transaction(sessions) as session:  # fixed by procurement staff: exported
        exported = session.get(ExportedAward, AWARDED)
        assert exported is not None
        exported.coding = {}
        strict = load_settings({}, export_directory=tmp_path, ocds_schema_dir=SCHEMA_DIR)
        assert refresh(session, [AWARDED], strict) == 1  # checked by the official schema


def test_the_email_sink_sends_one_bilingual_message_per_recipient() -> None:
    notifier = RecordingNotifier()
    record = {
        "title_en": "Form",
        "title_fr": "Formulaire",
        "original_value": "30000.00",
        "supplier": {"legal_name": "Vendor One Ltd."},
    }
    payload = {"revision": 1, "record": record}
    sink = EmailSink(notifier, ["buyer@tbs-sct.gc.ca", "lead@tbs-sct.gc.ca"])
    outcome = sink.deliver("email-1", [Item(7, "email:x:1", payload)])
    assert outcome == {7: None}
    assert [message.recipient for message in notifier.sent] == [
        "buyer@tbs-sct.gc.ca",
        "lead@tbs-sct.gc.ca",
    ]
    message = notifier.sent[0]
    assert "Award records for reporting: 1 / Dossiers d'attribution" in message.subject
    assert "Form / Formulaire — Vendor One Ltd. — 30000.00 $" in message.body
    assert message.reference == "email-1"
