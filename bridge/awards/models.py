"""Amendments to awarded contracts: value changes that count towards the cap."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base
from bridge.db.types import ExactDecimal, UTCDateTime


class AwardAmendment(Base):
    """A change of a contract's value after its award (positive or negative)."""

    __tablename__ = "award_amendments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("awards.opportunity_id", ondelete="CASCADE"), index=True
    )
    amount_change: Mapped[Decimal] = mapped_column(ExactDecimal(14, 2))
    reason: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(Text)
