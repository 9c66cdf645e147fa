"""Rule settings: typed and validated, stored in the database, seeded from ``config/rules.toml``.

They live in the database rather than in the bridge's start-up settings because administrators
change them at run time, each change is audited, and every change re-evaluates the opportunities
it affects.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.rules.models import RuleSetting
from bridge.settings import PROJECT_ROOT

SEED_FILE = PROJECT_ROOT / "config" / "rules.toml"


def _places(places: int) -> AfterValidator:
    """One spelling per value ("0.13" and "0.1300" are one tax rate), so changes are real ones."""
    step = Decimal(1).scaleb(-places)
    return AfterValidator(lambda value: value.quantize(step))


Money = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2), _places(2)]
Ratio = Annotated[Decimal, Field(gt=0, le=10, max_digits=5, decimal_places=2), _places(2)]
Rate = Annotated[Decimal, Field(ge=0, lt=1, max_digits=6, decimal_places=4), _places(4)]
Share = Annotated[Decimal, Field(gt=0, le=1, decimal_places=2), _places(2)]

KIND_ELIGIBILITY = {
    "code-with-us": "code_with_us_eligible",
    "sprint-with-us": "sprint_with_us_eligible",
    "team-with-us": "team_with_us_eligible",
}


class RuleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cap_amount: Money = Decimal("10000.00")
    amounts_include_taxes: bool = True
    tax_rate: Rate = Decimal("0.1300")
    code_with_us_eligible: bool = True
    sprint_with_us_eligible: bool = False
    team_with_us_eligible: bool = False
    award_window_days: Annotated[int, Field(ge=1, le=1825)] = 365
    posting_window_days: Annotated[int, Field(ge=1, le=365)] = 30
    similarity_threshold: Annotated[Decimal, Field(gt=0, le=1, decimal_places=2)] = Decimal("0.60")
    length_ratio_low: Ratio = Decimal("0.60")
    length_ratio_high: Ratio = Decimal("1.80")

    @model_validator(mode="after")
    def _ratios_in_order(self) -> RuleSettings:
        if self.length_ratio_low >= self.length_ratio_high:
            raise ValueError("length_ratio_low must be below length_ratio_high")
        return self

    def eligible(self, kind: str) -> bool:
        return bool(getattr(self, KIND_ELIGIBILITY[kind]))

    def stored(self) -> dict[str, Any]:
        """The values as stored and audited: JSON, Decimals as exact strings."""
        return self.model_dump(mode="json")


def seed_rule_settings(session: Session, path: Path = SEED_FILE) -> int:
    """Store the shipped values of the settings the database does not have; never overwrite."""
    with path.open("rb") as handle:
        seeded = RuleSettings.model_validate(tomllib.load(handle)).stored()
    known = set(session.scalars(select(RuleSetting.key)))
    missing = {key: value for key, value in seeded.items() if key not in known}
    session.add_all(RuleSetting(key=key, value=value) for key, value in missing.items())
    session.flush()
    return len(missing)


def load_rule_settings(session: Session) -> RuleSettings:
    """The settings in force: stored values over the defaults (a new setting has its default)."""
    stored = {row.key: row.value for row in session.scalars(select(RuleSetting))}
    known = {key: value for key, value in stored.items() if key in RuleSettings.model_fields}
    return RuleSettings.model_validate(known)


def save_rule_settings(
    session: Session, new: RuleSettings, actor: Actor
) -> dict[str, tuple[Any, Any]]:
    """Store the settings that changed, audit each change; ``{key: (old, new)}`` of the changes."""
    old = load_rule_settings(session).stored()
    changes = {key: (old[key], value) for key, value in new.stored().items() if old[key] != value}
    now = utcnow()
    for key, (before, after) in changes.items():
        row = session.get(RuleSetting, key)
        if row is None:
            row = RuleSetting(key=key)
            session.add(row)
        row.value, row.updated_at, row.updated_by = after, now, actor.name
        record(
            session,
            actor,
            "rule_setting.changed",
            "rule_setting",
            key,
            before={"value": before},
            after={"value": after},
            now=now,
        )
    session.flush()
    return changes
