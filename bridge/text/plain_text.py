"""Markdown reduced to the words a reader sees: what language detection and lengths judge."""

from __future__ import annotations

import re

FENCED_CODE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s*|>\s*|[-*+]\s+|\d+[.)]\s+)|[*_~#|<>]+", re.MULTILINE)
NUMBER = re.compile(r"\d[\d\s.,\u00a0\u202f]*")
WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")  # both apostrophes


def without_code(text: str) -> str:
    """The text without fenced and inline code: code is neither English nor French."""
    if "`" not in text and "~~~" not in text:
        return text
    return INLINE_CODE.sub(" ", FENCED_CODE.sub(" ", text))


def visible_text(text: str) -> str:
    """Link texts kept, their targets, bare URLs, e-mail addresses and markup dropped."""
    text = without_code(text)
    if "](" in text:
        text = LINK.sub(r"\1", text)
    if "://" in text or "www." in text.casefold():
        text = URL.sub(" ", text)
    if "@" in text:  # the address pattern is the slowest here: most texts have none
        text = EMAIL.sub(" ", text)
    return " ".join(MARKUP.sub(" ", text).split())


def words(text: str) -> list[str]:
    """The words of letters a reader sees (numbers left out)."""
    return words_of_visible(visible_text(text))


def words_of_visible(text: str) -> list[str]:
    """``words`` of a text ``visible_text`` already reduced: half the work of ``words``."""
    return WORD.findall(NUMBER.sub(" ", text))
