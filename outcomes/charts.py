"""Charts as SVG markup drawn on the server by pygal, safe to put inline under our CSP.

pygal writes a `<style>` and a `<script>` into every chart (its tooltips and colours) and an
inline `style` on its tooltip box; the Content-Security-Policy refuses all three, so they are
removed here, with the comments and pygal's own `id`s (two charts on a page would repeat them).
The colours and type come from `static/css/charts.css` instead, by the classes pygal sets
(`color-0`, `color-1`, ...). The SVG is an image with a name (`title`) and a description
(`desc`); every page that shows one also gives its numbers as text and in a table.
"""

from collections.abc import Mapping, Sequence
from xml.etree import ElementTree

import pygal
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 360
_REMOVED_TAGS = {"style", "script"}


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
    kind = {
        (False, False): pygal.Bar,
        (True, False): pygal.StackedBar,
        (False, True): pygal.HorizontalBar,
        (True, True): pygal.HorizontalStackedBar,
    }[(stacked, horizontal)]
    config = _config(show_legend=len(series) > 1)
    if horizontal:
        bars = len(labels) * (1 if stacked or len(series) == 1 else len(series))
        config["height"] = max(HEIGHT // 2, 120 + 28 * bars)
    chart = kind(**config)
    chart.title = title
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, description=description, element_id=element_id, variant=variant)


def histogram(
    *,
    title: str,
    description: str,
    bands: Sequence[tuple[str, int]],
    series_name: str = "Count",
    element_id: str = "",
) -> SafeString:
    """Counts per band of values (the bands already counted): one bar per band, no gaps."""
    chart = pygal.Bar(**_config(show_legend=False, spacing=2))
    chart.title = title
    chart.x_labels = [label for label, _ in bands]
    chart.add(series_name, [count for _, count in bands])
    return _svg(chart, description=description, element_id=element_id, variant="histogram")


def _config(**overrides) -> dict:
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "explicit_size": False,  # the viewBox only: the CSS makes it as wide as its column
        "disable_xml_declaration": True,
        "js": [],
        "css": [],
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "include_x_axis": True,
        "min_scale": 2,
        "max_scale": 6,
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
            or "tooltip" in child.get("class", "").split()
            or (child.tag == "desc" and element.tag != "svg")
        ):
            element.remove(child)
            continue
        child.attrib.pop("id", None)
        child.attrib.pop("style", None)
        _strip(child)
