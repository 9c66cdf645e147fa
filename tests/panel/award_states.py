"""States of the awarded opportunity the award and department pages start from, and what was
delivered; shared by those pages' tests."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.registry import rule_pipeline
from bridge.audit.service import Actor
from bridge.db.engine import transaction
from bridge.departments.models import Department
from bridge.departments.service import assign_department
from bridge.exports.models import Delivery, ExportedAward
from bridge.exports.outbox import refresh
from tests.fakes.world import AWARDED


def routed(sessions: sessionmaker[Session]) -> None:
    """Assigned to TBS by hand, and judged again, without building its record."""
    with transaction(sessions) as session:
        tbs = session.scalars(select(Department).where(Department.acronym == "TBS")).one()
        assign_department(session, AWARDED, tbs, Actor.job("test"))
        rule_pipeline().evaluate(session, [AWARDED], "department")


def held_back(app: Flask, sessions: sessionmaker[Session]) -> None:
    """The export job has tried the award: no department, so no record."""
    with transaction(sessions) as session:
        refresh(session, [AWARDED], app.config["BRIDGE_SETTINGS"])
        exported = session.get(ExportedAward, AWARDED)
        assert exported is not None and exported.problem and exported.record is None


def revisions(sessions: sessionmaker[Session]) -> list[tuple[str, int]]:
    """(sink, revision) of every delivery enqueued, oldest first."""
    with sessions() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id))
        return [(row.sink, row.revision) for row in rows]
