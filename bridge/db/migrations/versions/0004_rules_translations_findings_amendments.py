"""rule settings, translations, findings per version, award amendments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 04:57:58.383553
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bridge.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rule_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rule_settings")),
    )
    op.create_table(
        "rule_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("evaluated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("findings_hash", sa.String(length=64), nullable=False),
        sa.Column("blocking", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_rule_evaluations_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_rule_evaluations_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_evaluations")),
    )
    with op.batch_alter_table("rule_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_evaluations_current"), ["current"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rule_evaluations_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            "ix_rule_evaluations_opportunity", ["opportunity_id", "id"], unique=False
        )

    op.create_table(
        "translations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("source_language", sa.String(length=2), nullable=False),
        sa.Column("target_language", sa.String(length=2), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_translations_opportunity_id_opportunities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translations")),
        sa.UniqueConstraint("opportunity_id", "field", name=op.f("uq_translations_opportunity_id")),
    )
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_translations_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "award_amendments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("amount_change", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_on", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["awards.opportunity_id"],
            name=op.f("fk_award_amendments_opportunity_id_awards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_amendments")),
    )
    with op.batch_alter_table("award_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_award_amendments_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "rule_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("message_key", sa.String(length=60), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["rule_evaluations.id"],
            name=op.f("fk_rule_findings_evaluation_id_rule_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_findings")),
    )
    with op.batch_alter_table("rule_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rule_findings_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rule_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_findings_evaluation_id"))

    op.drop_table("rule_findings")
    with op.batch_alter_table("award_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_amendments_opportunity_id"))

    op.drop_table("award_amendments")
    with op.batch_alter_table("translations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_translations_opportunity_id"))

    op.drop_table("translations")
    with op.batch_alter_table("rule_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_evaluations_opportunity")
        batch_op.drop_index(batch_op.f("ix_rule_evaluations_department_id"))
        batch_op.drop_index(batch_op.f("ix_rule_evaluations_current"))

    op.drop_table("rule_evaluations")
    op.drop_table("rule_settings")
