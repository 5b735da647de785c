"""Charts as SVG markup drawn on the server by pygal, safe to put inline under our CSP.

pygal writes a `<style>` and a `<script>` into every chart (its tooltips and colours) and an
inline `style` on its tooltip box; the Content-Security-Policy refuses all three, so they are
removed here, with the comments and pygal's own `id`s (two charts on a page would repeat them).
The colours and type come from `static/css/charts.css` instead, by the classes pygal sets
(`color-0`, `color-1`, ...). The SVG is an image with a name (`title`) and a description
(`desc`); every page that shows one also gives its numbers as text and in a table.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 360
LEGEND_COLUMNS = 3
_REMOVED_TAGS = {"style", "script"}
# The sizes pygal lays the chart out by (margins, label space); charts.css draws the text at
# these same sizes, since pygal's own stylesheet is removed.
STYLE = {
    "font_family": "system-ui, sans-serif",
    "label_font_size": 13,
    "major_label_font_size": 13,
    "legend_font_size": 13,
    "title_font_size": 16,
    "value_font_size": 13,
}


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    stacked: bool = False,
    horizontal: bool = False,
    variant: str = "",
    element_id: str = "",
) -> SafeString:
    """A bar chart, one bar per label and series; `stacked` piles the series up.

    `variant` names a palette in charts.css (`chart-<variant>`): the series' colours, in order.
    Horizontal charts grow with their bars, so that each bar keeps its height and its label.
    """
    import pygal  # here, not at start-up: only pages with charts need it

    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    labels = list(labels)
    series = {name: list(values) for name, values in series.items()}
    config = _config(show_legend=len(series) > 1)
    if horizontal:
        # pygal draws the first label at the bottom: reversed, they read from the top.
        labels.reverse()
        for values in series.values():
            values.reverse()
        bars = len(labels) * (1 if stacked or len(series) == 1 else len(series))
        legend_rows = math.ceil(len(series) / LEGEND_COLUMNS) if len(series) > 1 else 0
        config["height"] = 110 + 30 * bars + 26 * legend_rows
    totals = (
        [sum(v or 0 for v in column) for column in zip(*series.values(), strict=True)]
        if stacked
        else [v or 0 for values in series.values() for v in values]
    )
    config["y_labels"] = whole_number_ticks(max(totals, default=0))
    chart = kind(**config)
    chart.title = title
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart, description=description, element_id=element_id, variant=variant)


@dataclass(frozen=True)
class Chart:
    """A chart with what a page shows beside it: a sentence for a screen reader and the same
    numbers as rows for a table."""

    title: str
    summary: str
    rows: list[tuple[str, float | int]]  # (label, value)
    value_label: str
    svg: SafeString

    @property
    def total(self) -> float | int:
        return sum(value for _, value in self.rows)


def rows_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, float | int]],
    value_label: str = "Answers",
    horizontal: bool = True,
) -> Chart:
    """One bar per (label, value) row, in the order given, with its summary and rows. Horizontal
    bars suit long labels (survey choices); vertical ones a scale (1 to 5, 0 to 10)."""
    rows = list(rows)
    parts = "; ".join(f"{label}: {value:g}" for label, value in rows)
    summary = f"{title} ({value_label.lower()}): {parts}." if rows else f"{title}: no data yet."
    svg = bar_chart(
        title=title,
        description=summary,
        labels=[label for label, _ in rows],
        series={value_label: [value for _, value in rows]},
        horizontal=horizontal,
    )
    return Chart(title=title, summary=summary, rows=rows, value_label=value_label, svg=svg)


def histogram(
    *,
    title: str,
    description: str,
    bands: Sequence[tuple[str, int]],
    series_name: str = "Count",
    element_id: str = "",
) -> SafeString:
    """Counts per band of values (the bands already counted): one bar per band, no gaps."""
    import pygal  # here, not at start-up: only pages with charts need it

    counts = [count for _, count in bands]
    chart = pygal.Bar(
        **_config(show_legend=False, spacing=2, y_labels=whole_number_ticks(max(counts, default=0)))
    )
    chart.title = title
    chart.x_labels = [label for label, _ in bands]
    chart.add(series_name, counts)
    return _svg(chart, description=description, element_id=element_id, variant="histogram")


def whole_number_ticks(top: float, most: int = 6) -> list[int]:
    """Ticks for counts: whole numbers from 0 past `top`, a round step apart, at most `most`."""
    top = max(1, math.ceil(top))
    step = 1
    while top / step > most - 1:
        for factor in (2, 2.5, 2):  # 1, 2, 5, 10, 20, 50, ...
            step = int(step * factor)
            if top / step <= most - 1:
                break
    return list(range(0, top + step, step))


def _config(**overrides) -> dict:
    from pygal.style import Style

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "explicit_size": False,  # the viewBox only: the CSS makes it as wide as its column
        "disable_xml_declaration": True,
        "js": [],
        "css": [],
        "legend_at_bottom": True,
        "legend_at_bottom_columns": LEGEND_COLUMNS,
        "style": Style(**STYLE),
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "include_x_axis": True,
        "value_formatter": lambda value: f"{value:g}" if value is not None else "",
        **overrides,
    }


def _svg(chart, *, description: str, element_id: str, variant: str) -> SafeString:
    root = chart.render_tree()
    _strip(root)
    root.attrib.pop("id", None)
    if element_id:
        root.set("id", element_id)
    root.set("role", "img")
    root.set("class", f"pygal-chart chart chart-{variant}" if variant else "pygal-chart chart")
    title = root.find("title")
    if title is not None:
        # The name first, then a description of what it shows, as SVG's accessibility API reads.
        desc = ElementTree.Element("desc")
        desc.text = description
        root.insert(list(root).index(title) + 1, desc)
    # ElementTree escapes every text and attribute it writes, labels typed by staff included.
    return mark_safe(ElementTree.tostring(root, encoding="unicode"))  # noqa: S308


def _strip(element: ElementTree.Element) -> None:
    for child in list(element):
        if (
            child.tag in _REMOVED_TAGS
            or child.tag is ElementTree.Comment
            or (child.tag == "defs" and not len(child))
            # pygal leaves out the width of a bar of nothing (a zero stacked on others).
            or (child.tag == "rect" and not (child.get("width") and child.get("height")))
            or "tooltip" in child.get("class", "").split()
            or (child.tag == "desc" and element.tag != "svg")
        ):
            element.remove(child)
            continue
        child.attrib.pop("id", None)
        child.attrib.pop("style", None)
        _strip(child)
