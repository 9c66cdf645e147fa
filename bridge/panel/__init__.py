"""The bilingual operators' panel: a Flask application factory and its blueprints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from bridge.accounts.models import PanelUser
from bridge.audit import keeping as audit_keeping
from bridge.db.engine import make_engine, session_factory
from bridge.panel import sessions
from bridge.panel.access import allowed
from bridge.panel.findings import init_findings
from bridge.panel.i18n import init_i18n
from bridge.panel.labels import init_labels
from bridge.panel.titles import init_titles
from bridge.settings import Settings

log = logging.getLogger(__name__)

# Launches a sync outside the request (the scheduler's pool in production, inline in tests).
SyncLauncher = Callable[[str], None]


# The largest request the panel reads: an XLIFF or CSV import of a department's texts fits well
# within it; anything larger is refused before it is read.
MAX_REQUEST_BYTES = 8 * 1024 * 1024
HSTS = "max-age=31536000; includeSubDomains"


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    """Session cookies are HttpOnly and SameSite always, and Secure whenever served over HTTPS,
    as the request shows it or as ``BRIDGE_PANEL_URL`` says (behind a TLS proxy that is not
    trusted for its headers, the request itself looks like plain HTTP)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request and request.is_secure) or super().get_cookie_secure(app)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    launch_sync: SyncLauncher | None = None,
    testing: bool = False,
) -> Flask:
    app = Flask(__name__)
    audit_keeping.configure_from(settings)
    engine = engine or make_engine(settings.effective_database_url)
    app.config.update(
        SECRET_KEY=settings.panel_secret(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="gc_bridge_session",
        SESSION_COOKIE_SECURE=settings.panel_is_https,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        PERMANENT_SESSION_LIFETIME=sessions.LIFETIME,
        TESTING=testing,
        BRIDGE_SETTINGS=settings,
        BRIDGE_ENGINE=engine,
        BRIDGE_SESSIONS=session_factory(engine),
        BRIDGE_LAUNCH_SYNC=launch_sync,
    )
    app.session_interface = SecureWhenHttpsSessionInterface()
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.trusted_proxies,
            x_proto=settings.trusted_proxies,
            x_host=settings.trusted_proxies,
        )
    CSRFProtect(app)
    init_i18n(app, settings)
    init_labels(app)
    init_findings(app)
    init_titles(app)
    _init_login(app)
    _register_blueprints(app, settings)
    app.before_request(_enforce_access)
    app.teardown_appcontext(_close_db)
    app.after_request(_security_headers)
    return app


def db() -> Session:
    """This request's database session, opened on first use and closed at teardown."""
    if "db" not in g:
        from flask import current_app

        factory: sessionmaker[Session] = current_app.config["BRIDGE_SESSIONS"]
        g.db = factory()
    session_: Session = g.db
    return session_


RowT = TypeVar("RowT")


def get_or_404(model: type[RowT], key: Any) -> RowT:
    """The row of ``model`` with this primary key, or the panel's page for what is not there."""
    row = db().get(model, key)
    if row is None:
        abort(404)
    return row


def _close_db(_error: BaseException | None) -> None:
    database = g.pop("db", None)
    if database is not None:
        database.close()


def _init_login(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.sign_in"
    manager.login_message = None
    # Flask-Login's own protection compares a digest of X-Forwarded-For, which any client can
    # send; sessions are bound to the account's epoch and to their lifetimes instead.
    manager.session_protection = None

    @manager.user_loader  # type: ignore[untyped-decorator]
    def load_user(user_id: str) -> Any:
        user = db().get(PanelUser, int(user_id))
        if user is None or not user.active or not sessions.still_open(session, user):
            return None
        return LoginUser(user)


class LoginUser:
    """The Flask-Login face of a panel account."""

    is_anonymous = False

    def __init__(self, account: PanelUser) -> None:
        self.account = account

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.account.active

    def get_id(self) -> str:
        return str(self.account.id)


def _enforce_access() -> BaseResponse | None:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # a 404 follows
    if allowed(endpoint, frozenset()):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path))
    if not allowed(endpoint, current_user.account.roles):
        abort(403)
    return None


def _security_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if current_user.is_authenticated:
        # What a signed-in person sees stays out of shared and browser caches (the back button
        # after sign-out, a proxy's cache).
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    if "language" in session:
        response.vary.add("Cookie")
    return response


def _register_blueprints(app: Flask, settings: Settings) -> None:
    from bridge.panel.views import (
        approvals,
        audit,
        auth,
        awards,
        contracts,
        dashboard,
        departments,
        health,
        i18n,
        notifications,
        open_data,
        opportunities,
        outcomes,
        proposals,
        quarantine,
        rules,
        sync,
        translations,
        users,
    )

    for module in (
        auth,
        i18n,
        health,
        dashboard,
        opportunities,
        proposals,
        awards,
        contracts,
        sync,
        quarantine,
        users,
        audit,
        rules,
        translations,
        departments,
        approvals,
        notifications,
        open_data,
        outcomes,
    ):
        app.register_blueprint(module.blueprint)
    auth.init_oidc(app, settings)

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        message = _("Your role does not give access to this page.")
        return render_template("error.html", title=_("Access denied"), message=message), 403

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        message = _("We could not find that page.")
        return render_template("error.html", title=_("Page not found"), message=message), 404
