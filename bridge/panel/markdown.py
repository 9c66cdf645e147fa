"""Marketplace Markdown, rendered and sanitized: its authors' content is untrusted.

markdown-it renders CommonMark with raw HTML switched off, then nh3 (the Ammonia sanitizer)
keeps only an allow-list of tags and attributes, so neither a ``<script>`` nor a
``javascript:`` link reaches the page whatever the source says.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str, heading_offset: int = 2) -> Markup:
    """Safe HTML for ``source``; headings are shifted down so the page keeps one ``h1``."""
    html = _renderer.render(source or "")
    for level in range(6, 0, -1):
        shifted = min(6, level + heading_offset)
        html = html.replace(f"<h{level}>", f"<h{shifted}>").replace(
            f"</h{level}>", f"</h{shifted}>"
        )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)
