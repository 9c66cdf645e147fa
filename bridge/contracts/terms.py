"""The terms contracts state: the shipped wording, under what administrators set instead.

Each term is one key; the bilingual ones come in ``_en`` and ``_fr`` pairs. A contract copies
the terms when it is issued, so rewording a term never changes a contract already issued.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.contracts.models import ContractTerm
from bridge.notifications.messages import N_
from bridge.settings import PROJECT_ROOT

TERMS_FILE = PROJECT_ROOT / "config" / "contracts.toml"
MAX_PAYMENT_DAYS = 30  # the GC's payment terms: never later than 30 days


class TermRefused(ValueError):
    """A term that cannot be set; the message is a catalog message."""


@cache
def shipped_terms(path: Path = TERMS_FILE) -> dict[str, str]:
    with path.open("rb") as handle:
        terms = tomllib.load(handle)["terms"]
    return {key: str(value) for key, value in terms.items()}


def effective_terms(session: Session) -> dict[str, str]:
    """Every term as a contract issued now would state it."""
    terms = dict(shipped_terms())
    terms.update({row.key: row.value for row in session.scalars(select(ContractTerm))})
    return terms


def term_problem(key: str, value: str) -> str | None:
    """Why ``value`` cannot be the wording of ``key`` (a catalog message), or ``None``."""
    if key not in shipped_terms():
        return N_("No such term.")
    if not value.strip():
        return N_("A term cannot be empty.")
    if key == "payment_days":
        if not value.strip().isdigit() or not 1 <= int(value) <= MAX_PAYMENT_DAYS:
            return N_("Enter a number of days from 1 to 30.")
    elif "%(" in value:
        try:
            value % {"licence": "MIT", "days": "30"}
        except (KeyError, ValueError, TypeError):
            return N_("Only %(licence)s and %(days)s can be replaced in a term.")
    return None


def set_term(
    session: Session, actor: Actor, key: str, value: str, now: datetime | None = None
) -> None:
    """Reword one term for the contracts issued from now on; audited with both wordings."""
    problem = term_problem(key, value)
    if problem is not None:
        raise TermRefused(problem)
    now = now or utcnow()
    value = value.strip()
    before = effective_terms(session)[key]
    row = session.get(ContractTerm, key)
    if row is None:
        session.add(ContractTerm(key=key, value=value, updated_at=now, updated_by=actor.key))
    else:
        row.value, row.updated_at, row.updated_by = value, now, actor.key
    record(
        session,
        actor,
        "contract.term_set",
        "contract_term",
        key,
        now=now,
        before={"value": before},
        after={"value": value},
    )


def worded(terms: dict[str, str], key: str, language: str) -> str:
    """One bilingual term in ``language``, its placeholders filled."""
    return terms[f"{key}_{language}"] % {
        "licence": terms["licence"],
        "days": terms["payment_days"],
    }
