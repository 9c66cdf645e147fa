"""Bulk inserts store exactly what an INSERT stores, on SQLite and on PostgreSQL (COPY)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.bulk import insert_rows, insert_rows_with_ids
from bridge.rules.models import RuleEvaluation, RuleFinding
from tests.factories import create_opportunity

EVALUATIONS = cast(Table, RuleEvaluation.__table__)
FINDINGS = cast(Table, RuleFinding.__table__)
# What COPY's text format must escape, and what JSON must: tabs, new lines, backslashes,
# quotes, French letters and spaces, an empty string.
AWKWARD = 'Tab\there, line\nbreak, back\\slash \\N, "quoted", élève\u00a0: 10\u202f000 $, '


def _evaluation(opportunity_id: str, version: int, moment: datetime) -> dict[str, Any]:
    return {
        "opportunity_id": opportunity_id,
        "version": version,
        "department_id": None,
        "evaluated_at": moment,
        "trigger": "test",
        "findings_hash": f"hash-{version}",
        "blocking": version % 2,
        "warnings": 0,
        "current": version % 2 == 0,
    }


def _stored(session: Session, table: Table, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows as the database gives them back, without their ids."""
    columns = [column for column in table.c if column.name != "id"]
    rows = session.execute(select(*columns).where(table.c.id.in_(ids)).order_by(table.c.id))
    return [tuple(row) for row in rows]


def test_ids_come_back_in_the_rows_order(sessions: sessionmaker[Session]) -> None:
    eastern = timezone(timedelta(hours=-5))
    with sessions.begin() as session:
        opportunity = create_opportunity(session, status="DRAFT")
        rows = [
            _evaluation(opportunity.id, version, datetime(2026, 11, version, 9, tzinfo=eastern))
            for version in range(1, 8)
        ]
        ids = insert_rows_with_ids(session, EVALUATIONS, rows)
    assert len(ids) == len(set(ids)) == 7
    with sessions() as session:
        for id_, row in zip(ids, rows, strict=True):
            stored = session.get_one(RuleEvaluation, id_)
            assert stored.version == row["version"]
            assert stored.current is row["current"]
            assert stored.evaluated_at == row["evaluated_at"]
            assert stored.evaluated_at.utcoffset() == timedelta(0)


def test_a_bulk_insert_stores_what_an_insert_stores(sessions: sessionmaker[Session]) -> None:
    moment = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)
    with sessions.begin() as session:
        opportunity = create_opportunity(session, status="DRAFT")
        first, second = insert_rows_with_ids(
            session,
            EVALUATIONS,
            [_evaluation(opportunity.id, 1, moment), _evaluation(opportunity.id, 2, moment)],
        )

    def findings(evaluation_id: int) -> list[dict[str, Any]]:
        return [
            {
                "evaluation_id": evaluation_id,
                "rule": "bilingual",
                "severity": "block",
                "field": field,
                "message_key": "bilingual.missing",
                "params": params,
            }
            for field, params in (
                ("title", {"text": AWKWARD, "count": 3, "nested": {"list": [1, "é"]}}),
                (None, {}),
                ("description", {"empty": "", "none": None}),
            )
        ]

    with sessions.begin() as session:
        session.execute(insert(FINDINGS), findings(first))
        insert_rows(session, FINDINGS, findings(second))
    with sessions() as session:
        by_insert = session.scalars(select(FINDINGS.c.id).where(FINDINGS.c.evaluation_id == first))
        by_bulk = session.scalars(select(FINDINGS.c.id).where(FINDINGS.c.evaluation_id == second))
        inserted, bulk = (_stored(session, FINDINGS, list(ids)) for ids in (by_insert, by_bulk))
    assert [row[1:] for row in bulk] == [row[1:] for row in inserted]
    # evaluation_id, rule, severity, field, message_key, params
    assert bulk[0][5]["text"] == AWKWARD
    assert bulk[1][3] is None
    assert bulk[2][5] == {"empty": "", "none": None}


def test_nothing_to_insert_touches_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        insert_rows(session, FINDINGS, [])
        assert insert_rows_with_ids(session, EVALUATIONS, []) == []
    with sessions() as session:
        assert session.scalars(select(RuleEvaluation)).all() == []


def test_bulk_rows_belong_to_the_session_s_transaction(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        opportunity_id = create_opportunity(session, status="DRAFT").id
    moment = datetime(2026, 11, 25, tzinfo=UTC)
    with pytest.raises(RuntimeError), sessions.begin() as session:
        insert_rows_with_ids(session, EVALUATIONS, [_evaluation(opportunity_id, 1, moment)])
        raise RuntimeError("the batch fails after its rows were written")
    with sessions() as session:
        assert session.scalars(select(RuleEvaluation)).all() == []
