"""indexes the query planners use: live opportunities by update time, no index on "current"

The listing index of 0005 leads with ``removed_at``; PostgreSQL cannot return rows in list order
past a leading ``IS NULL`` test, so it sorted the whole table for every page. A partial index on
the live rows gives the order; SQLite keeps counting the live rows from the 0005 index. An index on ``rule_evaluations.current`` (true for nearly
every row) drew SQLite away from the per-opportunity index.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 06:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("removed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_opportunities_live",
        "opportunities",
        ["marketplace_updated_at", "id"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    with op.batch_alter_table("rule_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_evaluations_current")


def downgrade() -> None:
    with op.batch_alter_table("rule_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_rule_evaluations_current", ["current"], unique=False)
    op.drop_index("ix_opportunities_live", table_name="opportunities")
