"""Imports every domain's tables so that ``Base.metadata`` knows them all (for Alembic)."""

from __future__ import annotations

from sqlalchemy import MetaData

from bridge.accounts import models as account_models
from bridge.approvals import models as approval_models
from bridge.audit import models as audit_models
from bridge.awards import models as award_models
from bridge.contracts import models as contract_models
from bridge.db.base import Base
from bridge.departments import models as department_models
from bridge.exports import models as export_models
from bridge.notifications import models as notification_models
from bridge.rules import models as rule_models
from bridge.sync import models as sync_models
from bridge.translations import models as translation_models

DOMAIN_MODULES = (
    sync_models,
    department_models,
    account_models,
    audit_models,
    rule_models,
    translation_models,
    award_models,
    approval_models,
    notification_models,
    export_models,
    contract_models,
)


def metadata() -> MetaData:
    return Base.metadata
