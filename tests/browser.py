"""Browser, accessibility and HTML-validity helpers.

Chromium comes from Debian (/usr/bin/chromium), axe-core and the Nu validator from npm
(node_modules). When one is missing the tests that need it skip and say why, unless
REQUIRE_BROWSER=1, which CI sets, turns the skip into a failure.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_JS = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(condition: bool, reason: str) -> None:
    """Skip (or, with REQUIRE_BROWSER=1, fail) when a tool the test needs is missing."""
    if condition:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser():
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # in between are still synchronous, so Django's async guard does not apply to them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(chromium_browser, live_server, settings):
    """A fresh browser tab with its own cookies, pointed at the live server."""
    settings.SITE_URL = live_server.url
    context = chromium_browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def assert_accessible(page, *, context: str = "") -> None:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; fail on any violation."""
    require(AXE_JS.exists(), f"axe-core not found at {AXE_JS}: run npm ci")
    # Evaluated through the DevTools protocol, not added as a <script>: the site's
    # Content-Security-Policy forbids inline script, and the tests run under it.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
        })""",
        WCAG_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {context or page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(
                f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"][:5]
            )
        pytest.fail("\n".join(lines))


def html_errors(html: str | bytes) -> list[dict]:
    """The Nu validator's errors for one document, fed on stdin."""
    require(VNU_JAR.exists(), f"the Nu validator not found at {VNU_JAR}: run npm ci")
    java = shutil.which("java")
    require(java is not None, "java not found: apt-get install default-jre-headless")
    data = html.encode() if isinstance(html, str) else html
    completed = subprocess.run(  # noqa: S603 - fixed command line, our own HTML on stdin
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "-"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    report = json.loads(completed.stderr or completed.stdout or b'{"messages": []}')
    return [m for m in report["messages"] if m["type"] in {"error", "non-document-error"}]


def assert_valid_html(html: str | bytes, *, context: str = "") -> None:
    errors = html_errors(html)
    if errors:
        lines = [f"The Nu validator found {len(errors)} error(s) in {context or 'the document'}:"]
        lines.extend(
            f"- line {e.get('lastLine', '?')}: {e['message']} [{e.get('extract', '').strip()}]"
            for e in errors[:20]
        )
        pytest.fail("\n".join(lines))


def field(page, label: str):
    """The input labelled `label`, ignoring the asterisk shown on required fields."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


# For the element that has focus: its outline, and the colour behind the outline, sampled just
# outside each side of the element where the ring is drawn (what is really there: a header, an
# alert, the page), composited from the nearest opaque background up.
_FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgba = (value) => {
    const parts = (value.match(/rgba?\\(([^)]*)\\)/) || [null, '0, 0, 0, 0'])[1]
      .split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return parts.length === 3 ? [...parts, 1] : parts;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const backdrop = (start) => {
    const layers = [];
    for (let node = start; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // Bootstrap scrolls smoothly: bring the element to the middle at once to measure around it.
  el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
  const style = getComputedStyle(el);
  const width = parseFloat(style.outlineWidth) || 0;
  const ring = rgba(style.outlineColor);
  const box = el.getBoundingClientRect();
  const out = (parseFloat(style.outlineOffset) || 0) + width / 2;
  const points = [
    [box.left + box.width / 2, box.top - out],
    [box.left + box.width / 2, box.bottom + out],
    [box.left - out, box.top + box.height / 2],
    [box.right + out, box.top + box.height / 2],
  ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  const behind = points.map(([x, y]) => backdrop(
    document.elementsFromPoint(x, y).find((n) => n !== el && !el.contains(n))
      || document.documentElement
  ));
  const ratios = behind.map((colour) => contrast(ring, colour));
  return {
    element: el.outerHTML.slice(0, 120),
    style: style.outlineStyle,
    width: width,
    ring: style.outlineColor,
    behind: behind.map((c) => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`),
    ratio: ratios.length ? Math.min(...ratios) : null,
  };
}"""


def focus_rings(page, *, limit: int = 150) -> list[dict]:
    """Tab through the page from the top; each stop's focus ring (see _FOCUS_RING_JS).

    Each ring is read at the end of its transition: Bootstrap fades a control's ring in over
    0.15 s, and on a busy machine the ring was read half drawn."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    rings, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        marker = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              for (const animation of document.getAnimations()) {
                try { animation.finish(); } catch (e) { /* an endless one: left as it is */ }
              }
              el.dataset.tabStop = el.dataset.tabStop || String(Math.random());
              return el.dataset.tabStop;
            }"""
        )
        if marker is None or marker in seen:
            break
        seen.add(marker)
        rings.append(page.evaluate(_FOCUS_RING_JS))
    return rings


def assert_focus_is_visible(page, *, context: str = "") -> None:
    """Every tab stop shows a solid ring at least 2px wide at 3:1 or more (WCAG 2.4.13)."""
    rings = focus_rings(page)
    assert rings, f"nothing on {context or page.url} takes focus"
    faint = [
        r
        for r in rings
        if r["style"] in {"none", "hidden"} or r["width"] < 2 or (r["ratio"] or 0) < 3
    ]
    assert not faint, f"faint focus on {context or page.url}:\n" + "\n".join(
        f"- {r['element']}: {r['style']} {r['width']}px {r['ring']} on {r['behind']}: "
        f"{r['ratio'] and round(r['ratio'], 2)}:1"
        for r in faint
    )
