"""The message catalogs of both official languages, for the panel and for jobs.

Catalogs live in ``translations/`` as ``.po`` files; the compiled ``.mo`` files are rebuilt from
them whenever they are older, so a checkout needs no build step. The panel reads them through
Flask-Babel; a job outside any request (a notification, a reminder) reads them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bridge.settings import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
# The two official languages, as the bridge names them everywhere.
Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")


@dataclass(frozen=True)
class Plural:
    """A message that counts something: its forms are chosen by the count when it is shown
    (French says "1 attribution", "0 attribution", "2 attributions")."""

    singular: str
    plural: str


def N_plural(singular: str, plural: str) -> Plural:  # noqa: N802 - named like N_
    """Mark a count message for the catalogs (extracted with the keyword ``N_plural:1,2``)."""
    return Plural(singular, plural)


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> None:
    """Write each ``messages.mo`` from its ``messages.po`` when missing or out of date."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of ``language`` (``en`` or ``fr``), outside any request."""
    compile_catalogs()
    return Translations.load(str(TRANSLATIONS_DIR), [language])
