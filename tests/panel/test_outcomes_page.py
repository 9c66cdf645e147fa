"""The Outcomes page: the figures of a known world in both languages, each chart with its data
table and CSV, a period typed wrong refused in the reader's language, and small cells hidden
from readers who may not read proposals."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.db.engine import transaction
from bridge.departments.models import Department
from tests.outcomes.world import NOW, build_world
from tests.panel.conftest import PASSWORD, sign_in


@pytest.fixture
def world(sessions: sessionmaker[Session], frozen_clock: Any) -> dict[str, str]:
    frozen_clock.move_to(NOW)
    return build_world(sessions)


def text(response: Any) -> str:
    return html.unescape(str(response.get_data(as_text=True)))


def test_the_figures_with_a_chart_and_a_table_each(
    world: dict[str, str], signed_in: Callable[..., FlaskClient]
) -> None:
    procurement = signed_in(Role.PROCUREMENT)
    page = text(procurement.get("/outcomes/?period=2026-2027-Q3&department=TBS"))
    assert page.count('src="data:image/svg+xml;base64,') == 3
    assert "<script" not in page.split("<main", 1)[1]
    assert "Drafting" in page and "Departmental review" in page and "Approval step 1" in page
    assert "2.5" in page and "3.7" in page  # drafting's median and 90th percentile
    assert "NS" in page and "fewer than 3" not in page  # procurement reads proposals
    assert "Award with no contract yet" in page and "Closes soon with no proposal" in page
    french = signed_in(Role.PROCUREMENT)
    french.post("/language/fr")
    page = text(french.get("/outcomes/?period=2026-2027-Q3&department=TBS"))
    assert "Rédaction" in page and "2,5" in page and "Qui reçoit les dollars" in page
    wrong = french.get("/outcomes/?period=last+quarter")
    assert wrong.status_code == 400 and "Entrez une année (2026)" in text(wrong)


def test_readers_who_may_not_read_proposals_see_no_small_cells(
    world: dict[str, str], signed_in: Callable[..., FlaskClient]
) -> None:
    viewer = signed_in(Role.VIEWER)
    page = text(viewer.get("/outcomes/?period=2026-2027-Q3"))
    assert "fewer than 3" in page and "9,040.00" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                viewer.get("/outcomes/provinces.csv?period=2026-2027-Q3")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[0] == ["Province or territory", "Awards", "Value"]
    assert ["NS", "fewer than 3", ""] in rows


def test_every_table_downloads_as_csv(
    world: dict[str, str], signed_in: Callable[..., FlaskClient]
) -> None:
    client = signed_in(Role.ADMIN)
    for table in ("stages", "trend", "provinces", "stuck", "warnings"):
        response = client.get(f"/outcomes/{table}.csv?period=2026-2027-Q3&department=TBS")
        assert response.status_code == 200 and response.mimetype == "text/csv", table
        assert f"outcomes-{table}-2026-2027-Q3.csv" in response.headers["Content-Disposition"]
    stages = client.get("/outcomes/stages.csv?period=2026-2027-Q3&department=TBS")
    rows = list(csv.reader(io.StringIO(stages.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1] == ["Drafting", "2", "2.5", "3.7", "2.5", "3.7"]
    assert client.get("/outcomes/nothing.csv").status_code == 404


def test_the_dashboard_counts_the_warnings_of_the_readers_departments(
    world: dict[str, str],
    signed_in: Callable[..., FlaskClient],
    app: Any,
    sessions: sessionmaker[Session],
) -> None:
    viewer = signed_in(Role.VIEWER)
    page = text(viewer.get("/"))
    board = page.split('id="warnings"', 1)[1].split("</section>", 1)[0]
    # B (TBS) and E (ESDC) awarded without a contract; C closing without a proposal.
    assert 'Award with no contract yet</th><td class="number">2</td>' in board
    assert 'Closes soon with no proposal</th><td class="number">1</td>' in board
    assert 'href="/outcomes/#early-warnings"' in board
    # An approver of ESDC alone: E only.
    with transaction(sessions) as session:
        esdc = session.scalars(select(Department.id).where(Department.acronym == "ESDC")).one()
        create_user(session, "esdc@hrsdc.gc.ca", "E", PASSWORD, [(Role.APPROVER, esdc)])
    approver = app.test_client()
    sign_in(approver, "esdc@hrsdc.gc.ca")
    approver.post("/language/fr")
    board = text(approver.get("/")).split('id="warnings"', 1)[1].split("</section>", 1)[0]
    assert "Attribution encore sans contrat" in board and "Alertes précoces" in board
    assert '<td class="number">1</td>' in board and "Se termine bientôt" not in board
    # An approver of a department with nothing stalling sees no such section.
    assert 'id="warnings"' not in text(signed_in(Role.APPROVER).get("/"))


def test_a_failed_open_data_delivery_is_named_by_its_quarter(
    world: dict[str, str],
    signed_in: Callable[..., FlaskClient],
    sessions: sessionmaker[Session],
) -> None:
    from bridge.exports.models import Delivery, DeliveryKind

    with transaction(sessions) as session:
        session.add(
            Delivery(
                kind=DeliveryKind.OUTCOMES.value,
                opportunity_id="2026-2027-Q2",
                revision=1,
                sink="webhook",
                idempotency_key="webhook:outcomes:2026-2027-Q2",
                payload={"kind": "outcomes", "period": "2026-2027-Q2", "rows": []},
                state="dead",
                last_error="HTTP 500",
            )
        )
    page = text(signed_in(Role.ADMIN).get("/awards/deliveries?state=dead"))
    assert "Outcome figures of 2026-2027-Q2 (open data)" in page
    assert 'href="/awards/2026-2027-Q2"' not in page


def test_long_lists_show_the_oldest_and_the_csv_holds_all(
    world: dict[str, str], signed_in: Callable[..., FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bridge.panel.views import outcomes as view

    monkeypatch.setattr(view, "LISTED", 1)
    procurement = signed_in(Role.PROCUREMENT)
    page = text(procurement.get("/outcomes/?period=2026"))
    warnings = page.split('id="early-warnings"', 1)[1]
    assert warnings.count('<tr><th scope="row">') == 1
    assert "The 1 oldest of 3 are listed; the CSV holds every one." in warnings
    rows = procurement.get("/outcomes/warnings.csv?period=2026").get_data(as_text=True)
    assert len(rows.strip().splitlines()) == 4  # the header and all three
