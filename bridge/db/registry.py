"""Imports every domain's tables so that ``Base.metadata`` knows them all (for Alembic)."""

from __future__ import annotations

from sqlalchemy import MetaData

from bridge.db.base import Base
from bridge.sync import models as sync_models

DOMAIN_MODULES = (sync_models,)


def metadata() -> MetaData:
    return Base.metadata
