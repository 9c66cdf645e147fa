"""departments assigned to unrouted opportunities

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 05:50:00.865991
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bridge.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opportunity_departments",
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_opportunity_departments_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_departments_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_opportunity_departments")),
    )
    with op.batch_alter_table("opportunity_departments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_departments_department_id"), ["department_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("opportunity_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_departments_department_id"))

    op.drop_table("opportunity_departments")
