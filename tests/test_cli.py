"""The command line, end to end in-process against the fake marketplace and a real database."""

from __future__ import annotations

import json
import logging
import os
import re

import pytest
import responses

from bridge.logs import LOG_FORMAT, OneLineFormatter
from tests.cli import run
from tests.fakes.marketplace import FakeMarketplace


def test_sync_prints_a_summary_and_status_reports_counts(
    environment: None, mocked: responses.RequestsMock
) -> None:
    code, out, _ = run("sync")
    assert code == 0, out
    assert "succeeded" in out
    assert "opportunities code-with-us: new 6" in out

    code, out, _ = run("status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["opportunities"]["code-with-us"] == {
        "AWARDED": 1,
        "CANCELED": 1,
        "DRAFT": 1,
        "PUBLISHED": 2,
        "UNDER_REVIEW": 1,
    }
    assert report["opportunities"]["sprint-with-us"] == {"PUBLISHED": 1}
    assert report["opportunities"]["team-with-us"] == {"PUBLISHED": 1}
    assert report["proposals"]["code-with-us"] == {"AWARDED": 1, "NOT_AWARDED": 1}
    assert report["awards"] == 1
    assert report["quarantined"] == 0
    assert report["runs"][0]["outcome"] == "succeeded"

    code, out, _ = run("status")
    assert code == 0 and "awards: 1" in out


def test_records_a_sync_could_not_read_are_shown_behind_until_read(
    environment: None, mocked: responses.RequestsMock, fake: FakeMarketplace
) -> None:
    unread = "05e8604f-703a-43ea-9cb5-308dc2053be6"
    fake.fail(rf"^/opportunities/code-with-us/{unread}$", (503, {}, b""), times=10)
    code, out, err = run("sync")
    assert code == 0, out  # every list was read: the run succeeded, one record behind
    assert "succeeded" in out and "behind: 1 opportunities" in out and unread in err
    report = json.loads(run("status", "--json")[1])
    assert report["behind"] == 1 and report["runs"][0]["behind"] == 1
    [entry] = report["backlog"]
    assert (entry["id"], entry["kind"], entry["failures"]) == (unread, "code-with-us", 1)
    assert "503" in entry["error"]
    assert report["full_pass_since"] == report["runs"][0]["started_at"]  # the first pass is open
    assert "full re-read under way since" in run("status")[1]

    fake.failures.clear()
    assert run("sync")[0] == 0
    report = json.loads(run("status", "--json")[1])
    assert report["behind"] == 0 and report["backlog"] == [] and report["full_pass_since"] is None
    assert [run["full_pass_of"] for run in report["runs"]] == [report["runs"][1]["id"]] * 2


def test_a_failed_sync_exits_non_zero(
    environment: None, mocked: responses.RequestsMock, fake: FakeMarketplace
) -> None:
    fake.session = None
    code, out, err = run("sync")
    assert code == 1
    assert "failed" in out
    assert "Renew the marketplace session" in err


def test_check_reports_each_part(environment: None, mocked: responses.RequestsMock) -> None:
    code, out, _ = run("check")
    assert code == 0, out
    assert "marketplace: ok, session of Local Admin (ADMIN)" in out


def test_check_fails_on_an_expired_session(
    environment: None, mocked: responses.RequestsMock, fake: FakeMarketplace
) -> None:
    fake.session = None
    code, _, err = run("check")
    assert code == 1
    assert "expired" in err


def test_a_missing_setting_stops_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIDGE_MARKETPLACE_URL", raising=False)
    code, _, err = run("sync")
    assert code == 1
    assert "BRIDGE_MARKETPLACE_URL is not set" in err


def test_an_invalid_setting_stops_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_HTTP_CONCURRENCY", "many")
    code, _, err = run("status")
    assert code == 1
    assert "BRIDGE_HTTP_CONCURRENCY" in err


def test_db_upgrade_is_idempotent(environment: None) -> None:
    for _ in range(2):
        code, out, _ = run("db", "upgrade")
        assert code == 0
        revision, head = re.findall(r"revision (\w+) \(head (\w+)\)", out)[0]
        assert revision == head


def test_a_sink_without_its_settings_stops_serving_with_the_variable(
    environment: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_EXPORT_SINKS", "directory,webhook")
    for command in (("serve",), ("sync", "--schedule"), ("export",)):
        code, _, error = run(*command)
        assert code != 0 and "BRIDGE_EXPORT_WEBHOOK_URL" in error, command


PUBLISHED = {"title": "Form", "steps": "- Budget holder: Ada, December 1, 2026"}


def test_notify_sends_what_is_due_through_the_log(
    environment: None, caplog: pytest.LogCaptureFixture
) -> None:
    from bridge.db.engine import make_engine, session_factory, transaction
    from bridge.db.migrate import upgrade
    from bridge.notifications.outbox import enqueue

    engine = make_engine(os.environ["BRIDGE_DATABASE_URL"])
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        enqueue(session, "published", ["buyer@tbs-sct.gc.ca"], PUBLISHED, key="1")
    engine.dispose()
    with caplog.at_level("INFO", logger="bridge.notifications"):
        code, out, _ = run("notify")
    assert code == 0 and "sent: 1, to retry: 0, failed: 0" in out
    assert "(published) to someone at tbs-sct.gc.ca" in caplog.text
    assert "buyer@" not in caplog.text and "Publiée" not in caplog.text  # not at INFO
    with transaction(session_factory(engine)) as session:
        enqueue(session, "published", ["buyer@tbs-sct.gc.ca"], PUBLISHED, key="2")
    engine.dispose()
    with caplog.at_level("DEBUG", logger="bridge.notifications"):
        run("notify")
    assert "to buyer@tbs-sct.gc.ca: Published: Form / Publiée\u00a0: Form" in caplog.text


def test_a_log_line_cannot_be_forged_with_a_line_break() -> None:
    formatter = OneLineFormatter(LOG_FORMAT)
    title = "Form\n2026-12-02 12:00:00 INFO bridge.audit: approved by admin"
    record = logging.LogRecord("bridge.sync", logging.INFO, __file__, 1, "read %s", (title,), None)
    line = formatter.format(record)
    assert "\n" not in line and "Form\\n2026-12-02" in line


def test_users_create_limits_procurement_staff_to_the_departments_named(
    environment: None,
) -> None:
    from bridge.accounts.models import Role
    from bridge.accounts.service import user_by_email
    from bridge.db.engine import make_engine, session_factory
    from bridge.departments.service import all_departments
    from bridge.settings import load_settings

    arguments = ("users", "create", "--no-password", "--name", "Pat", "--role", "procurement")
    code, out, _ = run(*arguments, "--email", "pat@esdc-edsc.gc.ca", "--department", "ESDC")
    assert code == 0, out
    assert run(*arguments, "--email", "sam@tbs-sct.gc.ca")[0] == 0
    engine = make_engine(load_settings().effective_database_url)
    try:
        with session_factory(engine)() as session:
            ids = {department.acronym: department.id for department in all_departments(session)}
            pat = user_by_email(session, "pat@esdc-edsc.gc.ca")
            sam = user_by_email(session, "sam@tbs-sct.gc.ca")
            assert pat is not None and sam is not None
            assert pat.department_ids(Role.PROCUREMENT) == {ids["ESDC"]}
            assert sam.roles == {Role.PROCUREMENT} and sam.named_departments() == frozenset()
    finally:
        engine.dispose()


def test_the_console_script_runs_the_command_and_freezes_what_is_left(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from bridge.cli import run as console_script

    monkeypatch.setattr("sys.argv", ["gc-bridge", "--version"])
    threshold = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as ended:
            console_script()
        assert ended.value.code == 0
        assert "gc-bridge" in capsys.readouterr().out
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
