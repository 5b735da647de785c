"""Staff open the program dashboard in Chromium: from the admin index to a cohort, under the
Content-Security-Policy, accessible, on a phone and on paper."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, StaffFactory

from .dashboard_world import build_world


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_open_the_dashboard_from_the_admin_index_and_read_a_cohort(page):
    world = build_world()
    cohort = world["cohort"]
    StaffFactory(email="staff@example.test")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))

    _sign_in(page, "staff@example.test")
    page.goto("/admin/")
    # The admin index, with the program's pages above the models.
    assert_valid_html(page.content(), context="the admin index")
    assert_accessible(page, context="the admin index")
    page.get_by_role("link", name="Program dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program dashboard")
    expect(page.get_by_role("table", name=re.compile("Cohorts side by side"))).to_be_visible()
    assert_accessible(page, context="the dashboard overview")

    page.get_by_role("link", name=cohort.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{cohort.name}: program dashboard")
    # Each chart is drawn with the site's stylesheet (pygal's own was removed): its bars are
    # filled, not black, and it is an image with a name.
    chart = page.get_by_role("img", name="Released pairs by progress")
    expect(chart).to_be_visible()
    fill = chart.locator("rect.rect").first.evaluate("(el) => getComputedStyle(el).fill")
    assert fill not in {"rgb(0, 0, 0)", "none"}
    expect(page.get_by_role("table", name=re.compile("Hours by month"))).to_be_visible()
    assert_accessible(page, context="a cohort's dashboard")

    # A number in the progress table opens those pairs in the pair list.
    page.get_by_role("table", name=re.compile("Pairs by progress")).get_by_role(
        "row", name=re.compile("Ended early")
    ).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/admin/meetings/pair/\?.*progress=ended"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.go_back()

    # On a phone the page does not scroll sideways: wide tables scroll in their own region.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # On paper: no header, navigation or footer; the figures stay.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("navigation", name="On this page")).to_be_hidden()
    expect(chart).to_be_visible()
    assert refused == []
