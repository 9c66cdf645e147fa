"""Sign-in (local accounts, or the department's OpenID Connect provider) and sign-out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from bridge.accounts.models import PanelUser
from bridge.accounts.service import (
    Throttle,
    account_for_identity,
    authenticate,
    end_sessions,
    is_throttled,
    normalize_email,
)
from bridge.audit.service import Actor, record
from bridge.panel import LoginUser, db, sessions
from bridge.panel.forms import SignInForm
from bridge.settings import Settings

blueprint = Blueprint("auth", __name__)
THROTTLE = Throttle()


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a link send users anywhere."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


def _audit(action: str, method: str, email: str, user: PanelUser | None, **details: str) -> None:
    """Sign-ins, failures, lockouts and sign-outs, with the address they came from."""
    address = _client_address()
    actor = Actor.user(user.id, user.display_name) if user else Actor.visitor(address)
    target = str(user.id) if user else (normalize_email(email)[:120] or "unknown")
    record(
        db(),
        actor,
        action,
        "panel_user",
        target,
        after={"method": method, "address": address, **details},
    )


def _start_session(user: PanelUser) -> Response:
    language = session.get("language")
    session.clear()
    if language or user.language:
        session["language"] = language or user.language
    sessions.begin(session, user)
    login_user(LoginUser(user))
    return redirect(_safe_next(request.args.get("next")))


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    error, status = None, 200
    if form.validate_on_submit():
        database = db()
        email, address = form.email.data or "", _client_address()
        if is_throttled(database, email, address, THROTTLE):
            _audit("auth.locked_out", "password", email, None)
            database.commit()
            error, status = _("Too many failed attempts. Wait 15 minutes, then try again."), 429
        else:
            user = authenticate(database, email, form.password.data or "", address)
            _audit("auth.signed_in" if user else "auth.sign_in_failed", "password", email, user)
            database.commit()
            if user is not None:
                return _start_session(user)
            error, status = _("The e-mail address or the password is not right."), 401
    elif form.errors:
        status = 400
    return render_template(
        "auth/sign_in.html", form=form, error=error, oidc=settings.oidc_enabled
    ), status


@blueprint.route("/sign-out", methods=["POST"])
def sign_out() -> Response:
    language = session.get("language")
    if current_user.is_authenticated:
        account = current_user.account
        end_sessions(account)  # a copy of the cookie stops working too
        _audit("auth.signed_out", "panel", account.email, account)
        db().commit()
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))


# OpenID Connect ---------------------------------------------------------------------------------


def init_oidc(app: Flask, settings: Settings) -> None:
    if not settings.oidc_enabled:
        return
    settings.require_oidc()
    oauth = OAuth(app)
    oauth.register(
        "department",
        server_metadata_url=str(settings.oidc_metadata_url),
        client_id=settings.oidc_client_id,
        client_secret=(
            settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        ),
        # PKCE (S256) on top of the client secret: a stolen code is worth nothing alone.
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    app.extensions["bridge_oidc"] = oauth


@blueprint.route("/sign-in/department")
def oidc_start() -> Any:
    oauth = current_app.extensions.get("bridge_oidc")
    if oauth is None:
        return redirect(url_for("auth.sign_in"))
    session["oidc_next"] = _safe_next(request.args.get("next"))
    return oauth.department.authorize_redirect(_callback_url())


def _callback_url() -> str:
    """Built from BRIDGE_PANEL_URL, never from the request's Host header, which the client
    chooses."""
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return f"{str(settings.panel_url).rstrip('/')}{url_for('auth.oidc_callback')}"


@blueprint.route("/sign-in/department/callback")
def oidc_callback() -> Any:
    oauth = current_app.extensions.get("bridge_oidc")
    if oauth is None:
        return redirect(url_for("auth.sign_in"))
    try:
        token = oauth.department.authorize_access_token()
    except Exception:  # the provider's error, an expired state: the user starts over
        current_app.logger.warning("OpenID Connect sign-in failed", exc_info=True)
        _audit("auth.sign_in_failed", "oidc", "", None, reason="provider")
        db().commit()
        flash(_("Sign-in through your department did not succeed. Try again."), "error")
        return redirect(url_for("auth.sign_in"))
    claims = token.get("userinfo") or {}
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    user = None
    if issuer and subject:
        user = account_for_identity(
            db(), issuer, subject, claims.get("email"), claims.get("email_verified")
        )
    if user is None or not user.active:
        _audit(
            "auth.sign_in_failed",
            "oidc",
            str(claims.get("email") or subject),
            None,
            reason="no active account for this identity",
        )
        db().commit()
        flash(
            _("There is no active panel account for this e-mail address. Ask an administrator."),
            "error",
        )
        return redirect(url_for("auth.sign_in"))
    target = session.pop("oidc_next", None)
    _audit("auth.signed_in", "oidc", user.email, user)
    response = _start_session(user)
    db().commit()
    return redirect(_safe_next(target)) if target else response
