"""The panel's two official languages: choosing one, translating, and formatting for it.

The choice is remembered in the session and, for a signed-in user, on the account; before any
choice the browser's Accept-Language decides. Catalogs live in ``translations/`` as ``.po``
files; see ``bridge.catalogs``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, request, session
from flask_babel import Babel, LazyString, get_locale, ngettext

from bridge.catalogs import LANGUAGES as LANGUAGES
from bridge.catalogs import TRANSLATIONS_DIR, compile_catalogs
from bridge.settings import Settings

BABEL_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def current_language() -> str:
    """``en`` or ``fr``: what the page is being rendered in."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def _select_locale() -> str:
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return BABEL_LOCALES[chosen]
    best = request.accept_languages.best_match(LANGUAGES)
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return BABEL_LOCALES[best or settings.default_language]


def init_i18n(app: Flask, settings: Settings) -> None:
    compile_catalogs()
    Babel(
        app,
        locale_selector=_select_locale,
        timezone_selector=lambda: settings.timezone,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.globals["current_language"] = current_language


def locale_code() -> str:
    """The Babel locale of the reader's language: ``en_CA`` or ``fr_CA``."""
    return BABEL_LOCALES[current_language()]


def money(amount: Decimal | None) -> str:
    """``$10,000.00`` in English, ``10 000,00 $`` in French (Canadian dollars)."""
    if amount is None:
        return "—"
    return format_currency(amount, "CAD", locale=locale_code())


def number(value: int | Decimal | None) -> str:
    return "—" if value is None else format_decimal(value, locale=locale_code())


def moment(value: datetime | None, style: str = "medium") -> str:
    """A stored UTC time shown in the configured zone, in the reader's language."""
    if value is None:
        return "—"
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return format_datetime(value, style, tzinfo=settings.zone, locale=locale_code())


def lazy_count(singular: str, plural: str, n: int, **variables: Any) -> LazyString:
    """A count message shown later (a form's description or error message): its plural form
    and its number are those of the reader's language when it is shown. Extracted with the
    keyword ``lazy_count:1,2``."""
    return LazyString(lambda: ngettext(singular, plural, n, count=number(n), **variables))
