"""Shared test fixtures: a clean database per test on SQLite and on PostgreSQL, and the fake
marketplace.

Each test gets a database of its own, so tests run in any order and never see each other's rows.
The real migrations build one template per run and engine (a migration run costs about 0.4 s,
which every database test used to pay); each test's database is a copy of it: a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, dropped after. Under ``CI=true`` a
PostgreSQL that cannot be reached fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
import time_machine
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from bridge.audit import keeping
from bridge.db.engine import make_engine, session_factory
from bridge.db.migrate import upgrade
from bridge.marketplace.client import MarketplaceClient
from bridge.marketplace.retry import RetryPolicy
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import API, BASE_URL

POSTGRES_URL = os.environ.get(
    "BRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FIXED_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _postgres_admin_engine() -> Engine:
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return engine


def _database_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = _postgres_admin_engine()
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """A database the real migrations built, once per run: the template of every test's."""
    name = f"template_{uuid.uuid4().hex[:16]}"
    with postgres_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_database_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with postgres_admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the real migrations built, once per run (closed, so nothing is left in
    its write-ahead log)."""
    path = tmp_path_factory.mktemp("template") / "bridge.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A URL of an empty, migrated database that only this test uses."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "bridge.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    template: str = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        # A file copy: for a database this small, faster to make and to drop than the default.
        connection.execute(
            text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        )
    yield _database_url(name)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    return session_factory(db_engine)


@pytest.fixture(autouse=True)
def audit_keeping(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test writes its audit entries under a key of its own, with the chain's head kept
    in a directory of its own (the panel and the command line configure theirs from settings)."""
    keeping.configure(b"a test's audit key", tmp_path_factory.mktemp("audit") / keeping.HEAD_FILE)
    yield


@pytest.fixture
def frozen_clock() -> Iterator[time_machine.Traveller]:
    """The clock stopped at ``FIXED_NOW`` for the test and for all the code it runs (row stamps
    included), so a test that names a moment agrees with the code on what "now" is; the test
    moves it with ``shift`` or ``move_to``."""
    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake() -> FakeMarketplace:
    return FakeMarketplace.from_fixtures()


@pytest.fixture
def mocked(fake: FakeMarketplace) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(mocked: responses.RequestsMock, sleeps: list[float]) -> Iterator[MarketplaceClient]:
    policy = RetryPolicy(max_attempts=4, base_seconds=0.5, max_seconds=8, sleep=sleeps.append)
    with MarketplaceClient(API, "s%3Asession.signature", concurrency=4, retry=policy) as instance:
        yield instance


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, db_url: str, tmp_path: Path) -> Iterator[None]:
    """The command line's settings, from the environment as an operator sets them: the fake
    marketplace, the test's database and a data directory of its own."""
    for name in ("BRIDGE_MARKETPLACE_URL", "BRIDGE_MARKETPLACE_SESSION", "BRIDGE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIDGE_MARKETPLACE_URL", BASE_URL)
    monkeypatch.setenv("BRIDGE_MARKETPLACE_SESSION", "s%3Asession.signature")
    monkeypatch.setenv("BRIDGE_DATABASE_URL", db_url)
    monkeypatch.setenv("BRIDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIDGE_HTTP_MAX_ATTEMPTS", "1")
    yield
