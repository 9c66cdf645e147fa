"""The contract as a document: bilingual HTML, English then French as GC contracts are, and
the same as a tagged PDF (structure tree, text layer, document language and title) for screen
readers and for signing.

The fixed wording comes from the message catalogs, each side in its own language; the texts of
the work are the opportunity's own in each language. WeasyPrint renders the PDF; it is imported
only when a PDF is made, as it loads the system's Pango.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bridge.catalogs import LANGUAGES, translations
from bridge.contracts.amounts import Amounts
from bridge.contracts.terms import worded
from bridge.notifications.messages import BABEL_LOCALES

TEMPLATES = Path(__file__).parent / "templates"
TERM_KEYS = ("licence", "intellectual_property", "acceptance", "payment")


@dataclass(frozen=True)
class Part:
    """A milestone as the document lists it."""

    name_en: str
    name_fr: str
    amounts: Amounts


@dataclass(frozen=True)
class Change:
    """What an amendment changes."""

    number: int
    reason: str
    effective_on: date
    before: Amounts


@dataclass(frozen=True)
class ContractView:
    """Everything a contract document states."""

    number: str
    fiscal_year: str
    issued_on: date
    department_en: str
    department_fr: str
    supplier_name: str
    supplier_kind: str  # "individual" or "organization"
    business_number: str | None
    texts_en: dict[str, str]
    texts_fr: dict[str, str]
    start_date: date | None
    end_date: date | None
    amounts: Amounts
    parts: tuple[Part, ...]
    terms: dict[str, str]
    change: Change | None = None
    opportunity_url: str | None = field(default=None)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def paragraphs(text: str) -> list[str]:
    """The author's text (Markdown on the marketplace) as plain paragraphs."""
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def _side(view: ContractView, language: str) -> str:
    locale = BABEL_LOCALES[language]

    def money(amount: Decimal) -> str:
        return format_currency(amount, "CAD", locale=locale)

    def day(value: date | None) -> str:
        return format_date(value, "long", locale=locale) if value is not None else "—"

    texts = view.texts_fr if language == "fr" else view.texts_en
    return (
        _environment()
        .get_template("side.html")
        .render(
            view=view,
            language=language,
            _=translations(language).gettext,
            money=money,
            day=day,
            department=view.department_fr if language == "fr" else view.department_en,
            title=texts.get("title", ""),
            work=paragraphs(texts.get("description", "") or texts.get("teaser", "")),
            criteria=paragraphs(texts.get("acceptance_criteria", "")),
            terms={key: worded(view.terms, key, language) for key in TERM_KEYS},
            part_name=(lambda part: part.name_fr if language == "fr" else part.name_en),
        )
    )


def to_html(view: ContractView) -> str:
    """The whole document: both sides, English first, each marked with its language."""
    return (
        _environment()
        .get_template("contract.html")
        .render(
            view=view,
            title=document_title(view),
            sides=[(language, _side(view, language)) for language in LANGUAGES],
        )
    )


def document_title(view: ContractView) -> str:
    if view.change is None:
        return f"{view.number} — Contract / Contrat"
    number = view.change.number
    return f"{view.number} — Amendment {number} / Modification {number}"


def to_pdf(html: str) -> bytes:
    """The HTML as a PDF/UA-tagged PDF."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _SideText(HTMLParser):
    """Collects the text of each ``<section lang>`` of a contract, a line per block."""

    BLOCKS = frozenset({"h1", "h2", "p", "dt", "dd", "tr", "caption", "li"})

    def __init__(self) -> None:
        super().__init__()
        self.language: str | None = None
        self.parts: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.language = dict(attrs).get("lang")
        elif tag in self.BLOCKS and self.language:
            self.parts.setdefault(self.language, []).append("\n")
        elif tag in ("td", "th") and self.language:
            self.parts.setdefault(self.language, []).append("  ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.language = None

    def handle_data(self, data: str) -> None:
        if self.language and data.strip():
            self.parts.setdefault(self.language, []).append(" ".join(data.split()))


def text_by_language(html: str) -> dict[str, str]:
    """The document's text in each language, for a message that carries it."""
    parser = _SideText()
    parser.feed(html)
    return {
        language: "\n".join(line.strip() for line in "".join(parts).splitlines() if line.strip())
        for language, parts in parser.parts.items()
    }
