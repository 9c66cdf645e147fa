"""Runs the rules and keeps what they find, per opportunity version.

When: for every opportunity a sync changed (the change events, consumed through a cursor in the
same transaction as the findings, so a crash re-evaluates rather than skips), when a translation
of it is saved, and for every opportunity when a rule setting changes. Contract splitting links
opportunities, so the department's neighbours of a re-evaluated opportunity are re-evaluated too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.bulk import insert_rows, insert_rows_with_ids
from bridge.db.engine import transaction
from bridge.rules.builder import (
    POSTED_AT,
    ContextBuilder,
    DepartmentLookups,
    load_opportunities,
)
from bridge.rules.context import RuleContext
from bridge.rules.findings import Finding, Severity, findings_hash
from bridge.rules.interface import Rule
from bridge.rules.models import RuleEvaluation, RuleFinding
from bridge.rules.settings import load_rule_settings
from bridge.sync.events import drain, next_batch
from bridge.sync.models import ChangeEvent, EventCursor, Opportunity

log = logging.getLogger(__name__)

CURSOR = "rules"
EVALUATIONS = cast(Table, RuleEvaluation.__table__)
FINDINGS = cast(Table, RuleFinding.__table__)
EVENT_BATCH = 200


@dataclass
class EvaluationReport:
    events: int = 0
    evaluated: int = 0
    changed: int = 0


class RulePipeline:
    def __init__(self, rules: Sequence[Rule]) -> None:
        """``rules`` come from the adapters' registry (the domain imports no adapter)."""
        self.rules = tuple(rules)

    def judge(self, context: RuleContext) -> list[Finding]:
        """Every rule's findings, most severe first; a rule that crashes is itself a finding."""
        findings: list[Finding] = []
        for rule in self.rules:
            try:
                findings.extend(rule.evaluate(context))
            except Exception:
                log.exception("rule %s failed on %s", rule.name, context.opportunity_id)
                findings.append(Finding(rule.name, Severity.BLOCK, "rule.failed"))
        return sorted(findings, key=Finding.sort_key)

    def evaluate(
        self,
        session: Session,
        opportunity_ids: Iterable[str],
        trigger: str,
        *,
        now: datetime | None = None,
        neighbours: bool = True,
        lookups: DepartmentLookups | None = None,
    ) -> EvaluationReport:
        """Evaluate these opportunities and, with ``neighbours``, those splitting links them to;
        ``lookups`` shares the departments' rows with other calls of one pass."""
        now = now or utcnow()
        builder = ContextBuilder(session, load_rule_settings(session), now, lookups)
        report = EvaluationReport()
        asked = sorted(set(opportunity_ids))
        linked: set[str] = set()
        # The opportunities asked for, then (one level only) those splitting links them to.
        for ids, follow in ((asked, neighbours), (None, False)):
            batch_ids = (
                ids
                if ids is not None
                else sorted(linked - set(asked) - _awaiting_judgement(session, linked))
            )
            for start in range(0, len(batch_ids), EVENT_BATCH):
                chunk = batch_ids[start : start + EVENT_BATCH]
                judged: list[tuple[RuleContext, list[Finding]]] = []
                for context in builder.build_all(load_opportunities(session, chunk)):
                    judged.append((context, self.judge(context)))
                    if follow:  # right after judging: a rule may keep what it just compared
                        linked |= self._linked(context)
                report.evaluated += len(judged)
                report.changed += _store(session, judged, trigger, now)
        return report

    def _linked(self, context: RuleContext) -> set[str]:
        """Opportunities whose findings may change with this one's (contract splitting)."""
        found: set[str] = set()
        for rule in self.rules:
            related = getattr(rule, "related", None)
            if related is not None:
                found |= related(context)
        return found

    def evaluate_all(
        self, session: Session, trigger: str, now: datetime | None = None
    ) -> EvaluationReport:
        ids = session.scalars(select(Opportunity.id).where(Opportunity.removed_at.is_(None)))
        return self.evaluate(session, list(ids), trigger, now=now, neighbours=False)

    def evaluate_pending(self, session: Session, now: datetime | None = None) -> EvaluationReport:
        """Consume the change events not yet judged, one batch per call; the caller commits."""
        events = next_batch(session, CURSOR, EVENT_BATCH)
        if not events:
            return EvaluationReport()
        report = self.evaluate(session, {row.opportunity_id for row in events}, "sync", now=now)
        report.events = len(events)
        return report


def _store(
    session: Session,
    judged: Sequence[tuple[RuleContext, list[Finding]]],
    trigger: str,
    now: datetime,
) -> int:
    """A new evaluation where the version, the department or the findings changed; else only
    its time moves. Written with one statement per kind of change for the whole batch: a
    setting change rewrites thousands, and the unit of work spent more than the rules did.
    Returns how many opportunities got a new evaluation."""
    current = _current_evaluations(session, [context.opportunity_id for context, _ in judged])
    unchanged: list[int] = []
    superseded: list[int] = []
    new: list[tuple[dict[str, object], list[Finding]]] = []
    for context, findings in judged:
        digest = findings_hash(findings)
        latest = current.get(context.opportunity_id)
        if latest is not None and latest.stands_for(context, digest):
            unchanged.append(latest.id)
            continue
        if latest is not None:
            superseded.append(latest.id)
        row = {
            "opportunity_id": context.opportunity_id,
            "version": context.version,
            "department_id": context.department_id,
            "evaluated_at": now,
            "trigger": trigger,
            "findings_hash": digest,
            "blocking": sum(item.severity is Severity.BLOCK for item in findings),
            "warnings": sum(item.severity is Severity.WARN for item in findings),
            "current": True,
        }
        new.append((row, findings))
    if unchanged:
        session.execute(
            update(RuleEvaluation).where(RuleEvaluation.id.in_(unchanged)).values(evaluated_at=now)
        )
    if superseded:
        session.execute(
            update(RuleEvaluation).where(RuleEvaluation.id.in_(superseded)).values(current=False)
        )
    if new:
        ids = insert_rows_with_ids(session, EVALUATIONS, [row for row, _findings in new])
        findings_rows = [
            {
                "evaluation_id": evaluation_id,
                "rule": item.rule,
                "severity": item.severity.value,
                "field": item.field,
                "message_key": item.message_key,
                "params": item.params,
            }
            for evaluation_id, (_row, findings) in zip(ids, new, strict=True)
            for item in findings
        ]
        insert_rows(session, FINDINGS, findings_rows)
    return len(new)


def _awaiting_judgement(session: Session, ids: set[str]) -> set[str]:
    """Those of ``ids`` with changes the rules have not taken yet: their own turn judges them,
    with everything read by then, so judging them as neighbours now would be wasted."""
    if not ids:
        return set()
    cursor = session.get(EventCursor, CURSOR)
    return set(
        session.scalars(
            select(ChangeEvent.opportunity_id)
            .where(
                ChangeEvent.id > (cursor.last_event_id if cursor else 0),
                ChangeEvent.opportunity_id.in_(sorted(ids)),
            )
            .distinct()
        )
    )


class _Current(NamedTuple):
    """What decides whether an opportunity's current evaluation still stands."""

    id: int
    version: int
    findings_hash: str
    department_id: int | None

    def stands_for(self, context: RuleContext, digest: str) -> bool:
        """Same version, same department, same findings: no new evaluation is needed."""
        return (self.version, self.findings_hash, self.department_id) == (
            context.version,
            digest,
            context.department_id,
        )


def _current_evaluations(session: Session, ids: Sequence[str]) -> dict[str, _Current]:
    rows = session.execute(
        select(
            RuleEvaluation.opportunity_id,
            RuleEvaluation.id,
            RuleEvaluation.version,
            RuleEvaluation.findings_hash,
            RuleEvaluation.department_id,
        ).where(RuleEvaluation.opportunity_id.in_(list(ids)), RuleEvaluation.current.is_(True))
    )
    return {row[0]: _Current(*row[1:]) for row in rows}


def drain_pending(sessions: sessionmaker[Session], pipeline: RulePipeline) -> EvaluationReport:
    """Evaluate every pending change event, one transaction per batch (a crash loses nothing)."""
    total = EvaluationReport()

    def consume(session: Session) -> int:
        report = pipeline.evaluate_pending(session)
        total.events += report.events
        total.evaluated += report.evaluated
        total.changed += report.changed
        return report.events

    drain(sessions, consume)
    return total


def reevaluate_all(
    sessions: sessionmaker[Session], trigger: str, pipeline: RulePipeline
) -> EvaluationReport:
    """Judge every live opportunity again, one transaction per batch.

    For a settings change: short transactions keep the database open to the panel and the sync
    while thousands of opportunities are judged, and an interruption keeps what was done.
    """
    with sessions() as session:
        # In the order they were posted: neighbours compared for contract splitting are judged
        # close together, so each text's shingles are made once (bridge.text.similarity keeps
        # the recent ones).
        ids = list(
            session.scalars(
                select(Opportunity.id)
                .where(Opportunity.removed_at.is_(None))
                .order_by(POSTED_AT, Opportunity.id)
            )
        )
    total = EvaluationReport()
    lookups = DepartmentLookups()  # the run lock keeps the sync from moving them meanwhile
    for start in range(0, len(ids), EVENT_BATCH):
        with transaction(sessions) as session:
            report = pipeline.evaluate(
                session,
                ids[start : start + EVENT_BATCH],
                trigger,
                neighbours=False,
                lookups=lookups,
            )
        total.evaluated += report.evaluated
        total.changed += report.changed
    return total
