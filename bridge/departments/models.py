"""Departments, seeded from ``config/departments.toml`` and edited by administrators."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.db.base import Base, JSONDocument


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
