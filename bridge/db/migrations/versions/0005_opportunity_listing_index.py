"""an index for the panel's opportunity list (live ones, most recently updated first)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunities_listing",
            ["removed_at", "marketplace_updated_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunities_listing")
