"""Payment requisitions: made on acceptance, delivered exactly once to a directory (JSON and
CSV) and a webhook whatever crashes on the way, confirmed paid in the panel's service or from
the financial system's file, and due 30 days after the later of the invoice and the acceptance,
with reminders ahead of it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.sinks.directory import DirectorySink
from adapters.sinks.webhook import WebhookSink
from bridge.contracts import acceptance as acceptance_module
from bridge.contracts.acceptance import Invoice, decide
from bridge.contracts.due import due_payments, send_reminders, waiting_acceptances
from bridge.contracts.models import PaymentRequisition, WorkDelivery, WorkState
from bridge.contracts.requisitions import confirm_payment, due_on, import_confirmations
from bridge.db.engine import transaction
from bridge.exports import delivery as delivery_module
from bridge.exports.delivery import LEASE, Sink, deliver_due
from bridge.exports.models import Delivery, DeliveryKind
from bridge.notifications.models import Notification
from tests.conftest import FIXED_NOW
from tests.contracts.conftest import SECRET, People, contract_settings
from tests.contracts.helpers import delivered, issued, work
from tests.fakes.receiver import Receiver, receiving

NUMBER = "TBS-2026-27-0001"
REQUISITION = f"{NUMBER}-R1"


class Crash(Exception):
    pass


def crash_now(*_: Any, **__: Any) -> None:
    raise Crash


def accepted(sessions: sessionmaker[Session], people: People, settings: Any) -> int:
    work_id = delivered(sessions, people, issued(sessions, people))
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, work_id), settings, accept=True
        )
    return work_id


def outbox(sessions: sessionmaker[Session]) -> list[tuple[str, str, str, str]]:
    with sessions() as session:
        return [
            (row.kind, row.sink, row.idempotency_key, row.state)
            for row in session.scalars(select(Delivery).order_by(Delivery.id))
        ]


def test_a_requisition_reaches_the_directory_and_the_webhook_once(
    sessions: sessionmaker[Session], people: People, tmp_path: Path, mocked: Any
) -> None:
    receiver = Receiver(SECRET.encode())
    receiver.script.extend(["fail", "stall"])
    with receiving(receiver) as url:
        mocked.add_passthru(url)
        settings = contract_settings(tmp_path, "directory", "webhook", url=url)
        accepted(sessions, people, settings)
        sinks: list[Sink] = [
            DirectorySink(settings.export_directory),
            WebhookSink(url, SECRET.encode(), timeout=0.5),
        ]
        now = FIXED_NOW
        for _ in range(4):
            deliver_due(sessions, sinks, max_attempts=5, now=now)
            now += timedelta(hours=1)
    kind = DeliveryKind.PAYMENT_REQUISITION.value
    assert outbox(sessions) == [
        (kind, "directory", f"directory:requisition:{REQUISITION}", "delivered"),
        (kind, "webhook", f"webhook:requisition:{REQUISITION}", "delivered"),
    ]
    assert list(receiver.accepted) == [f"webhook:requisition:{REQUISITION}"]
    sent = receiver.accepted[f"webhook:requisition:{REQUISITION}"]["requisition"]
    assert (sent["amount"], sent["gst_hst"], sent["total"]) == ("8000.00", "1040.00", "9040.00")
    assert sent["certified_by"]["email"] == "cecile@tbs-sct.gc.ca"
    assert sent["invoice"] == {
        "number": "INV-0042",
        "date": "2026-11-20",
        "received_on": "2026-11-23",
    }
    # Accepted on the 26th, the invoice received on the 23rd: due 30 days after the 26th.
    assert (sent["certified_on"], sent["due_on"]) == ("2026-11-26", "2026-12-26")
    assert sent["coding"]["economic_object_code"]  # the award's financial coding
    [batch] = sorted(settings.export_directory.glob("directory-requisitions-*.json"))
    [table] = sorted(settings.export_directory.glob("directory-requisitions-*.csv"))
    document = json.loads(batch.read_text(encoding="utf-8"))
    assert [item["requisition"]["requisition"] for item in document["deliveries"]] == [REQUISITION]
    body = table.read_bytes()
    manifest = (table.parent / f"{table.name}.sha256").read_text()
    assert manifest == f"{hashlib.sha256(body).hexdigest()}  {table.name}\n"
    [row] = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert (row["requisition"], row["total"], row["due_on"]) == (
        REQUISITION,
        "9040.00",
        "2026-12-26",
    )
    assert row["supplier_name"] == "Vendor One Ltd." and row["certified_by"] == "cecile"
    assert not list(settings.export_directory.glob("directory-2*.json"))  # no award batch mixed in
    with transaction(sessions) as session:
        requisition = session.scalars(select(PaymentRequisition)).one()
        finance = people.get(session, "finance")
        confirm_payment(session, finance, requisition, date(2026, 11, 26), "PAY-1", settings)
    with sessions() as session:
        assert due_payments(session, date(2026, 11, 26)) == []


def test_a_crash_while_accepting_makes_no_requisition_and_the_retry_makes_one(
    sessions: sessionmaker[Session], people: People, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = contract_settings(tmp_path)
    work_id = delivered(sessions, people, issued(sessions, people))
    monkeypatch.setattr(acceptance_module, "work_decided", crash_now)  # after the requisition
    with pytest.raises(Crash), transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, work_id), settings, accept=True
        )
    monkeypatch.undo()
    assert outbox(sessions) == []
    with sessions() as session:
        assert work(session, work_id).state == WorkState.AWAITING
    with transaction(sessions) as session:
        decide(
            session, people.get(session, "certifier"), work(session, work_id), settings, accept=True
        )
    assert [key for _, _, key, _ in outbox(sessions)] == [f"directory:requisition:{REQUISITION}"]


@pytest.mark.parametrize("crash", ["before the sink", "after the sink, before the marking"])
def test_a_crash_while_delivering_writes_the_requisition_once(
    sessions: sessionmaker[Session],
    people: People,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    crash: str,
) -> None:
    settings = contract_settings(tmp_path)
    accepted(sessions, people, settings)
    sink = DirectorySink(settings.export_directory)
    if crash == "before the sink":
        monkeypatch.setattr(sink, "deliver", crash_now)
    else:
        monkeypatch.setattr(delivery_module, "_record", crash_now)
    with pytest.raises(Crash):
        deliver_due(sessions, [sink], max_attempts=5, now=FIXED_NOW)
    monkeypatch.undo()
    out = settings.export_directory
    first = {path.name: path.read_bytes() for path in out.glob("*")} if out.exists() else {}
    assert deliver_due(sessions, [sink], max_attempts=5, now=FIXED_NOW).delivered == 0  # leased
    later = FIXED_NOW + LEASE + timedelta(seconds=1)
    assert deliver_due(sessions, [sink], max_attempts=5, now=later).delivered == 1
    files = {path.name: path.read_bytes() for path in out.glob("*")}
    assert len([name for name in files if name.endswith(".json")]) == 1
    assert len([name for name in files if name.endswith(".csv")]) == 1
    if first:
        assert files == first  # the same bytes under the same names
    assert [state for *_, state in outbox(sessions)] == ["delivered"]


def test_finance_imports_the_confirmation_file_once(
    sessions: sessionmaker[Session], people: People, tmp_path: Path
) -> None:
    settings = contract_settings(tmp_path)
    accepted(sessions, people, settings)
    text = (
        "requisition,paid_on,payment_reference,total\r\n"
        f"{REQUISITION},2026-11-26,PAY-77,9040.00\r\n"
        "TBS-2026-27-0099-R1,2026-11-26,PAY-78,\r\n"
        f"{REQUISITION},26/11/2026,PAY-77,\r\n"
    )
    with transaction(sessions) as session:
        report = import_confirmations(session, text, "pay-2026-11-26.csv", settings)
    assert report.confirmed == [REQUISITION]
    assert [error.split(":")[0] for error in report.errors] == ["line 3", "line 4"]
    with transaction(sessions) as session:
        again = import_confirmations(session, text.replace(",9040.00", ","), "again.csv", settings)
        requisition = session.scalars(select(PaymentRequisition)).one()
    assert again.confirmed == [] and again.already == [REQUISITION]
    assert (requisition.paid_on, requisition.payment_reference) == (date(2026, 11, 26), "PAY-77")
    assert requisition.confirmed_by == "job:payments-import:pay-2026-11-26.csv"
    with transaction(sessions) as session:
        wrong = import_confirmations(session, "requisition,paid_on\r\n", "x.csv", settings)
    assert wrong.errors == ["missing columns: payment_reference"]


@pytest.mark.parametrize(
    ("received", "accepted_on", "due"),
    [
        (date(2026, 11, 23), date(2026, 11, 26), date(2026, 12, 26)),
        (date(2026, 11, 30), date(2026, 11, 26), date(2026, 12, 30)),
    ],
)
def test_payment_is_due_30_days_after_the_later_of_invoice_and_acceptance(
    received: date, accepted_on: date, due: date
) -> None:
    work_ = WorkDelivery(invoice_received_on=received)
    assert due_on(work_, accepted_on, 30) == due


def test_finance_is_reminded_ahead_of_the_due_date_once(
    sessions: sessionmaker[Session],
    people: People,
    tmp_path: Path,
    frozen_clock: time_machine.Traveller,
) -> None:
    settings = contract_settings(tmp_path)
    accepted(sessions, people, settings)  # due 26 December
    sent: list[tuple[str, list[str]]] = []
    for day in (date(2026, 12, 20), date(2026, 12, 21), date(2026, 12, 22), date(2026, 12, 27)):
        frozen_clock.move_to(f"{day.isoformat()}T15:00:00Z")
        with transaction(sessions) as session:
            send_reminders(session, settings)
            overdue = [item.overdue for item in due_payments(session, day)]
        with sessions() as session:
            recipients = list(
                session.scalars(
                    select(Notification.recipient)
                    .where(Notification.kind == "payment_due")
                    .order_by(Notification.recipient)
                )
            )
        sent.append((day.isoformat(), [*recipients, str(overdue)]))
    # Five days ahead (21 December) finance is told, once; overdue after the 26th.
    finance = ["fatima@tbs-sct.gc.ca", "max@tbs-sct.gc.ca"]
    assert sent == [
        ("2026-12-20", ["[False]"]),
        ("2026-12-21", [*finance, "[False]"]),
        ("2026-12-22", [*finance, "[False]"]),
        ("2026-12-27", [*finance, "[True]"]),
    ]


def test_certifiers_are_reminded_of_work_waiting_for_their_decision(
    sessions: sessionmaker[Session],
    people: People,
    tmp_path: Path,
    frozen_clock: time_machine.Traveller,
) -> None:
    settings = contract_settings(tmp_path)
    delivered(
        sessions,
        people,
        issued(sessions, people),
        invoice=Invoice("I-9", date(2026, 11, 2), date(2026, 11, 3)),
    )
    counts = []
    for day in ("2026-11-30", "2026-12-01", "2026-12-02"):
        frozen_clock.move_to(f"{day}T15:00:00Z")
        with transaction(sessions) as session:
            send_reminders(session, settings)
            [waiting] = waiting_acceptances(session, date.fromisoformat(day), settings)
        with sessions() as session:
            counts.append(
                len(
                    session.scalars(
                        select(Notification).where(Notification.kind == "acceptance_waiting")
                    ).all()
                )
            )
    # Asked on 26 November: five days later (1 December) the three certifiers, once.
    assert counts == [0, 3, 3]
    assert waiting.waiting_days == 6 and waiting.due_if_accepted_today == date(2027, 1, 1)
