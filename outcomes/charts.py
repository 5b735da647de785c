"""Bar charts as SVG rendered on the server (pygal), safe under the site's Content-Security-Policy,
each with the same numbers as rows for a table.

pygal writes a `<style>` and a `<script>` into every chart and a `style` attribute on its tooltip;
the policy forbids all three inline. `bar_chart` removes them (and the comments and empty id) and
the look comes from `static/css/charts.css` instead. The SVG is an image with a text summary for
screen readers; the table beside it carries the numbers.

Generic on purpose: the survey results and the program dashboard draw with the same function.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import pygal
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("", SVG_NS)


@dataclass(frozen=True)
class Chart:
    title: str
    summary: str  # one sentence a screen reader reads for the picture
    rows: list[tuple[str, float | int]]  # (label, value): the same numbers, for a table
    value_label: str
    svg: SafeString

    @property
    def total(self) -> float | int:
        return sum(value for _, value in self.rows)


def _clean(svg: str) -> str:
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own SVG, not input
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1]
            classes = (child.get("class") or "").split()
            if tag in {"style", "script"} or "tooltip-overlay" in classes:
                parent.remove(child)
        parent.attrib.pop("style", None)
        # pygal leaves out the width of a bar of zero; SVG (and the Nu validator) want one.
        if parent.tag.rsplit("}", 1)[-1] == "rect":
            parent.attrib.setdefault("width", "0")
            parent.attrib.setdefault("height", "0")
    root.attrib.pop("id", None)
    # Sized by the page (charts.css), so it shrinks on a phone.
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    return ElementTree.tostring(root, encoding="unicode")


def _summary(title: str, rows: Sequence[tuple[str, float | int]], value_label: str) -> str:
    parts = "; ".join(f"{label}: {value:g}" for label, value in rows)
    return f"{title} ({value_label.lower()}): {parts}." if rows else f"{title}: no data yet."


def bar_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, float | int]],
    value_label: str = "Answers",
    horizontal: bool = True,
    height: int | None = None,
) -> Chart:
    """A bar per row (label, value), in the order given. Horizontal bars suit long labels
    (survey choices); vertical ones suit a time axis (months)."""
    rows = list(rows)
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        width=640,
        height=height or max(160, 60 + 36 * len(rows)),
        show_legend=False,
        print_values=True,
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        explicit_size=False,
        margin=8,
        min_scale=1,
        max_scale=6,
        truncate_label=40,
        no_data_text="No answers yet",
    )
    chart.x_labels = [label for label, _ in rows]
    chart.add(value_label, [value for _, value in rows])
    svg = _clean(chart.render(is_unicode=True))
    summary = _summary(title, rows, value_label)
    # An image to assistive technology, named by the summary: its inner texts would be read
    # one by one, out of order, otherwise.
    svg = svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)
    svg = svg.replace("<title>Pygal</title>", format_html("<title>{}</title>", summary), 1)
    return Chart(
        title=title,
        summary=summary,
        rows=rows,
        value_label=value_label,
        svg=mark_safe(svg),  # noqa: S308 - pygal's own markup, our texts escaped by it
    )
