"""Titles in the reader's language on every page, loaded a page at a time.

A list view calls ``prefetch_titles`` with its opportunities (two queries for the page);
templates call ``title_of`` for any opportunity, which loads one that was not prefetched.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, g

from bridge.panel.i18n import current_language
from bridge.sync.models import Opportunity
from bridge.translations.titles import TitleByLanguage, titles_by_language


def _cache() -> dict[str, TitleByLanguage]:
    if "titles" not in g:
        g.titles = {}
    cache: dict[str, TitleByLanguage] = g.titles
    return cache


def prefetch_titles(opportunity_ids: Iterable[str]) -> dict[str, str]:
    """Id → title in the reader's language, for the given opportunities."""
    ids = set(opportunity_ids)
    cache = _cache()
    missing = ids - set(cache)
    if missing:
        from bridge.panel import db  # the package imports this module while it loads

        cache.update(titles_by_language(db(), missing))
    language = current_language()
    return {key: cache[key][language] for key in ids if key in cache}


def title_of(opportunity: Opportunity | str | None) -> str:
    """The title in the reader's language; the id when the opportunity is unknown."""
    if opportunity is None:
        return ""
    key = opportunity if isinstance(opportunity, str) else opportunity.id
    return prefetch_titles([key]).get(key, key)


def init_titles(app: Flask) -> None:
    app.jinja_env.globals.update(title_of=title_of)
