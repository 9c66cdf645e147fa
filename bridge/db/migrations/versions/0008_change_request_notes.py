"""a request for changes remembers whether its note reached the marketplace

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 06:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_status", sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.drop_column("note_status")
