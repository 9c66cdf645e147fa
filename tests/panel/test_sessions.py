"""Panel sessions end when they must, over HTTP: a cookie copied before sign-out, a password
change, a role change or deactivation stops opening pages, and every session ends 12 hours after
it began and after 30 minutes without a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from bridge.accounts.models import Role
from bridge.accounts.service import set_active, set_grants, set_password, user_by_email
from bridge.db.engine import transaction
from bridge.panel.sessions import IDLE, LIFETIME
from tests.panel.conftest import UserFactory, sign_in

COOKIE = "gc_bridge_session"


def opens_pages(client: FlaskClient) -> bool:
    return client.get("/sync/runs").status_code == 200


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the same session cookie (copied, stolen, synced)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    other = app.test_client()
    other.set_cookie(COOKIE, cookie.value)
    return other


@pytest.fixture
def operator(app: Flask, make_user: UserFactory) -> tuple[FlaskClient, str]:
    email = make_user(Role.OPERATOR)
    client = app.test_client()
    sign_in(client, email)
    return client, email


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(
    app: Flask, operator: tuple[FlaskClient, str]
) -> None:
    client, _ = operator
    thief = copy_of(app, client)
    assert opens_pages(thief)
    client.post("/sign-out")
    assert not opens_pages(client)
    answer = thief.get("/sync/runs")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


@pytest.mark.parametrize("change", ["password", "roles", "deactivation"])
def test_an_administrators_change_to_the_account_ends_its_sessions(
    app: Flask, operator: tuple[FlaskClient, str], sessions: sessionmaker[Session], change: str
) -> None:
    client, email = operator
    with transaction(sessions) as session:
        account = user_by_email(session, email)
        assert account is not None
        if change == "password":
            set_password(account, "a brand new long password")
        elif change == "roles":
            set_grants(account, [(Role.VIEWER, None)])
        else:
            set_active(account, False)
    assert not opens_pages(client)


def test_saving_an_account_unchanged_keeps_its_sessions(
    app: Flask, operator: tuple[FlaskClient, str], sessions: sessionmaker[Session]
) -> None:
    client, email = operator
    with transaction(sessions) as session:
        account = user_by_email(session, email)
        assert account is not None
        set_grants(account, [(Role.OPERATOR, None)])
        set_active(account, True)
    assert opens_pages(client)


def test_an_idle_session_ends_after_30_minutes_and_any_after_12_hours(
    app: Flask, make_user: UserFactory, frozen_clock: time_machine.Traveller
) -> None:
    email = make_user(Role.OPERATOR)
    idle, busy = app.test_client(), app.test_client()
    sign_in(idle, email)
    sign_in(busy, email)
    elapsed = timedelta(0)
    while elapsed + IDLE / 2 < LIFETIME:
        frozen_clock.shift(IDLE / 2)
        elapsed += IDLE / 2
        assert opens_pages(busy), elapsed  # a request every quarter of an hour keeps it open
    assert not opens_pages(idle)
    frozen_clock.shift(LIFETIME - elapsed + timedelta(seconds=1))
    assert not opens_pages(busy)  # past 12 hours, however busy
    sign_in(busy, email)
    assert opens_pages(busy)


def test_a_session_does_not_depend_on_x_forwarded_for(
    signed_in: Callable[..., FlaskClient],
) -> None:
    client = signed_in(Role.OPERATOR)
    for address in ("203.0.113.9", "198.51.100.1, 10.0.0.1"):
        assert client.get("/sync/runs", headers={"X-Forwarded-For": address}).status_code == 200
