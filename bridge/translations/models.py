"""The bridge's translations of marketplace texts: its own table, as the marketplace has none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base
from bridge.db.types import UTCDateTime


class Translation(Base):
    """The other official language of one text field of an opportunity.

    ``source_hash`` is the hash of the marketplace text this translation was made from: when the
    marketplace text changes, the hashes differ and the translation is outdated.
    """

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("opportunity_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    # "title", "description", …, or "addendum:<id>"
    field: Mapped[str] = mapped_column(String(60))
    source_language: Mapped[str] = mapped_column(String(2))
    target_language: Mapped[str] = mapped_column(String(2))
    source_text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text)
