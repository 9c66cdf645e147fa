"""Engines and sessions: one URL decides between the embedded SQLite file and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bridge.db.types import SerializedJSON


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; for SQLite, the file's folder is created and WAL is switched on.

    WAL lets the panel read while a sync writes, and ``synchronous=NORMAL`` keeps commits cheap
    without risking corruption; foreign keys are off by default in SQLite and are switched on.
    """
    parsed = make_url(url)
    options.setdefault("json_serializer", _json_dumps)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _json_number(value: Any) -> Any:
    """Marketplace numbers are parsed as ``Decimal``; JSON columns keep them as numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_dumps(value: Any) -> str:
    if isinstance(value, SerializedJSON):
        return str(value)
    return json.dumps(value, default=_json_number)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def refresh_statistics(engine: Engine) -> None:
    """Let SQLite's query planner know the tables' shapes (PostgreSQL's autovacuum does this).

    Without statistics SQLite guesses, and guesses wrong once a table holds thousands of rows:
    a selective filter then walks a whole index. Run after each sync, it costs milliseconds.
    """
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole on success, rolled back whole on any exception."""
    with factory() as session, session.begin():
        yield session
