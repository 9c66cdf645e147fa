"""Department queries and the shipped seed."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.departments.models import Department
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


def department_for_email(session: Session, email: str | None) -> Department | None:
    """The department whose staff use ``email``'s domain (or a parent of it)."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].lower()
    for department in all_departments(session):
        for known in department.email_domains:
            if domain == known or domain.endswith("." + known):
                return department
    return None
