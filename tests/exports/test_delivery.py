"""The export outbox: records enqueued once per sink and revision, a corrective delivery when a
record changes, a directory written atomically and identically again after a crash at any step,
and a flaky webhook (failing, stalling) that ends with every award delivered exactly once."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.sinks.directory import DirectorySink
from adapters.sinks.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    WebhookSink,
    verify,
)
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.exports import delivery as delivery_module
from bridge.exports.delivery import LEASE, SinkFailed, deliver_due, try_again
from bridge.exports.models import Delivery
from bridge.exports.outbox import drain, refresh
from bridge.settings import Settings, load_settings
from tests.conftest import FIXED_NOW
from tests.factories import create_amendment
from tests.fakes.receiver import Receiver, receiving
from tests.fakes.world import AWARDED

SECRET = b"shared secret between the bridge and procurement"
NOW = FIXED_NOW
# Every outbox row is stamped by the clock: it stands at NOW while a test runs.
pytestmark = pytest.mark.usefixtures("frozen_clock")


def export_settings(tmp_path: Path, *sinks: str, url: str = "https://x.test/") -> Settings:
    return load_settings(
        {},
        export_sinks=list(sinks),
        export_directory=tmp_path / "out",
        export_webhook_url=url,
        export_webhook_secret=SECRET.decode(),
    )


def deliveries(sessions: sessionmaker[Session]) -> list[tuple[str, int, str, int]]:
    with sessions() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id))
        return [(row.sink, row.revision, row.state, row.attempts) for row in rows]


def test_records_are_enqueued_once_and_corrected_when_they_change(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = export_settings(tmp_path, "directory", "webhook")
    drain(sessions, settings)  # the sync's "became awarded" event
    assert deliveries(sessions) == [("directory", 1, "pending", 0), ("webhook", 1, "pending", 0)]
    drain(sessions, settings)
    with transaction(sessions) as session:
        assert refresh(session, [AWARDED], settings) == 0  # nothing changed
        create_amendment(session, AWARDED, effective_on=NOW)
    with transaction(sessions) as session:
        assert refresh(session, [AWARDED], settings) == 2  # a corrective delivery per sink
    assert [row[:2] for row in deliveries(sessions)] == [
        ("directory", 1),
        ("webhook", 1),
        ("directory", 2),
        ("webhook", 2),
    ]
    with sessions() as session:
        latest = session.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
        assert latest is not None
        assert latest.payload["record"]["amendments"][0]["value_change"] == "500.00"
        assert latest.payload["disclosure_rows"][-1]["instrument_type"] == "A"
        assert latest.payload["ocds_releases"]


def read_batches(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.json"))}


@pytest.mark.parametrize("crash", ["before the sink", "after the sink, before the marking"])
def test_a_crash_loses_nothing_and_writes_nothing_twice(
    awarded: None,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash: str,
) -> None:
    settings = export_settings(tmp_path, "directory")
    drain(sessions, settings)
    sink = DirectorySink(settings.export_directory)

    class Crash(Exception):
        pass

    def crash_now(*_: Any, **__: Any) -> None:
        raise Crash

    if crash == "before the sink":
        monkeypatch.setattr(sink, "deliver", crash_now)
    else:
        monkeypatch.setattr(delivery_module, "_record", crash_now)
    with pytest.raises(Crash):
        deliver_due(sessions, [sink], max_attempts=5, now=NOW)
    monkeypatch.undo()
    first = read_batches(settings.export_directory) if settings.export_directory.exists() else {}
    # Leased: not sent again at once; sent again once the lease is over.
    assert deliver_due(sessions, [sink], max_attempts=5, now=NOW).delivered == 0
    report = deliver_due(sessions, [sink], max_attempts=5, now=NOW + LEASE + timedelta(seconds=1))
    assert report.delivered == 1
    files = read_batches(settings.export_directory)
    assert len(files) == 1  # one batch, one file: the retry rewrote the same one
    if first:
        assert files == first  # the same bytes under the same name
    [(name, body)] = files.items()
    manifest = (settings.export_directory / f"{name}.sha256").read_text()
    assert manifest == f"{hashlib.sha256(body).hexdigest()}  {name}\n"
    document = json.loads(body)
    assert [item["idempotency_key"] for item in document["deliveries"]] == [
        f"directory:{AWARDED}:1"
    ]
    assert deliveries(sessions) == [("directory", 1, "delivered", 2)]
    assert not list(settings.export_directory.glob(".*.tmp"))


def test_a_flaky_webhook_gets_every_award_once_and_signed(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path, mocked: Any
) -> None:
    receiver = Receiver(SECRET)
    receiver.script.extend(["fail", "stall"])  # a 500, then taken with its answer lost
    with receiving(receiver) as url:
        mocked.add_passthru(url)  # a real server: only the marketplace is mocked
        settings = export_settings(tmp_path, "webhook", url=url)
        drain(sessions, settings)
        sink = WebhookSink(url, SECRET, timeout=0.5)
        now = NOW
        outcomes = []
        for _ in range(4):
            report = deliver_due(sessions, [sink], max_attempts=5, now=now)
            outcomes.append((report.delivered, report.retrying))
            now += timedelta(hours=1)
    assert outcomes == [(0, 1), (0, 1), (1, 0), (0, 0)]
    assert list(receiver.accepted) == [f"webhook:{AWARDED}:1"]
    assert receiver.repeats == 1 and receiver.bad_signatures == 0  # the stalled one came again
    body = receiver.accepted[f"webhook:{AWARDED}:1"]
    assert body["record"]["supplier"]["legal_name"] == "Vendor One Ltd."
    assert deliveries(sessions) == [("webhook", 1, "delivered", 3)]


def test_a_receiver_that_refuses_every_attempt_leaves_a_dead_delivery_to_try_again(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path, mocked: Any
) -> None:
    receiver = Receiver(b"another secret: every signature is refused")
    with receiving(receiver) as url:
        mocked.add_passthru(url)
        settings = export_settings(tmp_path, "webhook", url=url)
        drain(sessions, settings)
        sink = WebhookSink(url, SECRET, timeout=2)
        now = NOW
        for _ in range(3):
            deliver_due(sessions, [sink], max_attempts=3, now=now)
            now += timedelta(hours=1)
    assert deliveries(sessions) == [("webhook", 1, "dead", 3)]
    assert receiver.bad_signatures == 3 and receiver.accepted == {}
    with transaction(sessions) as session:
        delivery_id = session.scalars(select(Delivery.id)).one()
        try_again(session, delivery_id, Actor.job("test"), now=now)
        with pytest.raises(LookupError):
            try_again(session, delivery_id, Actor.job("test"), now=now)
    assert deliveries(sessions) == [("webhook", 1, "retrying", 0)]


def test_a_directory_that_cannot_be_written_keeps_the_delivery_to_retry(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = export_settings(tmp_path, "directory")
    drain(sessions, settings)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the directory should be")
    report = deliver_due(sessions, [DirectorySink(blocked)], max_attempts=5, now=NOW)
    assert report.retrying == 1 and "cannot write" in report.errors[0]
    with sessions() as session:
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.state == "retrying" and delivery.last_error
        assert "cannot write" in delivery.last_error


def test_a_signed_request_replayed_later_is_refused_and_redirects_are_not_followed(
    awarded: None,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    mocked: Any,
    frozen_clock: time_machine.Traveller,
) -> None:
    sent: list[tuple[dict[str, str], bytes]] = []

    def capture(request: Any) -> tuple[int, dict[str, str], bytes]:
        sent.append((dict(request.headers), request.body))
        return 302, {"Location": "https://elsewhere.example/"}, b""

    mocked.add_callback("POST", "https://procurement.example/hook", callback=capture)
    settings = export_settings(tmp_path, "webhook", url="https://procurement.example/hook")
    drain(sessions, settings)
    sink = WebhookSink("https://procurement.example/hook", SECRET, timeout=2)
    report = deliver_due(sessions, [sink], max_attempts=5, now=NOW)
    assert report.retrying == 1 and "redirects are not followed" in report.errors[0]
    [(headers, body)] = sent  # one request: the redirect was not followed
    document = json.loads(body)
    assert document["batch"] and document["idempotency_key"] == f"webhook:{AWARDED}:1"
    timestamp, given = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert verify(SECRET, timestamp, body, given)
    assert not verify(SECRET, timestamp, body.replace(b'"batch"', b'"batcH"'), given)
    frozen_clock.shift(TOLERANCE + timedelta(seconds=1))
    assert not verify(SECRET, timestamp, body, given)  # a replay, too late


class CountingKeeper:
    """Keeps packages in memory; fails when told to."""

    def __init__(self) -> None:
        self.kept: list[dict[str, bytes]] = []
        self.failing = False

    def keep_packages(self, files: dict[str, bytes]) -> None:
        if self.failing:
            raise SinkFailed("disk full")
        self.kept.append(files)


def test_the_packages_are_built_again_only_when_a_record_changed(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from bridge.jobs.exports import ExportJobs

    keeper = CountingKeeper()
    jobs = ExportJobs(sessions, export_settings(tmp_path, "webhook"), [], [keeper])
    jobs.run()
    assert len(keeper.kept) == 1 and set(keeper.kept[0]) == {
        "release-package.json",
        "record-package.json",
    }
    jobs.run()
    assert len(keeper.kept) == 1  # nothing changed: nothing built
    with transaction(sessions) as session:
        create_amendment(session, AWARDED, effective_on=FIXED_NOW)
        refresh(session, [AWARDED], jobs.settings)
    keeper.failing = True
    report = jobs.run()
    assert report is not None and report.errors == ["disk full"]
    keeper.failing = False
    jobs.run()  # the failed write is tried again
    assert len(keeper.kept) == 2 and keeper.kept[1] != keeper.kept[0]


def test_packages_the_directory_cannot_hold_are_reported_and_written_later(
    awarded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from bridge.jobs.exports import ExportJobs

    settings = export_settings(tmp_path, "directory")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ocds").write_text("a file where the folder should be")
    jobs = ExportJobs(sessions, settings, [DirectorySink(settings.export_directory)])
    report = jobs.run()
    assert report is not None and report.delivered == 1
    assert [error.split(":")[0] for error in report.errors] == [
        f"cannot write {tmp_path / 'out' / 'ocds' / 'release-package.json'}"
    ]
    (tmp_path / "out" / "ocds").unlink()
    jobs.run()
    assert (tmp_path / "out" / "ocds" / "record-package.json").exists()
