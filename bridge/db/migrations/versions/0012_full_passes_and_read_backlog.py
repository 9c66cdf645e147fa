"""a full refresh is a pass over as many runs as it takes; records a run could not read wait
in a backlog

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bridge.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fully_read_in_run", sa.Integer(), nullable=True))
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_pass_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("behind", sa.Integer(), nullable=False, server_default="0"))
    # A full run that succeeded before passes existed was a whole pass of its own.
    op.execute("UPDATE sync_runs SET full_pass_of = id WHERE \"full\" AND outcome = 'succeeded'")
    op.create_table(
        "sync_backlog",
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["sync_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("opportunity_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_backlog")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("behind")
        batch_op.drop_column("full_pass_of")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_column("fully_read_in_run")
