"""Small builders and snapshots the sync tests share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.clock import utcnow
from bridge.db.registry import metadata
from bridge.marketplace.client import MarketplaceClient
from bridge.sync.engine import SyncEngine
from bridge.sync.models import ChangeEvent, Opportunity

# Bookkeeping that differs between two equivalent histories (ids of runs, event order).
VOLATILE_TABLES = {"sync_runs", "alembic_version"}
VOLATILE_COLUMNS = {
    ChangeEvent.__tablename__: {"run_id", "id"},
    Opportunity.__tablename__: {"fully_read_in_run"},
}


def make_sync(
    client: MarketplaceClient,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime] = utcnow,
    recheck_open_after: timedelta = timedelta(0),
) -> SyncEngine:
    """An engine on the bridge's clock (stopped where a test freezes it) that re-reads every
    still-open opportunity on each run."""
    return SyncEngine(client, sessions, clock=clock, recheck_open_after=recheck_open_after)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every domain row, comparable across runs: sorted, minus run bookkeeping."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata().sorted_tables:
            if table.name in VOLATILE_TABLES:
                continue
            volatile = VOLATILE_COLUMNS.get(table.name, set())
            columns = [column for column in table.columns if column.name not in volatile]
            rows = connection.execute(select(*columns)).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def wipe(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata().sorted_tables):
            connection.execute(delete(table))
