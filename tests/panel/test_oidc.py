"""Sign-in through the department's OpenID Connect provider, against a real local provider.

The whole authorization code flow runs over loopback HTTP: the panel's redirect to the provider,
the provider's redirect back, the code exchanged for an RS256-signed ID token whose signature,
issuer, audience and nonce the panel checks, and the account matched by e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.db.engine import transaction
from bridge.departments.service import seed_departments
from bridge.panel import create_app
from bridge.settings import load_settings
from tests.fakes.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider, serve_provider
from tests.fakes.world import BASE_URL
from tests.panel.conftest import UserFactory


@pytest.fixture
def provider() -> Iterator[OIDCProvider]:
    with serve_provider() as running:
        yield running


@pytest.fixture
def oidc_app(
    provider: OIDCProvider,
    db_url: str,
    db_engine: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> Flask:
    settings = load_settings(
        {
            "BRIDGE_MARKETPLACE_URL": BASE_URL,
            "BRIDGE_MARKETPLACE_SESSION": "s%3Aa.b",
            "BRIDGE_DATABASE_URL": db_url,
            "BRIDGE_DATA_DIR": str(tmp_path / "data"),
            "BRIDGE_SECRET_KEY": "test-secret-key-for-signing-cookies",
            "BRIDGE_OIDC_ENABLED": "true",
            "BRIDGE_OIDC_METADATA_URL": provider.metadata_url,
            "BRIDGE_OIDC_CLIENT_ID": CLIENT_ID,
            "BRIDGE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "BRIDGE_PANEL_URL": PANEL_URL,
        }
    )
    with transaction(sessions) as session:
        seed_departments(session)
    return create_app(settings, db_engine, testing=True)


PANEL_URL = "https://bridge.tbs-sct.gc.ca"


def through_provider(client: FlaskClient, start: str = "/sign-in/department") -> str:
    """Follow the flow: panel → provider → panel callback; the callback's redirect target."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["openid email profile"] and query["nonce"] and query["state"]
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/sign-in/department/callback"
    answer = client.get(f"{callback.path}?{callback.query}")
    assert answer.status_code == 302
    return answer.headers["Location"]


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def test_the_sign_in_page_offers_the_department_provider(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    assert "/sign-in/department" in page and "Sign in with your department account" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post("/language/fr", data={"csrf_token": token.group(1)})
    french = client.get("/sign-in").get_data(as_text=True)
    assert "Ouvrir une session avec votre compte ministériel" in french


def test_a_known_account_signs_in_and_lands_where_it_was_going(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory
) -> None:
    provider.identity.email = make_user(Role.OPERATOR)
    client = oidc_app.test_client()
    assert not is_signed_in(client)

    target = through_provider(client, "/sign-in/department?next=/sync/runs")

    assert urlsplit(target).path == "/sync/runs"
    assert is_signed_in(client)
    # The code was exchanged with the client's secret and the registered redirect URI.
    (exchange,) = provider.token_requests
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["redirect_uri"] == f"{PANEL_URL}/sign-in/department/callback"
    assert exchange["code_verifier"]  # PKCE: the provider checked it against the S256 challenge


def test_an_address_without_an_account_is_refused(oidc_app: Flask, provider: OIDCProvider) -> None:
    provider.identity.email = "stranger@tbs-sct.gc.ca"
    client = oidc_app.test_client()
    assert urlsplit(through_provider(client)).path == "/sign-in"
    assert not is_signed_in(client)
    assert "no active panel account" in client.get("/sign-in").get_data(as_text=True)


def test_an_unverified_address_is_refused(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory
) -> None:
    provider.identity.email = make_user(Role.ADMIN)
    provider.identity.email_verified = False
    client = oidc_app.test_client()
    through_provider(client)
    assert not is_signed_in(client)


def test_an_id_token_without_email_verified_is_refused(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory
) -> None:
    provider.identity.email = make_user(Role.ADMIN)
    provider.identity.email_verified = None  # left out, as Entra ID often does
    client = oidc_app.test_client()
    assert urlsplit(through_provider(client)).path == "/sign-in"
    assert not is_signed_in(client)


def test_an_account_is_bound_to_the_first_identity_it_signed_in_as(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    from bridge.accounts.service import user_by_email

    email = make_user(Role.ADMIN)
    provider.identity.email, provider.identity.subject = email, "employee-1"
    first = oidc_app.test_client()
    through_provider(first)
    assert is_signed_in(first)
    with sessions() as session:
        account = user_by_email(session, email)
        assert account is not None and account.oidc_subject == "employee-1"
        assert account.oidc_issuer == provider.base_url

    # Another person given the same address (a reused mailbox, a guest) is not that account.
    provider.identity.subject = "someone-else"
    impostor = oidc_app.test_client()
    through_provider(impostor)
    assert not is_signed_in(impostor)

    # The bound person is, whatever address the provider sends now.
    provider.identity.subject, provider.identity.email = "employee-1", "renamed@tbs-sct.gc.ca"
    provider.identity.email_verified = None
    again = oidc_app.test_client()
    through_provider(again)
    assert is_signed_in(again)


def test_the_redirect_uri_comes_from_the_panel_url_not_the_host_header(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    answer = client.get("/sign-in/department", headers={"Host": "attacker.example"})
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["redirect_uri"] == [f"{PANEL_URL}/sign-in/department/callback"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]


@pytest.mark.parametrize("flaw", ["unpublished key", "other audience"])
def test_an_id_token_that_does_not_verify_is_refused(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory, flaw: str
) -> None:
    provider.identity.email = make_user(Role.ADMIN)
    if flaw == "unpublished key":
        provider.identity.sign_with_unpublished_key = True
    else:
        provider.identity.audience = "some-other-client"
    client = oidc_app.test_client()
    assert urlsplit(through_provider(client)).path == "/sign-in"
    assert not is_signed_in(client)
    assert "did not succeed" in client.get("/sign-in").get_data(as_text=True)


def test_a_callback_with_a_forged_state_is_refused(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory
) -> None:
    provider.identity.email = make_user(Role.ADMIN)
    client = oidc_app.test_client()
    authorize = client.get("/sign-in/department").headers["Location"]
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"])
    code = parse_qs(back.query)["code"][0]
    answer = client.get(f"{back.path}?code={code}&state=forged")
    assert urlsplit(answer.headers["Location"]).path == "/sign-in"
    assert not is_signed_in(client)
    assert provider.token_requests == []  # the code is never spent on a forged state


def test_a_deactivated_account_is_refused(
    oidc_app: Flask, provider: OIDCProvider, make_user: UserFactory, sessions: sessionmaker[Session]
) -> None:
    from bridge.accounts.service import user_by_email

    email = make_user(Role.ADMIN)
    with transaction(sessions) as session:
        account = user_by_email(session, email)
        assert account is not None
        account.active = False
    provider.identity.email = email
    client = oidc_app.test_client()
    through_provider(client)
    assert not is_signed_in(client)
