"""exported award records and their delivery outbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 07:53:28.840637
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bridge.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_export_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_export_deliveries_due", ["state", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_export_deliveries_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "exported_awards",
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column(
            "record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "coding",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["awards.opportunity_id"],
            name=op.f("fk_exported_awards_opportunity_id_awards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_exported_awards")),
    )


def downgrade() -> None:
    op.drop_table("exported_awards")
    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_deliveries_opportunity_id"))
        batch_op.drop_index("ix_export_deliveries_due")

    op.drop_table("export_deliveries")
