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
    page.add_script_tag(path=str(AXE_JS))
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
