"""contracts, deliveries of work, payment requisitions

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 12:12:08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bridge.db.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_terms",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_contract_terms")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=36), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.String(length=7), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("supplier_name", sa.Text(), nullable=False),
        sa.Column("supplier_email", sa.Text(), nullable=True),
        sa.Column("supplier_business_number", sa.String(length=20), nullable=True),
        sa.Column("value", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("taxes", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("total", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column(
            "terms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("issued_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Text(), nullable=False),
        sa.Column("included_amendments_through", sa.Integer(), nullable=True),
        sa.Column("sent_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_contracts_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["awards.opportunity_id"],
            name=op.f("fk_contracts_opportunity_id_awards"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint(
            "department_id", "fiscal_year", "sequence", name=op.f("uq_contracts_department_id")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
        sa.UniqueConstraint("opportunity_id", name=op.f("uq_contracts_opportunity_id")),
    )
    op.create_table(
        "contract_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("amendment", sa.Integer(), nullable=False),
        sa.Column("award_amendment_id", sa.Integer(), nullable=True),
        sa.Column("value", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("taxes", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("total", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_amendment_id"],
            ["award_amendments.id"],
            name=op.f("fk_contract_documents_award_amendment_id_award_amendments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_documents_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_documents")),
        sa.UniqueConstraint(
            "award_amendment_id", name=op.f("uq_contract_documents_award_amendment_id")
        ),
        sa.UniqueConstraint(
            "contract_id", "amendment", name=op.f("uq_contract_documents_contract_id")
        ),
    )
    with op.batch_alter_table("contract_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_documents_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "contract_milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_fr", sa.Text(), nullable=False),
        sa.Column("value", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_milestones_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_milestones")),
        sa.UniqueConstraint(
            "contract_id", "position", name=op.f("uq_contract_milestones_contract_id")
        ),
    )
    with op.batch_alter_table("contract_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_milestones_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "work_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "attachments",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("invoice_number", sa.String(length=60), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("invoice_received_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_work_deliveries_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["panel_users.id"],
            name=op.f("fk_work_deliveries_decided_by_id_panel_users"),
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["contract_milestones.id"],
            name=op.f("fk_work_deliveries_milestone_id_contract_milestones"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["panel_users.id"],
            name=op.f("fk_work_deliveries_requested_by_id_panel_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_deliveries")),
    )
    with op.batch_alter_table("work_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_work_deliveries_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_deliveries_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "payment_requisitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("work_delivery_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("amount", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("taxes", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("total", bridge.db.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("certified_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_reference", sa.String(length=60), nullable=True),
        sa.Column("confirmed_by", sa.Text(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", bridge.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["panel_users.id"],
            name=op.f("fk_payment_requisitions_confirmed_by_id_panel_users"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_payment_requisitions_contract_id_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["work_delivery_id"],
            ["work_deliveries.id"],
            name=op.f("fk_payment_requisitions_work_delivery_id_work_deliveries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_requisitions")),
        sa.UniqueConstraint("number", name=op.f("uq_payment_requisitions_number")),
        sa.UniqueConstraint(
            "work_delivery_id", name=op.f("uq_payment_requisitions_work_delivery_id")
        ),
    )
    with op.batch_alter_table("payment_requisitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_requisitions_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_requisitions_due_on"), ["due_on"], unique=False
        )

    op.create_table(
        "contract_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", bridge.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_notes_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_notes")),
        sa.UniqueConstraint("contract_id", "event", name=op.f("uq_contract_notes_contract_id")),
    )
    with op.batch_alter_table("contract_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_notes_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contract_notes_status"), ["status"], unique=False)

    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="award_record", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("export_deliveries", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("contract_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_notes_status"))
        batch_op.drop_index(batch_op.f("ix_contract_notes_contract_id"))

    op.drop_table("contract_notes")
    with op.batch_alter_table("payment_requisitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_requisitions_due_on"))
        batch_op.drop_index(batch_op.f("ix_payment_requisitions_contract_id"))

    op.drop_table("payment_requisitions")
    with op.batch_alter_table("work_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_deliveries_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_work_deliveries_contract_id"))

    op.drop_table("work_deliveries")
    with op.batch_alter_table("contract_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_milestones_contract_id"))

    op.drop_table("contract_milestones")
    with op.batch_alter_table("contract_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_documents_contract_id"))

    op.drop_table("contract_documents")
    op.drop_table("contracts")
    op.drop_table("contract_terms")
