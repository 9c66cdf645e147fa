"""publication, the guard's alerts, step approvers and notifications

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 07:16:21.241447
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bridge.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "approval_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("raised_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancel_error", sa.Text(), nullable=True),
        sa.Column("resolved_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_approval_alerts_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_approval_alerts_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_alerts")),
        sa.UniqueConstraint(
            "opportunity_id", "kind", "version", name=op.f("uq_approval_alerts_opportunity_id")
        ),
    )
    with op.batch_alter_table("approval_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_alerts_status"), ["status"], unique=False)

    op.create_table(
        "approval_step_approvers",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["approval_steps.id"],
            name=op.f("fk_approval_step_approvers_step_id_approval_steps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["panel_users.id"],
            name=op.f("fk_approval_step_approvers_user_id_panel_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("step_id", "user_id", name=op.f("pk_approval_step_approvers")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("waiting_since", bridge.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reminded_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("publish_authorized_by", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("copy_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("publish_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("publish_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("published_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_column("published_at")
        batch_op.drop_column("publish_error")
        batch_op.drop_column("publish_attempts")
        batch_op.drop_column("copy_hash")
        batch_op.drop_column("publish_authorized_by")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("waiting_since")
        batch_op.drop_column("content_hash")

    op.drop_table("approval_step_approvers")
    with op.batch_alter_table("approval_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_alerts_status"))

    op.drop_table("approval_alerts")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_due")

    op.drop_table("notifications")
