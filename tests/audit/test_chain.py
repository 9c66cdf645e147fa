"""The audit chain's keeping outside the database: a head that only moves forward once a
transaction commits, a missing tail detected, and keys generated for their owner alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit import keeping
from bridge.audit.service import Actor, record, verify
from bridge.db.engine import transaction
from bridge.settings import load_settings


def test_the_head_is_written_when_the_entry_commits_and_only_moves_forward(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        first = record(session, Actor.job("test"), "test.one", "thing", 1)
        assert keeping.read_head() is None  # not before the commit
    assert keeping.read_head() == keeping.Head(first.id, first.hash)

    with pytest.raises(RuntimeError), transaction(sessions) as session:
        record(session, Actor.job("test"), "test.lost", "thing", 2)
        raise RuntimeError("rolled back")
    assert keeping.read_head() == keeping.Head(first.id, first.hash)

    with transaction(sessions) as session:
        second = record(session, Actor.job("test"), "test.two", "thing", 3)
    keeping._write_head(keeping.Head(first.id, first.hash))  # a slower process, late
    assert keeping.read_head() == keeping.Head(second.id, second.hash)
    with sessions() as session:
        assert verify(session) is None


def test_an_emptied_log_is_a_broken_chain(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        entry = record(session, Actor.job("test"), "test.one", "thing", 1)
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER audit_log_no_delete"))
        session.execute(text("DELETE FROM audit_log"))
    with sessions() as session:
        broken = verify(session)
    assert broken is not None and broken.entry_id == entry.id and "missing" in broken.reason


def test_an_entry_cannot_be_written_before_the_chain_is_configured(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keeping, "_keeping", None)
    with pytest.raises(keeping.NotConfigured), transaction(sessions) as session:
        record(session, Actor.job("test"), "test.one", "thing", 1)


def test_generated_keys_are_readable_by_their_owner_alone(tmp_path: Path) -> None:
    settings = load_settings({}, data_dir=tmp_path / "data")
    audit_key, cookie_key = settings.audit_secret(), settings.panel_secret()
    assert len(audit_key) >= 32 and audit_key != cookie_key
    assert settings.audit_secret() == audit_key  # generated once
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for name in ("audit_key", "secret_key"):
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600
