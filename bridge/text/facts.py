"""The facts a reader acts on, which the English and French versions of a text must share.

A translation may reword everything but the amount, the deadline, where to write and what to
deliver. So both versions are reduced to their money amounts, dates, web and e-mail addresses,
and the number of list items and headings, and compared. Both spellings are recognised in
either text ("$10,000.00" and "10 000,00 $"; "March 5, 2026" and "5 mars 2026"), so a
translation that keeps the English spelling of a figure is not taken for a wrong one.

The Markdown is parsed as the panel renders it (markdown-it, CommonMark with tables), so list
items and headings are counted as a reader sees them (nested items included, a ``* * *`` rule
not) and code, fenced or indented, is left out: code is neither English nor French.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bridge.text.plain_text import EMAIL, URL

T = TypeVar("T")
FactKind = Literal["amounts", "dates", "urls", "emails", "list_items", "headings"]

# --- Amounts: the English way ($ first, commas between thousands, a point before the cents)
# and the French way (spaces between thousands, a comma before the cents, $ last).

CENTS = Decimal("0.01")
SPACE = "[ \u00a0\u202f]"  # ordinary, no-break and narrow no-break (French typography)
_EN_NUMBER = r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{1,2}))?(?!\d)"
_FR_NUMBER = rf"(?P<whole>\d{{1,3}}(?:{SPACE}\d{{3}})+|\d+)(?:,(?P<cents>\d{{1,2}}))?(?!\d)"
# "$10K" is ten thousand dollars, not ten: a scale is read, never left behind.
_SCALE = rf"(?:{SPACE}?(?P<scale>(?-i:[kKM])|millions?)\b)?"
SCALES = {"k": 1_000, "m": 1_000_000, "million": 1_000_000, "millions": 1_000_000}
AMOUNTS = (
    # $10,000.00 · $10000 · CA$ 10,000 · CAD 10,000 · $10K
    re.compile(rf"(?<![\d.,])(?:CA\$|CAD|\$){SPACE}?{_EN_NUMBER}{_SCALE}", re.IGNORECASE),
    # 10,000 dollars · 10,000 CAD (not the "000 CAD" of a French "10 000 CAD")
    re.compile(
        rf"(?<![\w.,])(?<!\d{SPACE}){_EN_NUMBER}{_SCALE}{SPACE}?(?:dollars|CAD)\b", re.IGNORECASE
    ),
    # 10 000,00 $ · 10000 $ · 10 000 $ CA · 10 k$ · 2 millions de dollars (not the "2 $" of
    # "phase 2 $5,000")
    re.compile(
        rf"(?<![\w.,]){_FR_NUMBER}{_SCALE}{SPACE}?"
        rf"(?:\$(?!{SPACE}?\d)|CAD\b|(?:de{SPACE})?dollars\b)",
        re.IGNORECASE,
    ),
)

# --- Dates: ISO, "March 5, 2026", "5 March 2026", "Mar. 5, 2026", "5 mars 2026", "1er mars".

MONTHS = {
    "january": 1,
    "jan": 1,
    "janvier": 1,
    "janv": 1,
    "february": 2,
    "feb": 2,
    "fevrier": 2,
    "fevr": 2,
    "march": 3,
    "mar": 3,
    "mars": 3,
    "april": 4,
    "apr": 4,
    "avril": 4,
    "avr": 4,
    "may": 5,
    "mai": 5,
    "june": 6,
    "jun": 6,
    "juin": 6,
    "july": 7,
    "jul": 7,
    "juillet": 7,
    "juil": 7,
    "juill": 7,
    "august": 8,
    "aug": 8,
    "aout": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "septembre": 9,
    "october": 10,
    "oct": 10,
    "octobre": 10,
    "november": 11,
    "nov": 11,
    "novembre": 11,
    "december": 12,
    "dec": 12,
    "decembre": 12,
}
_MONTH = r"(?P<month>[a-zéû]{3,9})\.?"
DATES = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b",
        re.IGNORECASE,
    ),
)

# --- Addresses: compared as written, less trailing punctuation and a trailing slash.

TRAILING = ".,;:!?)'\"»"
HOST = re.compile(r"^(?:https?://|www\.)[^/?#]*", re.IGNORECASE)
MAILTO = "mailto:"


class _AsWritten(MarkdownIt):
    """The panel's Markdown, with link targets kept as the author wrote them (markdown-it would
    percent-encode them, and a link would no longer match the same address written bare)."""

    def normalizeLink(self, url: str) -> str:  # noqa: N802 (markdown-it's name)
        return url


_MARKDOWN = _AsWritten("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Facts:
    """What one language version of a text says that the other must say too."""

    amounts: tuple[Decimal, ...] = ()
    dates: tuple[date, ...] = ()
    urls: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    list_items: int = 0
    headings: int = 0


@dataclass(frozen=True)
class Disagreement:
    """One kind of fact on which the versions differ, shown as the reader would check it: what
    only the source has and what only the translation has (for counts, the two counts)."""

    kind: FactKind
    in_source: tuple[str, ...]
    in_translation: tuple[str, ...]


def _read_all(
    text: str, patterns: Iterable[re.Pattern[str]], read: Callable[[re.Match[str]], T | None]
) -> list[T]:
    """What the patterns find, where matches overlap the earliest (then longest) one read."""
    matches = sorted(
        (match for pattern in patterns for match in pattern.finditer(text)),
        key=lambda match: (match.start(), -match.end()),
    )
    found: list[T] = []
    taken_until = 0
    for match in matches:
        if match.start() < taken_until:
            continue
        value = read(match)
        if value is not None:
            found.append(value)
            taken_until = match.end()
    return found


def _amount(match: re.Match[str]) -> Decimal:
    whole = re.sub(r"\D", "", match["whole"])
    value = Decimal(f"{whole}.{(match['cents'] or '').ljust(2, '0')}")
    if match["scale"]:
        value *= SCALES[match["scale"].lower()]
    return value.quantize(CENTS)


def _month_number(name: str) -> int | None:
    if name.isdigit():
        return int(name)
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(character for character in folded if not unicodedata.combining(character))
    return MONTHS.get(plain)


def _date(match: re.Match[str]) -> date | None:
    month = _month_number(match["month"])
    if month is None:  # "5 items 2026"
        return None
    try:
        return date(int(match["year"]), month, int(match["day"]))
    except ValueError:  # "February 30, 2026" is not a date
        return None


def _clean_url(url: str) -> str:
    url = url.rstrip(TRAILING).rstrip("/")
    return HOST.sub(lambda host: host[0].lower(), url)  # host names ignore case, paths do not


def _is_address(text: str) -> bool:
    text = text.strip()
    return bool(URL.fullmatch(text) or EMAIL.fullmatch(text))


def _inline_text(children: Sequence[Token], targets: list[str]) -> str:
    """The words of one paragraph, heading or cell (inline code left out); link and image
    targets go to ``targets``. A link whose text is itself an address counts once."""
    parts: list[str] = []
    label: list[str] | None = None  # the text of the link being read
    for child in children:
        if child.type == "link_open":
            targets.append(str(child.attrs.get("href", "")))
            label = []
        elif child.type == "link_close" and label is not None:
            parts.append("" if _is_address("".join(label)) else "".join(label))
            label = None
        elif child.type == "image":
            targets.append(str(child.attrs.get("src", "")))
        if child.type in ("text", "image", "softbreak", "hardbreak"):
            words = "\n" if child.type.endswith("break") else child.content  # an image: its alt
            (parts if label is None else label).append(words)
    return "".join(parts)


def _addresses(targets: Iterable[str], text: str) -> tuple[list[str], list[str]]:
    """URLs and e-mail addresses, from link targets and written in the text. A target that is
    only a fragment ("#requirements") points inside the text, whose anchors differ by language."""
    urls: list[str] = []
    emails = [address.lower() for address in EMAIL.findall(text)]
    for target in targets:
        if target[: len(MAILTO)].lower() == MAILTO:
            emails.append(target[len(MAILTO) :].split("?")[0].lower())
        elif target and not target.startswith("#"):
            urls.append(_clean_url(target))
    urls += [_clean_url(url) for url in URL.findall(EMAIL.sub(" ", text))]
    return sorted(urls), sorted(emails)


def extract_facts(text: str) -> Facts:
    """The facts of a Markdown text, in either language's spelling (code left out)."""
    tokens = _MARKDOWN.parse(unicodedata.normalize("NFC", text))
    targets: list[str] = []
    prose = "\n".join(
        _inline_text(token.children or [], targets) for token in tokens if token.type == "inline"
    )
    urls, emails = _addresses(targets, prose)
    plain = URL.sub(" ", EMAIL.sub(" ", prose))  # no amount or date read inside an address
    return Facts(
        amounts=tuple(sorted(_read_all(plain, AMOUNTS, _amount))),
        dates=tuple(sorted(_read_all(plain, DATES, _date))),
        urls=tuple(urls),
        emails=tuple(emails),
        list_items=sum(token.type == "list_item_open" for token in tokens),
        headings=sum(token.type == "heading_open" for token in tokens),
    )


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _difference(
    kind: FactKind, source: Sequence[object], translation: Sequence[object]
) -> Disagreement | None:
    """What one version has more of than the other (a multiset difference, both ways)."""
    left, right = Counter(map(_shown, source)), Counter(map(_shown, translation))
    if left == right:
        return None
    only_left, only_right = sorted((left - right).elements()), sorted((right - left).elements())
    return Disagreement(kind, tuple(only_left), tuple(only_right))


def compare_facts(source: Facts, translation: Facts) -> list[Disagreement]:
    """What differs between the two versions; empty when they agree."""
    found: list[Disagreement] = []
    listed: tuple[FactKind, ...] = ("amounts", "dates", "urls", "emails")
    for kind in listed:
        difference = _difference(kind, getattr(source, kind), getattr(translation, kind))
        if difference is not None:
            found.append(difference)
    counted: tuple[FactKind, ...] = ("list_items", "headings")
    for kind in counted:
        left, right = getattr(source, kind), getattr(translation, kind)
        if left != right:
            found.append(Disagreement(kind, (str(left),), (str(right),)))
    return found
