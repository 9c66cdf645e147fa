"""Department queries and the shipped seed."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.audit.service import Actor, record
from bridge.clock import utcnow
from bridge.departments.models import Department, OpportunityDepartment
from bridge.settings import PROJECT_ROOT

SEED_FILE = PROJECT_ROOT / "config" / "departments.toml"


def all_departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).order_by(Department.acronym)))


def seed_departments(session: Session, path: Path = SEED_FILE) -> int:
    """Add the shipped departments not yet known (by acronym); never overwrite edits."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["department"]
    known = set(session.scalars(select(Department.acronym)))
    added = 0
    for entry in entries:
        if entry["acronym"] in known:
            continue
        session.add(
            Department(
                acronym=entry["acronym"],
                name_en=entry["name_en"],
                name_fr=entry["name_fr"],
                email_domains=[domain.lower() for domain in entry["email_domains"]],
            )
        )
        added += 1
    session.flush()
    return added


class DepartmentDirectory:
    """E-mail domain (or a parent of it) → department, loaded once per batch of work."""

    def __init__(self, departments: Sequence[Department]) -> None:
        self._domains: list[tuple[str, int]] = [
            (domain, department.id)
            for department in departments
            for domain in department.email_domains
        ]

    @classmethod
    def load(cls, session: Session) -> DepartmentDirectory:
        return cls(list(session.scalars(select(Department))))

    def for_email(self, email: str | None) -> int | None:
        if not email or "@" not in email:
            return None
        domain = email.rsplit("@", 1)[1].lower()
        for known, department_id in self._domains:
            if domain == known or domain.endswith("." + known):
                return department_id
        return None


DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def describe(department: Department) -> dict[str, Any]:
    """What the audit log keeps of a department."""
    return {
        "acronym": department.acronym,
        "name_en": department.name_en,
        "name_fr": department.name_fr,
        "email_domains": list(department.email_domains),
    }


def update_department(
    session: Session,
    department: Department,
    actor: Actor,
    *,
    acronym: str,
    name_en: str,
    name_fr: str,
    email_domains: list[str],
) -> bool:
    """Apply an administrator's edit, audited; False when nothing changed."""
    before = describe(department)
    department.acronym, department.name_en, department.name_fr = acronym, name_en, name_fr
    department.email_domains = sorted({domain.lower() for domain in email_domains})
    after = describe(department)
    if after == before:
        return False
    record(
        session,
        actor,
        "department.updated",
        "department",
        department.id,
        before=before,
        after=after,
    )
    session.flush()
    return True


def assign_department(
    session: Session, opportunity_id: str, department: Department, actor: Actor
) -> None:
    """Route an opportunity by hand (its author's domain matched no department), audited."""
    row = session.get(OpportunityDepartment, opportunity_id)
    before = {"department": row.department_id} if row is not None else None
    if row is None:
        row = OpportunityDepartment(opportunity_id=opportunity_id, department_id=department.id)
        session.add(row)
    row.department_id, row.assigned_by, row.assigned_at = department.id, actor.name, utcnow()
    after = {"department": department.id, "acronym": department.acronym}
    record(
        session,
        actor,
        "opportunity.department_assigned",
        "opportunity",
        opportunity_id,
        before=before,
        after=after,
    )
    session.flush()
