"""Contracts issued from awards, the work delivered under them, and what is paid for it.

A contract is issued once per award and numbered per department and fiscal year; every document
issued under it (the contract, then each amendment) is kept as the bytes sent, with their hash.
Work is delivered and accepted milestone by milestone; each acceptance makes one payment
requisition, delivered through the export outbox and confirmed paid by finance.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import ExactDecimal, UTCDateTime


class Contract(Base):
    """The contract of one award, as issued; amounts as the issued documents state them."""

    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("department_id", "fiscal_year", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("awards.opportunity_id", ondelete="RESTRICT"), unique=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    fiscal_year: Mapped[str] = mapped_column(String(7))  # "2026-27": April to March
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_name: Mapped[str] = mapped_column(Text)
    supplier_email: Mapped[str | None] = mapped_column(Text)
    supplier_business_number: Mapped[str | None] = mapped_column(String(20))
    # The current value before taxes, the taxes and the total (the last document's).
    value: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    taxes: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    # The terms as they stood when it was issued (licence, IP, payment terms, in both languages).
    terms: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(Text)
    # The award's amendments up to this id were in its value when it was issued; each later
    # one gets a contract amendment.
    included_amendments_through: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_on: Mapped[date | None] = mapped_column(Date)


class ContractDocument(Base):
    """One document issued under a contract: the contract itself (0), then each amendment."""

    __tablename__ = "contract_documents"
    __table_args__ = (UniqueConstraint("contract_id", "amendment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    amendment: Mapped[int] = mapped_column(Integer)
    award_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_amendments.id", ondelete="RESTRICT"), unique=True
    )
    value: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    taxes: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # of the PDF; also in the audit log
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(Text)


class Milestone(Base):
    """A part of the work accepted and paid on its own; a contract has at least one."""

    __tablename__ = "contract_milestones"
    __table_args__ = (UniqueConstraint("contract_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name_en: Mapped[str] = mapped_column(Text)
    name_fr: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))  # before taxes


class WorkState(StrEnum):
    AWAITING = "awaiting"  # delivered; acceptance asked for
    ACCEPTED = "accepted"  # certified under section 34
    REFUSED = "refused"  # not accepted; the reason says why


class WorkDelivery(Base):
    """Work delivered for a milestone, the supplier's invoice for it, and the s.34 decision."""

    __tablename__ = "work_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("contract_milestones.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)  # the merged pull request or the commit
    note: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    invoice_number: Mapped[str] = mapped_column(String(60))
    invoice_date: Mapped[date] = mapped_column(Date)
    invoice_received_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=WorkState.AWAITING.value)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("panel_users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("panel_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class PaymentRequisition(Base):
    """What finance pays for an accepted delivery; delivered once to each sink."""

    __tablename__ = "payment_requisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    work_delivery_id: Mapped[int] = mapped_column(
        ForeignKey("work_deliveries.id", ondelete="RESTRICT"), unique=True
    )
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(50), unique=True)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))  # before taxes
    taxes: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    certified_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # What the sinks received: the requisition as a document.
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    confirmed_by: Mapped[str | None] = mapped_column(Text)  # an actor key (a user, an import)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("panel_users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContractTerm(Base):
    """An administrator's wording of one term, over the shipped one (``config/contracts.toml``)."""

    __tablename__ = "contract_terms"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text)


class ContractNote(Base):
    """A note for the opportunity's history on the marketplace (contract issued, work
    accepted), kept until it is written there once."""

    __tablename__ = "contract_notes"
    __table_args__ = (UniqueConstraint("contract_id", "event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))  # "issued", "accepted:<delivery id>"
    text: Mapped[str] = mapped_column(Text)
    # pending, sent, refused (by the marketplace or over its limit), unsupported (no notes)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
