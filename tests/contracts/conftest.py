"""Where the contract tests start: the fixtures' award synced (9,040 $, taxes included, TBS),
and the people of each duty at TBS, with the clock stopped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import PanelUser, Role
from bridge.accounts.service import create_user
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.settings import Settings, load_settings
from bridge.sync.models import Award
from tests.exports.samples import synced_record
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED

SECRET = "shared secret between the bridge and finance"


@dataclass(frozen=True)
class People:
    """One account per duty at TBS, and some who must be refused."""

    procurement: int
    owner: int
    certifier: int
    second_certifier: int
    finance: int
    certifier_elsewhere: int  # a certifier of ESDC only
    supplier_contact: int  # a certifier at TBS whose address is the supplier's
    admin: int
    # Holds every role at TBS: separation of duties must stop them, not the roles.
    everything: int

    def get(self, session: Session, name: str) -> PanelUser:
        user = session.get(PanelUser, getattr(self, name))
        assert user is not None
        return user


def contract_settings(tmp_path: Path, *sinks: str, url: str = "https://x.test/") -> Settings:
    return load_settings(
        {},
        export_sinks=list(sinks or ("directory",)),
        export_directory=tmp_path / "out",
        export_webhook_url=url,
        export_webhook_secret=SECRET,
    )


@pytest.fixture(autouse=True)
def _stopped_clock(frozen_clock: Any) -> None:
    """Every contract test runs on the stopped clock: 26 November 2026, fiscal year 2026-27."""


@pytest.fixture
def awarded(
    fake: FakeMarketplace, client: MarketplaceClient, sessions: sessionmaker[Session], mocked: Any
) -> None:
    synced_record(fake, client, sessions, reward=9040)


@pytest.fixture
def people(awarded: None, sessions: sessionmaker[Session]) -> People:
    with transaction(sessions) as session:
        departments = {item.acronym: item.id for item in all_departments(session)}
        award = session.get(Award, AWARDED)
        assert award is not None and award.supplier_email
        tbs, esdc = departments["TBS"], departments["ESDC"]

        def make(email: str, *grants: tuple[Role, int | None]) -> int:
            return create_user(session, email, email.split("@")[0], None, grants).id

        return People(
            procurement=make("paula@tbs-sct.gc.ca", (Role.PROCUREMENT, tbs)),
            owner=make("omar@tbs-sct.gc.ca", (Role.OWNER, tbs)),
            certifier=make("cecile@tbs-sct.gc.ca", (Role.CERTIFIER, tbs)),
            second_certifier=make("carl@tbs-sct.gc.ca", (Role.CERTIFIER, tbs)),
            finance=make("fatima@tbs-sct.gc.ca", (Role.FINANCE, tbs)),
            certifier_elsewhere=make("eve@esdc-edsc.gc.ca", (Role.CERTIFIER, esdc)),
            supplier_contact=make(award.supplier_email, (Role.CERTIFIER, tbs)),
            admin=make("ada@tbs-sct.gc.ca", (Role.ADMIN, None)),
            everything=make(
                "max@tbs-sct.gc.ca",
                *(
                    (role, tbs)
                    for role in (Role.PROCUREMENT, Role.OWNER, Role.CERTIFIER, Role.FINANCE)
                ),
            ),
        )
