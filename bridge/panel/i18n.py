"""The panel's two official languages: choosing one, translating, and formatting for it.

The choice is remembered in the session and, for a signed-in user, on the account; before any
choice the browser's Accept-Language decides. Catalogs live in ``translations/`` as ``.po``
files; see ``bridge.catalogs``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import Babel, Domain, LazyString, get_locale, ngettext

from bridge.catalogs import LANGUAGES as LANGUAGES
from bridge.catalogs import TRANSLATIONS_DIR, compile_catalogs
from bridge.settings import Settings

BABEL_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


READER = "_bridge_reader"  # where a request keeps its reader's language and catalog


def _reader() -> tuple[str, NullTranslations]:
    """The reader's language and catalog, found once a request and kept on ``g``.

    flask-babel finds the request's locale, its domain and its catalog again for every string
    (a dozen context lookups each), and a list page translates about a hundred and fifty and
    asks for the language a hundred times more; this is one lookup."""
    found: tuple[str, NullTranslations] | None = g.get(READER)
    if found is None:
        locale = get_locale()
        language = locale.language if locale is not None else "en"
        domain = current_app.extensions["babel"].instance.domain_instance
        translations = Domain.get_translations(domain)  # flask-babel's own lookup, once
        found = (language if language in LANGUAGES else "en", translations)
        setattr(g, READER, found)
    return found


class ReaderDomain(Domain):  # type: ignore[misc]
    """flask-babel's message domain, reading the request's catalog from ``_reader``: every
    ``_()``, lazy string and template translation goes through ``get_translations``."""

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return NullTranslations()
        return _reader()[1]


def current_language() -> str:
    """``en`` or ``fr``: what the page is being rendered in."""
    return _reader()[0] if has_app_context() else "en"


def _select_locale() -> str:
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return BABEL_LOCALES[chosen]
    best = request.accept_languages.best_match(LANGUAGES)
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return BABEL_LOCALES[best or settings.default_language]


def init_i18n(app: Flask, settings: Settings) -> None:
    compile_catalogs()
    babel = Babel(
        app,
        locale_selector=_select_locale,
        timezone_selector=lambda: settings.timezone,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    babel.domain_instance = ReaderDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["day"] = day
    app.jinja_env.globals["current_language"] = current_language


def locale_code() -> str:
    """The Babel locale of the reader's language: ``en_CA`` or ``fr_CA``."""
    return BABEL_LOCALES[current_language()]


@cache
def _locale(code: str) -> Locale:
    """Parsed once: Babel parses a locale given by name again on every call."""
    return Locale.parse(code)


@cache
def _money_shape(code: str) -> tuple[str, str, dict[int, str]]:
    """The locale's CAD amounts as Babel writes them (``$`` before or ``$`` after, its group
    and decimal separators), read once from a sample: a list page shows dozens of amounts,
    and Babel's general formatter costs fifteen times Python's own."""
    sample = format_currency(Decimal("1234567.89"), "CAD", locale=_locale(code))
    start, end = sample.index("1"), sample.rindex("9") + 1
    digits = sample[start:end]
    group, point = digits[1], digits[-3]
    if digits != f"1{group}234{group}567{point}89":  # a grouping Python cannot write
        raise ValueError(f"unexpected currency format for {code}: {sample!r}")
    return sample[:start], sample[end:], str.maketrans({",": group, ".": point})


def money(amount: Decimal | None) -> str:
    """``$10,000.00`` in English, ``10 000,00 $`` in French (Canadian dollars)."""
    if amount is None:
        return "—"
    code = locale_code()
    if not amount.is_finite() or amount < 0:  # rare: Babel's own rules for signs
        return format_currency(amount, "CAD", locale=_locale(code))
    prefix, suffix, separators = _money_shape(code)
    return f"{prefix}{f'{amount:,.2f}'.translate(separators)}{suffix}"


def number(value: int | float | Decimal | None) -> str:
    """``1,234`` in English, ``1 234`` in French; whole counts (most of a page's numbers) by
    Python with the locale's separators, the rest by Babel."""
    if value is None:
        return "—"
    code = locale_code()
    if type(value) is int and value >= 0:
        return f"{value:,}".translate(_money_shape(code)[2])
    return format_decimal(value, locale=_locale(code))


def moment(value: datetime | None, style: str = "medium") -> str:
    """A stored UTC time shown in the configured zone, in the reader's language."""
    if value is None:
        return "—"
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    return format_datetime(value, style, tzinfo=settings.zone, locale=_locale(locale_code()))


def day(value: date | None) -> str:
    """A calendar date in the reader's language: 26 novembre 2026, November 26, 2026."""
    return "—" if value is None else format_date(value, "long", locale=_locale(locale_code()))


def lazy_count(singular: str, plural: str, n: int, **variables: Any) -> LazyString:
    """A count message shown later (a form's description or error message): its plural form
    and its number are those of the reader's language when it is shown. Extracted with the
    keyword ``lazy_count:1,2``."""
    return LazyString(lambda: ngettext(singular, plural, n, count=number(n), **variables))
