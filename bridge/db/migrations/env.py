"""Alembic environment: runs on the engine the bridge hands over, online only."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from bridge.db.registry import metadata

config = context.config
engine: Engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
