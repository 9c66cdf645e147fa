"""Panel fixtures: an app on a real, seeded database, signed-in clients, and for the tests that
read marketplace data, the database as a real sync of the captured marketplace leaves it
(``synced``: the slowest part of a panel test, so only where the data is read)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.accounts.service import create_user
from bridge.db.engine import transaction
from bridge.departments.service import all_departments
from bridge.marketplace.client import MarketplaceClient
from bridge.panel import create_app
from bridge.settings import Settings, load_settings
from tests.fakes.world import BASE_URL
from tests.seeding import first_sync_judged, seed

PASSWORD = "correct horse battery staple"
# Roles granted for a department (the first): approvals and the financial duties.
SCOPED = frozenset({Role.APPROVER, Role.OWNER, Role.CERTIFIER, Role.FINANCE})


@pytest.fixture
def panel_settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "BRIDGE_MARKETPLACE_URL": BASE_URL,
            "BRIDGE_MARKETPLACE_SESSION": "s%3Aa.b",
            "BRIDGE_DATABASE_URL": db_url,
            "BRIDGE_DATA_DIR": str(tmp_path / "data"),
            "BRIDGE_SECRET_KEY": "test-secret-key-for-signing-cookies",
        }
    )


@pytest.fixture
def launched() -> list[str]:
    return []


@pytest.fixture
def synced(
    client: MarketplaceClient, sessions: sessionmaker[Session], mocked: responses.RequestsMock
) -> None:
    """The database as a first sync of the captured marketplace leaves it, rules judged."""
    first_sync_judged(client, sessions)


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> None:
    """The departments and rule settings a first start writes, no marketplace data."""
    seed(sessions)


@pytest.fixture
def app(
    panel_settings: Settings, db_engine: Engine, seeded: None, launched: list[str]
) -> Iterator[Flask]:
    application = create_app(panel_settings, db_engine, launch_sync=launched.append, testing=True)
    application.config["WTF_CSRF_ENABLED"] = False
    yield application


UserFactory = Callable[..., str]


@pytest.fixture
def make_user(sessions: sessionmaker[Session]) -> UserFactory:
    """Create an account with ``roles`` (an approver, a business owner, a certifier or finance
    gets the first department); its e-mail."""
    counter = iter(range(1000))

    def factory(*roles: Role, email: str | None = None) -> str:
        address = email or f"user{next(counter)}@tbs-sct.gc.ca"
        with transaction(sessions) as session:
            department = all_departments(session)[0].id
            grants = [(role, department if role in SCOPED else None) for role in roles]
            create_user(session, address, address.split("@")[0], PASSWORD, grants)
        return address

    return factory


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def signed_in(app: Flask, make_user: UserFactory) -> Callable[..., FlaskClient]:
    def client_for(*roles: Role) -> FlaskClient:
        test_client = app.test_client()
        sign_in(test_client, make_user(*roles))
        return test_client

    return client_for
