"""marketplace mirror and sync bookkeeping

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:24:25.168881
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bridge.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_cursors",
        sa.Column("consumer", sa.String(length=60), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_event_cursors")),
    )
    op.create_table(
        "list_bookmarks",
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_list_bookmarks")),
    )
    op.create_table(
        "marketplace_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("job_title", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_users")),
    )
    with op.batch_alter_table("marketplace_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_users_email"), ["email"], unique=False)

    op.create_table(
        "opportunities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("teaser", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("remote_ok", sa.Boolean(), nullable=False),
        sa.Column("remote_desc", sa.Text(), nullable=False),
        sa.Column("submission_info", sa.Text(), nullable=False),
        sa.Column("acceptance_criteria", sa.Text(), nullable=False),
        sa.Column("evaluation_criteria", sa.Text(), nullable=False),
        sa.Column(
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("amount", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("proposal_deadline", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assignment_date", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("start_date", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completion_date", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("num_proposals", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.Column("updated_by_id", sa.String(length=36), nullable=True),
        sa.Column(
            "marketplace_created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "marketplace_updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("first_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proposals_synced_for", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
    )
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunities_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_opportunities_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_opportunities_status"), ["status"], unique=False)

    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("legal_name", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("mail_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_table(
        "quarantined_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_kind", sa.String(length=60), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("first_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.Column("resolved_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_records")),
        sa.UniqueConstraint(
            "record_kind", "record_key", name=op.f("uq_quarantined_records_record_kind")
        ),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column(
            "counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "http",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_runs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "awards",
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("proposal_id", sa.String(length=36), nullable=True),
        sa.Column("proponent_type", sa.String(length=12), nullable=False),
        sa.Column("proponent_id", sa.String(length=36), nullable=False),
        sa.Column("supplier_name", sa.Text(), nullable=False),
        sa.Column("supplier_email", sa.Text(), nullable=True),
        sa.Column("amount", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("awarded_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_awards_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("opportunity_id", name=op.f("pk_awards")),
    )
    op.create_table(
        "change_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("opportunity_kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_change_events_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_events")),
    )
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_events_opportunity", ["opportunity_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_change_events_type"), ["type"], unique=False)

    op.create_table(
        "opportunity_addenda",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_addenda_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_addenda")),
    )
    with op.batch_alter_table("opportunity_addenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_addenda_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "opportunity_history",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("type_tag", sa.String(length=10), nullable=False),
        sa.Column("type_value", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_opportunity_history_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_history")),
    )
    with op.batch_alter_table("opportunity_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opportunity_history_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "proposals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("proponent_type", sa.String(length=12), nullable=False),
        sa.Column("proponent_id", sa.String(length=36), nullable=True),
        sa.Column("proponent_name", sa.Text(), nullable=True),
        sa.Column("proponent_email", sa.Text(), nullable=True),
        sa.Column("score", bridge.db.types.ExactDecimal(14, 2), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("submitted_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "marketplace_created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "marketplace_updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stored_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_proposals_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_opportunity_id"), ["opportunity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_opportunity_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("opportunity_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_history_opportunity_id"))

    op.drop_table("opportunity_history")
    with op.batch_alter_table("opportunity_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunity_addenda_opportunity_id"))

    op.drop_table("opportunity_addenda")
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_events_type"))
        batch_op.drop_index("ix_change_events_opportunity")

    op.drop_table("change_events")
    op.drop_table("awards")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_started_at"))

    op.drop_table("sync_runs")
    op.drop_table("quarantined_records")
    op.drop_table("organizations")
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opportunities_status"))
        batch_op.drop_index(batch_op.f("ix_opportunities_kind"))
        batch_op.drop_index(batch_op.f("ix_opportunities_created_by_id"))

    op.drop_table("opportunities")
    with op.batch_alter_table("marketplace_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_users_email"))

    op.drop_table("marketplace_users")
    op.drop_table("list_bookmarks")
    op.drop_table("event_cursors")
