"""Departments, seeded from ``config/departments.toml`` and edited by administrators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.clock import utcnow
from bridge.db.base import Base, JSONDocument
from bridge.db.types import UTCDateTime


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    acronym: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_fr: Mapped[str] = mapped_column(Text)
    # Staff e-mail domains, lower case, without "@": how a marketplace user is routed here.
    email_domains: Mapped[list[str]] = mapped_column(JSONDocument, default=list)

    def name(self, language: str) -> str:
        return self.name_fr if language.startswith("fr") else self.name_en


class OpportunityDepartment(Base):
    """A department given to an opportunity by an administrator.

    Routing is by the author's e-mail domain; an author whose domain no department claims leaves
    the opportunity unrouted until an administrator assigns it here, which then wins.
    """

    __tablename__ = "opportunity_departments"

    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_by: Mapped[str] = mapped_column(Text)
