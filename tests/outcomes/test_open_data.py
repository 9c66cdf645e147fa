"""The quarter's outcome figures as open data: which quarter, what each row says (a known
world's answers), small cells suppressed, queued once per sink, and the CSV a directory sink
writes."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.sinks.directory import DirectorySink
from bridge.db.engine import transaction
from bridge.exports.delivery import deliver_due
from bridge.exports.models import Delivery
from bridge.outcomes.open_data import COLUMNS, figure_rows, quarter_before, queue_quarter
from bridge.outcomes.periods import parse_period
from bridge.settings import Settings, load_settings
from tests.outcomes.world import NOW, at, build_world

QUARTER = parse_period("2026-2027-Q3")  # October to December 2026
AFTER_IT = at("2027-01-04")


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> dict[str, str]:
    return build_world(sessions)


def _settings(tmp_path: Path, *, on: bool = True) -> Settings:
    return load_settings(
        {},
        outcomes_open_data=on,
        export_sinks=["directory"],
        export_directory=tmp_path / "out",
    )


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2026, 11, 20), "2026-2027-Q2"),
        (date(2027, 1, 4), "2026-2027-Q3"),
        (date(2027, 4, 1), "2026-2027-Q4"),
        (date(2026, 6, 30), "2025-2026-Q4"),
        (date(2026, 7, 1), "2026-2027-Q1"),
    ],
)
def test_the_quarter_sent_is_the_last_one_over(today: date, quarter: str) -> None:
    assert quarter_before(today).name == quarter


def _value(
    rows: list[dict[str, str]], department: str, figure: str, group: str, measure: str
) -> tuple[str, str]:
    (row,) = [
        row
        for row in rows
        if (row["department"], row["figure"], row["group"], row["measure"])
        == (department, figure, group, measure)
    ]
    return row["value"], row["suppressed"]


def test_every_figure_of_the_quarter_and_small_cells_suppressed(
    world: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions() as session:
        rows = figure_rows(session, _settings(tmp_path), QUARTER, NOW)
    assert all(row["period"] == "2026-2027-Q3" for row in rows)
    # A and B were drafted in October: 1 and 4 days to submit (the figures' own test).
    assert _value(rows, "ALL", "cycle_time_days", "drafting", "count") == ("2", "")
    assert _value(rows, "ALL", "cycle_time_days", "drafting", "median") == ("2.5", "")
    assert _value(rows, "TBS", "cycle_time_days", "drafting", "p90") == ("3.7", "")
    # One award to Nova Scotia and one to Ontario: too few to publish, the rows kept.
    assert _value(rows, "ALL", "awards_by_province", "NS", "value") == ("", "yes")
    assert _value(rows, "ALL", "awards_by_province", "ON", "awards") == ("", "yes")
    assert _value(rows, "ALL", "suppliers", "", "organizations") == ("2", "")
    assert _value(rows, "ALL", "suppliers", "", "individuals") == ("0", "")
    assert _value(rows, "ALL", "proposals", "", "opportunities_without_proposal") == ("2", "")
    # No name and no opportunity anywhere.
    text = repr(rows)
    assert "Halifax" not in text and "Ottawa Code" not in text
    assert not any(world_id in text for world_id in world.values())
    # Departments with nothing in the quarter add nothing.
    assert {row["department"] for row in rows} == {"ALL", "TBS"}


def test_queued_once_per_sink_after_the_quarter_and_written_as_csv(
    world: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    with transaction(sessions) as session:
        assert queue_quarter(session, _settings(tmp_path, on=False), AFTER_IT) == 0
        assert queue_quarter(session, settings, AFTER_IT) == 1
        assert queue_quarter(session, settings, AFTER_IT) == 0
    with sessions() as session:
        (delivery,) = session.scalars(select(Delivery)).all()
        assert delivery.idempotency_key == "directory:outcomes:2026-2027-Q3"
    with time_machine.travel(AFTER_IT, tick=False):
        report = deliver_due(sessions, [DirectorySink(settings.export_directory)], max_attempts=3)
    assert report.delivered == 1
    (written,) = (tmp_path / "out").glob("directory-outcomes-*.csv")
    assert (tmp_path / "out" / f"{written.name}.sha256").exists()
    table = list(csv.DictReader(io.StringIO(written.read_text("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS
    assert {
        "period": "2026-2027-Q3",
        "department": "ALL",
        "figure": "awards_by_province",
        "group": "NS",
        "measure": "awards",
        "value": "",
        "suppressed": "yes",
    } in table


def test_the_export_job_sends_the_quarter(
    world: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from bridge.jobs.exports import ExportJobs

    settings = _settings(tmp_path)
    with time_machine.travel(AFTER_IT, tick=False):
        ExportJobs(sessions, settings, [DirectorySink(settings.export_directory)]).run()
    assert list((tmp_path / "out").glob("directory-outcomes-*.csv"))


def test_the_email_sink_announces_the_quarter_in_both_languages(
    world: dict[str, str], sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from adapters.sinks.email import EmailSink
    from bridge.exports.delivery import Item
    from bridge.exports.models import DeliveryKind
    from tests.notifications.conftest import RecordingNotifier

    with sessions() as session:
        rows = figure_rows(session, _settings(tmp_path), QUARTER, NOW)
    payload = {"kind": "outcomes", "period": QUARTER.name, "rows": rows}
    notifier = RecordingNotifier()
    item = Item(3, "email:outcomes:2026-2027-Q3", payload, DeliveryKind.OUTCOMES.value)
    EmailSink(notifier, ["buyer@tbs-sct.gc.ca"]).deliver("email-outcomes-1", [item])
    (message,) = notifier.sent
    assert "Outcome figures for open data: 1 / " in message.subject
    assert f"- 2026-2027-Q3: {len(rows)}" in message.body
    assert "Each line gives a quarter and its number of figures." in message.body
    assert "moins de trois attributions sont masquées" in message.body
