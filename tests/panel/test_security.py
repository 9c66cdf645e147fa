"""Sign-in, sessions and forms resist the usual attacks."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import AnyHttpUrl
from sqlalchemy import Engine, select

from bridge.accounts.models import Role
from bridge.audit.models import AuditEntry
from bridge.panel import MAX_REQUEST_BYTES, create_app, db
from bridge.settings import Settings, SettingsError, load_settings
from tests.fakes.marketplace import FakeMarketplace
from tests.fakes.world import AWARDED
from tests.panel.conftest import PASSWORD


def test_forms_refuse_a_post_without_the_csrf_token(
    app: Flask, make_user: Callable[..., str]
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/sign-in", data={"email": make_user(Role.ADMIN), "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_a_wrong_password_is_refused_and_repeated_failures_are_throttled(
    app: Flask, make_user: Callable[..., str]
) -> None:
    email = make_user(Role.ADMIN)
    client = app.test_client()
    for _ in range(5):
        response = client.post("/sign-in", data={"email": email, "password": "wrong password!"})
        assert response.status_code == 401
        assert "not right" in response.get_data(as_text=True)
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(app: Flask) -> None:
    response = app.test_client().post(
        "/sign-in", data={"email": "nobody@tbs-sct.gc.ca", "password": "whatever it is"}
    )
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in(
    app: Flask, signed_in: Callable[..., FlaskClient], make_user: Callable[..., str]
) -> None:
    email = make_user(Role.VIEWER)
    admin = signed_in(Role.ADMIN)
    from bridge.accounts.service import user_by_email
    from bridge.panel import db

    with app.test_request_context():
        user_id = user_by_email(db(), email).id  # type: ignore[union-attr]
    response = admin.post(
        f"/users/{user_id}", data={"display_name": "Gone", "roles": ["viewer"], "active": ""}
    )
    assert response.status_code == 302
    response = app.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 401


def test_session_cookies_are_httponly_samesite_and_secure_over_https(
    app: Flask, make_user: Callable[..., str]
) -> None:
    email = make_user(Role.VIEWER)
    plain = app.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client().post(
        "/sign-in",
        data={"email": email, "password": PASSWORD},
        base_url="https://panel.example.gc.ca",
    )
    assert "Secure" in secure.headers["Set-Cookie"]


def test_no_open_redirect_after_sign_in(app: Flask, make_user: Callable[..., str]) -> None:
    email = make_user(Role.VIEWER)
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = app.test_client().post(
            f"/sign-in?next={target}", data={"email": email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/", target
    response = app.test_client().post(
        "/sign-in?next=/awards/", data={"email": email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/awards/"


@pytest.mark.usefixtures("synced")
def test_marketplace_markdown_is_sanitized_on_the_detail_page(
    app: Flask, signed_in: Callable[..., FlaskClient], fake: FakeMarketplace
) -> None:
    from bridge.panel import db
    from bridge.sync.models import Opportunity

    with app.test_request_context():
        database = db()
        opportunity = database.get_one(Opportunity, AWARDED)
        opportunity.description = (
            "## Scope\n<script>alert('x')</script>\n[click](javascript:alert(1))\n"
            '<img src=x onerror="alert(1)">\n**bold**'
        )
        database.commit()
    page = signed_in(Role.VIEWER).get(f"/opportunities/{AWARDED}").get_data(as_text=True)
    assert "<script" not in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page
    assert "<strong>bold</strong>" in page
    assert "<h4>Scope</h4>" in page


def test_pages_carry_a_strict_content_security_policy(app: Flask) -> None:
    response = app.test_client().get("/sign-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_behind_a_tls_proxy_the_panel_url_makes_cookies_secure_and_sends_hsts(
    panel_settings: Settings, db_engine: Engine, synced: None, make_user: Callable[..., str]
) -> None:
    https = panel_settings.model_copy(
        update={"panel_url": AnyHttpUrl("https://bridge.tbs-sct.gc.ca")}
    )
    app = create_app(https, db_engine, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    email = make_user(Role.VIEWER)
    # The proxy is not trusted for its headers, so the request reaches the panel as plain HTTP.
    answer = app.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_never_cached_and_big_requests_are_refused(
    app: Flask, signed_in: Callable[..., FlaskClient]
) -> None:
    anonymous = app.test_client().get("/sign-in")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in anonymous.headers  # plain HTTP, no HTTPS panel URL
    client = signed_in(Role.ADMIN)
    page = client.get("/opportunities/")
    assert page.headers["Cache-Control"] == "no-store"
    too_big = io.BytesIO(b"x" * (MAX_REQUEST_BYTES + 1))
    answer = client.post("/translations/", data={"file": (too_big, "texts.xlf")})
    assert answer.status_code == 413


def test_a_short_cookie_key_is_refused_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="BRIDGE_SECRET_KEY"):
        load_settings({"BRIDGE_SECRET_KEY": "too short to sign anything"})


def test_sign_ins_failures_lockouts_and_sign_outs_are_audited_with_their_address(
    app: Flask, make_user: Callable[..., str]
) -> None:
    email = make_user(Role.ADMIN)
    client = app.test_client()
    for _ in range(5):
        client.post("/sign-in", data={"email": email, "password": "wrong password!"})
    client.post("/sign-in", data={"email": email, "password": PASSWORD})  # locked out
    other = app.test_client()  # someone else, from elsewhere
    other.post(
        "/sign-in",
        data={"email": make_user(Role.VIEWER), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    other.post("/sign-out", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    with app.test_request_context():
        entries = (
            db()
            .scalars(
                select(AuditEntry).where(AuditEntry.action.like("auth.%")).order_by(AuditEntry.id)
            )
            .all()
        )
    assert [entry.action for entry in entries] == [
        *["auth.sign_in_failed"] * 5,
        "auth.locked_out",
        "auth.signed_in",
        "auth.signed_out",
    ]
    failed, signed_in = entries[0], entries[6]
    assert failed.actor == "address:127.0.0.1" and failed.target_id == email
    assert signed_in.actor.startswith("user:") and signed_in.after == {
        "method": "password",
        "address": "198.51.100.7",
    }
