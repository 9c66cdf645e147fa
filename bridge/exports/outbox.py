"""Award records into the delivery outbox: one delivery per sink and record revision.

The sync's award events (became awarded, award changed) and the panel's edits (coding,
amendments, a termination) ask for a record to be built again. A record that differs from the
last one exported gets the next revision and a delivery to every configured sink, in the same
transaction; so nothing is enqueued twice and nothing is lost between building and sending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.exports.build import NotExportable, build_record, load_coding
from bridge.exports.formats.disclosure import (
    INDIVIDUAL_TABLE,
    individual_rows,
    load_table,
    validate,
)
from bridge.exports.formats.ocds import (
    PackageMetadata,
    Publisher,
    release_package,
    releases,
    validator,
)
from bridge.exports.formats.ocds_models import problems
from bridge.exports.models import Delivery, DeliveryKind, ExportedAward
from bridge.exports.record import AwardRecord, fingerprint, to_document
from bridge.settings import Settings
from bridge.sync.events import drain as drain_events
from bridge.sync.events import next_batch
from bridge.sync.models import Award, ChangeEventType

log = logging.getLogger(__name__)

CURSOR = "exports"
BATCH = 200
AWARD_EVENTS = frozenset(
    {ChangeEventType.BECAME_AWARDED.value, ChangeEventType.AWARD_CHANGED.value}
)


def idempotency_key(sink: str, opportunity_id: str, revision: int) -> str:
    return f"{sink}:{opportunity_id}:{revision}"


class InvalidExport(Exception):
    """The documents of a record break their format; nothing is delivered."""


@cache
def schema_check(schema_dir: Path) -> Callable[[dict[str, Any]], list[str]]:
    return validator(schema_dir)


def check_documents(payload: dict[str, Any], settings: Settings) -> list[str]:
    """The disclosure rows against the portal's table; the OCDS releases against the official
    schema (conformance) and against the bridge's typed models of them (what it means to emit,
    which the schema leaves optional)."""
    rows = validate(load_table(INDIVIDUAL_TABLE), payload["disclosure_rows"])
    found = [f"disclosure row {item.row} {item.field}: {item.message}" for item in rows]
    meta = PackageMetadata(
        f"urn:{settings.ocds_prefix}:check", utcnow(), Publisher(settings.ocds_publisher)
    )
    package = release_package(payload["ocds_releases"], meta)
    found += [f"ocds {problem}" for problem in schema_check(settings.ocds_schema_dir)(package)]
    for release in payload["ocds_releases"]:
        found += [f"ocds {release['id']} {problem}" for problem in problems(release)]
    return found


def payload_of(record: AwardRecord, revision: int, settings: Settings) -> dict[str, Any]:
    """What every sink receives for one revision: the record and both formats' documents,
    checked against their formats first."""
    payload = {
        "opportunity_id": record.opportunity_id,
        "revision": revision,
        "record": to_document(record),
        "ocds_releases": releases(record, settings.ocds_prefix),
        "disclosure_rows": individual_rows(record),
    }
    found = check_documents(payload, settings)
    if found:
        raise InvalidExport("; ".join(found[:5]))
    return payload


def current_record(session: Session, opportunity_id: str, settings: Settings) -> AwardRecord:
    """The record as it stands: built from the data, with staff coding and any termination."""
    exported = session.get(ExportedAward, opportunity_id)
    coding = load_coding()
    built = build_record(session, opportunity_id, settings.zone, coding)
    if exported is None:
        return built
    return replace(
        built, coding={**built.coding, **exported.coding}, canceled_on=exported.terminated_on
    )


def refresh(
    session: Session,
    opportunity_ids: Iterable[str],
    settings: Settings,
    now: datetime | None = None,
) -> int:
    """Build the records again; enqueue a delivery per sink for each that changed."""
    now = now or utcnow()
    enqueued = 0
    for opportunity_id in sorted(set(opportunity_ids)):
        if session.get(Award, opportunity_id) is None:
            continue
        exported = session.get(ExportedAward, opportunity_id)
        if exported is None:
            exported = ExportedAward(opportunity_id=opportunity_id, revision=0, coding={})
            session.add(exported)
        try:
            built = current_record(session, opportunity_id, settings)
        except NotExportable as problem:
            exported.problem = str(problem)
            continue
        mark = fingerprint(built)
        if mark == exported.fingerprint:
            exported.problem = None
            continue
        try:
            payload = payload_of(built, exported.revision + 1, settings)
        except InvalidExport as invalid:
            exported.problem = f"invalid export: {invalid}"
            log.warning("award %s not exported: %s", opportunity_id, invalid)
            continue
        exported.problem = None
        exported.revision += 1
        exported.fingerprint, exported.record = mark, to_document(built)
        exported.updated_at = now
        for sink in settings.export_sinks:
            session.add(
                Delivery(
                    opportunity_id=opportunity_id,
                    revision=exported.revision,
                    sink=sink,
                    idempotency_key=idempotency_key(sink, opportunity_id, exported.revision),
                    payload=payload,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            enqueued += 1
        revised = {"revision": exported.revision, "sinks": list(settings.export_sinks)}
        record(
            session,
            Actor.job("exports"),
            "export.record_revised",
            "award",
            opportunity_id,
            now=now,
            after=revised,
        )
    session.flush()
    return enqueued


def consume_events(session: Session, settings: Settings) -> int:
    """One batch of change events; the number consumed (0 when none are left)."""
    events = next_batch(session, CURSOR, BATCH)
    touched = [event.opportunity_id for event in events if event.type in AWARD_EVENTS]
    if touched:
        refresh(session, touched, settings)
    return len(events)


def drain(sessions: sessionmaker[Session], settings: Settings) -> int:
    return drain_events(sessions, partial(consume_events, settings=settings))


def exported_records(session: Session) -> Sequence[ExportedAward]:
    return list(
        session.scalars(
            select(ExportedAward)
            .where(ExportedAward.record.is_not(None))
            .order_by(ExportedAward.opportunity_id)
        )
    )


def retry_unexportable(session: Session, settings: Settings) -> int:
    """Build again the records that could not be built (a department assigned since, …)."""
    waiting = held_back_ids(session)
    return refresh(session, waiting, settings) if waiting else 0


def held_back_ids(session: Session) -> list[str]:
    """The awards whose record could not be built or delivered, and why is kept."""
    return list(
        session.scalars(
            select(ExportedAward.opportunity_id)
            .where(ExportedAward.problem.is_not(None))
            .order_by(ExportedAward.opportunity_id)
        )
    )


def delivery_states(session: Session, opportunity_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Opportunity → sink → the state of its latest delivery there (the awards list shows it)."""
    latest: dict[str, dict[str, str]] = {}
    rows = session.execute(
        select(Delivery.opportunity_id, Delivery.sink, Delivery.state)
        .where(
            Delivery.opportunity_id.in_(list(opportunity_ids)),
            Delivery.kind == DeliveryKind.AWARD_RECORD.value,
        )
        .order_by(Delivery.id)
    )
    for opportunity_id, sink, state in rows:
        latest.setdefault(opportunity_id, {})[sink] = state
    return latest
