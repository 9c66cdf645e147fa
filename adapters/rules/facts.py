"""The facts a reader acts on, which the English and French versions of a text must share.

A translation may reword everything but the amount, the deadline, where to write and what to
deliver. So both versions are reduced to their money amounts, dates, web and e-mail addresses,
and the number of list items and headings, and compared. Both spellings are recognised in
either text ("$10,000.00" and "10 000,00 $"; "March 5, 2026" and "5 mars 2026"), so a
translation that keeps the English spelling of a figure is not taken for a wrong one.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from adapters.rules.plain_text import EMAIL, URL, without_code

CENTS = Decimal("0.01")
SPACES = "[ \u00a0\u202f]"

# Amounts: the English way ($ first, commas between thousands, a point before the cents) and
# the French way (spaces between thousands, a comma before the cents, $ last).


def _en_number(name: str) -> str:
    return rf"(?P<{name}>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(?P<{name}_cents>\d{{1,2}}))?"


_FR_NUMBER = rf"(?P<fr>\d{{1,3}}(?:{SPACES}\d{{3}})+|\d+)(?:,(?P<fr_cents>\d{{1,2}}))?"
AMOUNT = re.compile(
    rf"(?<![\d.,])(?:"
    rf"(?:\$|CA\$|CAD{SPACES}?){SPACES}?{_en_number('en')}(?![\d])"
    rf"|{_en_number('en2')}{SPACES}?(?:dollars|CAD)\b"
    rf"|{_FR_NUMBER}{SPACES}?(?:\$|dollars\b)"
    rf")",
    re.IGNORECASE,
)

MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "february": 2, "feb": 2, "fevrier": 2, "march": 3,
    "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4, "may": 5, "mai": 5, "june": 6,
    "jun": 6, "juin": 6, "july": 7, "jul": 7, "juillet": 7, "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9, "october": 10, "oct": 10,
    "octobre": 10, "november": 11, "nov": 11, "novembre": 11, "december": 12, "dec": 12,
    "decembre": 12,
}  # fmt: skip
_MONTH = r"(?P<{name}>[a-zéû]{{3,9}})\.?"
ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})(?:er|st|nd|rd|th)?\s+"
    + _MONTH.format(name="month")
    + r",?\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
MONTH_DAY_YEAR = re.compile(
    r"\b"
    + _MONTH.format(name="month")
    + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)

LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)>?")
TRAILING = ".,;:!?)'\"»"
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+\S", re.MULTILINE)
ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+\S|\s*$)", re.MULTILINE)
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")

FactKind = Literal["amounts", "dates", "urls", "emails", "list_items", "headings"]


@dataclass(frozen=True)
class Facts:
    amounts: tuple[Decimal, ...] = ()
    dates: tuple[date, ...] = ()
    urls: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    list_items: int = 0
    headings: int = 0


@dataclass(frozen=True)
class Disagreement:
    kind: FactKind
    in_source: tuple[str, ...]
    in_translation: tuple[str, ...]


def _plain_digits(number: str) -> str:
    return re.sub(rf"[,{SPACES[1:-1]} ]", "", number)


def _amounts(text: str) -> list[Decimal]:
    found = []
    for match in AMOUNT.finditer(text):
        groups = match.groupdict()
        whole = groups["en"] or groups["en2"] or groups["fr"]
        cents = groups["en_cents"] or groups["en2_cents"] or groups["fr_cents"] or "0"
        value = Decimal(_plain_digits(whole)) + Decimal(f"0.{cents.ljust(2, '0')}")
        found.append(value.quantize(CENTS))
    return sorted(found)


def _month_number(name: str) -> int | None:
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(character for character in folded if not unicodedata.combining(character))
    return MONTHS.get(plain)


def _dates(text: str) -> list[date]:
    found: list[date] = []
    spans: list[tuple[int, int]] = []
    for pattern in (ISO_DATE, DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in spans):
                continue
            month_text = match["month"]
            month = int(month_text) if month_text.isdigit() else _month_number(month_text)
            if month is None:
                continue
            try:
                found.append(date(int(match["year"]), month, int(match["day"])))
            except ValueError:  # "February 30": not a date
                continue
            spans.append(match.span())
    return sorted(found)


def _clean_url(url: str) -> str:
    return url.rstrip(TRAILING).rstrip("/")


def _urls(text: str) -> list[str]:
    targets = [_clean_url(target) for target in LINK_TARGET.findall(text)]
    absolute = {target for target in targets if URL.fullmatch(target)}
    bare = [_clean_url(url) for url in URL.findall(LINK_TARGET.sub("](", text))]
    relative = [
        target for target in targets if target not in absolute and not target.startswith("mailto:")
    ]
    return sorted([*absolute, *bare, *relative])


def _emails(text: str) -> list[str]:
    return sorted(address.lower().rstrip(TRAILING) for address in EMAIL.findall(text))


def _headings(text: str) -> int:
    lines = text.splitlines()
    setext = sum(
        1
        for previous, line in itertools.pairwise(lines)
        if SETEXT_UNDERLINE.match(line)
        and previous.strip()
        and not LIST_ITEM.match(previous)
        and not ATX_HEADING.match(previous)
    )
    return len(ATX_HEADING.findall(text)) + setext


def extract_facts(text: str) -> Facts:
    """The facts of a Markdown text (code blocks and inline code left out)."""
    text = unicodedata.normalize("NFC", without_code(text))
    return Facts(
        amounts=tuple(_amounts(text)),
        dates=tuple(_dates(text)),
        urls=tuple(_urls(text)),
        emails=tuple(_emails(text)),
        list_items=len(LIST_ITEM.findall(text)),
        headings=_headings(text),
    )


def _difference(
    kind: FactKind, source: tuple[object, ...], translation: tuple[object, ...]
) -> Disagreement | None:
    left, right = Counter(map(_shown, source)), Counter(map(_shown, translation))
    if left == right:
        return None
    return Disagreement(kind, tuple(sorted((left - right).elements())),
                        tuple(sorted((right - left).elements())))  # fmt: skip


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def compare_facts(source: Facts, translation: Facts) -> list[Disagreement]:
    """What differs between the two versions; empty when they agree."""
    found: list[Disagreement] = []
    kinds: tuple[FactKind, ...] = ("amounts", "dates", "urls", "emails")
    for kind in kinds:
        difference = _difference(kind, getattr(source, kind), getattr(translation, kind))
        if difference is not None:
            found.append(difference)
    counts: tuple[FactKind, ...] = ("list_items", "headings")
    for kind in counts:
        left, right = getattr(source, kind), getattr(translation, kind)
        if left != right:
            found.append(Disagreement(kind, (str(left),), (str(right),)))
    return found
