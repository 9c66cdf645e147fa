"""a publication the marketplace refuses waits for an administrator instead of being retried

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bridge.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "publish_refused_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_column("publish_refused_at")
