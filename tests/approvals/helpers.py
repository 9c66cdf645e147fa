"""Running the bridge after approvals in tests: its settings, a run, what it wrote on the
marketplace and what it told people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bridge.jobs.runs import SyncService
from bridge.marketplace.client import MarketplaceClient
from bridge.notifications.models import Notification
from bridge.settings import Settings, load_settings
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import BASE_URL, UNDER_REVIEW


def bridge_settings(db_url: str, **overrides: Any) -> Settings:
    return load_settings(
        {
            "BRIDGE_MARKETPLACE_URL": BASE_URL,
            "BRIDGE_MARKETPLACE_SESSION": "s%3Aa.b",
            "BRIDGE_DATABASE_URL": db_url,
        },
        **overrides,
    )


def service(
    db_url: str, engine: Engine, client: MarketplaceClient, **overrides: Any
) -> SyncService:
    return SyncService(
        bridge_settings(db_url, **overrides), engine, client_factory=lambda _: client
    )


def tags(fake: FakeMarketplace) -> list[str]:
    return [body["tag"] for kind, key, body in fake.commands if key == UNDER_REVIEW]


def messages_to(sessions: sessionmaker[Session], address: str) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.recipient == address)
                .order_by(Notification.id)
            )
        )


@contextmanager
def opportunity_reads(engine: Engine) -> Iterator[list[str]]:
    """The statements that read the opportunities table while the block runs."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM opportunities" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
