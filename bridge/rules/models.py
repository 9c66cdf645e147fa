"""Tables of the rule pipeline: settings, and findings per opportunity version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import UTCDateTime
from bridge.sync.models import Opportunity

UUID_LENGTH = 36


class RuleSetting(Base):
    """One rule setting; the bridge, not the marketplace, is their source of truth."""

    __tablename__ = "rule_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    # JSON text of the value: Decimals as strings, so no cent is lost on either database.
    value: Mapped[Any] = mapped_column(JSONDocument)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text, default="seed")


class RuleEvaluation(Base):
    """What the rules found for one version of an opportunity, at one moment.

    A new row is written when the version or the findings change; a re-evaluation that finds the
    same only moves ``evaluated_at``. So each version keeps the findings that held for it, and an
    approval can cite the evaluation it saw.
    """

    __tablename__ = "rule_evaluations"
    __table_args__ = (Index("ix_rule_evaluations_opportunity", "opportunity_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    trigger: Mapped[str] = mapped_column(String(40))
    findings_hash: Mapped[str] = mapped_column(String(64))
    blocking: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    # The latest evaluation of its opportunity: what the panel and the approvals read.
    # Not indexed alone: nearly every row is current, so such an index only misleads planners.
    current: Mapped[bool] = mapped_column(default=True)

    findings: Mapped[list[RuleFinding]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="RuleFinding.id"
    )
    opportunity: Mapped[Opportunity] = relationship()


class RuleFinding(Base):
    __tablename__ = "rule_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("rule_evaluations.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(8))
    field: Mapped[str | None] = mapped_column(String(60))
    message_key: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)

    evaluation: Mapped[RuleEvaluation] = relationship(back_populates="findings")
