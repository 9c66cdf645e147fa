"""Approval chains, the requests that follow them, and the decisions people make."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.accounts.models import PanelUser
from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import ExactDecimal, UTCDateTime

UUID_LENGTH = 36


class RequestStatus(StrEnum):
    OPEN = "open"  # steps are being decided
    CHANGES_REQUESTED = "changes_requested"  # waits for an edit on the marketplace
    APPROVED = "approved"  # every step approved; publication follows
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # the opportunity changed: a new request took over


class Decision(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"


# The panel users named on a step; a step naming nobody is decided by any approver of the
# department.
step_approvers = Table(
    "approval_step_approvers",
    Base.metadata,
    Column("step_id", ForeignKey("approval_steps.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("panel_users.id", ondelete="CASCADE"), primary_key=True),
)


class ApprovalStep(Base):
    """One step of a department's chain, in order."""

    __tablename__ = "approval_steps"
    __table_args__ = (UniqueConstraint("department_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(Text)
    name_fr: Mapped[str] = mapped_column(Text)
    # The step applies only above this contract value (an extra signature for larger work).
    min_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal(14, 2))

    approvers: Mapped[list[PanelUser]] = relationship(
        secondary=step_approvers, order_by="PanelUser.display_name"
    )

    def name(self, language: str) -> str:
        return self.name_fr if language.startswith("fr") else self.name_en


class ApprovalRequest(Base):
    """The approval of one version of an opportunity by its department."""

    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_opportunity", "opportunity_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN.value, index=True)
    # Who wrote the opportunity: they may not approve it.
    author_email: Mapped[str | None] = mapped_column(Text)
    # The content approved: what the marketplace must still hold when the bridge publishes.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the step now awaiting a decision started waiting, and the last reminder about it.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Publication, once approved: who let it go ("auto" under auto-publish, else the admin who
    # pressed publish), the content after the bilingual copy was written, and the attempts.
    publish_authorized_by: Mapped[str | None] = mapped_column(Text)
    copy_hash: Mapped[str | None] = mapped_column(String(64))
    # The bilingual copy (field → text in both languages) as it stood at the last approval:
    # what publication writes, whatever the translations say later.
    approved_copy: Mapped[dict[str, str] | None] = mapped_column(JSONDocument)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    publish_error: Mapped[str | None] = mapped_column(Text)
    # When the marketplace refused the publication for good (a 4xx): no run tries again until
    # an administrator, having fixed the cause, lets it go again.
    publish_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decisions: Mapped[list[ApprovalDecision]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ApprovalDecision.id"
    )


class ApprovalDecision(Base):
    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("request_id", "step_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(ForeignKey("approval_steps.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("panel_users.id"))
    user_name: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The findings the decider saw (the evaluation current when deciding).
    evaluation_id: Mapped[int | None] = mapped_column(ForeignKey("rule_evaluations.id"))
    # A request for changes is also written on the marketplace as a note: "pending", "sent",
    # "unsupported" (a kind whose history takes no notes), or "refused" (over the marketplace's
    # limit, or refused by it: never sent again, the reason in ``note_error``); None for
    # approvals.
    note_status: Mapped[str | None] = mapped_column(String(12))
    note_error: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ApprovalRequest] = relationship(back_populates="decisions")


class AlertStatus(StrEnum):
    OPEN = "open"
    CANCEL_PENDING = "cancel_pending"  # settings ask the bridge to cancel it on the marketplace
    CANCELED = "canceled"
    RESOLVED = "resolved"  # an administrator looked and closed it


class ApprovalAlert(Base):
    """A shortcut around the approval chain the bridge caught: a publication nobody approved."""

    __tablename__ = "approval_alerts"
    __table_args__ = (UniqueConstraint("opportunity_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(20), default=AlertStatus.OPEN.value, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancel_error: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(Text)
