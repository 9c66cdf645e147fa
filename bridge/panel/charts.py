"""Charts for the Outcomes page: SVG drawn on the server by pygal, shown as images.

Each chart is an ``<img>`` whose source is the SVG itself (a ``data:`` address the panel's
policy allows for images), so the page loads nothing from elsewhere and runs no script; an
image's own styles stay inside it. Every chart has a data table beside it that says the same
for screen readers and for copying, so the image's text alternative names what it shows.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pygal
from pygal.style import Style

# The panel's colours (Canada.ca's): dark blue and a lighter one, on white.
STYLE = Style(
    font_family="'Noto Sans', 'DejaVu Sans', sans-serif",
    background="white",
    plot_background="white",
    foreground="#333333",
    foreground_strong="#000000",
    foreground_subtle="#666666",
    colors=("#26374a", "#2b8cc4", "#6e7b8b"),
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
    title_font_size=15,
)


def _image(chart: pygal.graph.graph.Graph) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _options(title: str) -> dict[str, object]:
    return {
        "style": STYLE,
        "title": title,
        "js": [],  # no script: the chart is an image
        "disable_xml_declaration": True,
        "width": 720,
        "height": 360,
        "print_values": False,
        "legend_at_bottom": True,
    }


def bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Horizontal bars, one group per label (a stage, a province)."""
    chart = pygal.HorizontalBar(**_options(title))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _image(chart)


def lines(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Lines over months."""
    chart = pygal.Line(**_options(title), x_label_rotation=30)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _image(chart)
