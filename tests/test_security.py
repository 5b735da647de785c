"""The browser-side defences: the Content-Security-Policy and Permissions-Policy headers, the
pages working under them in Chromium, and the site's own page for a form without its token."""

import re

import pytest
from django.test import Client, override_settings

from meetings.models import Goal
from tests.browser import assert_valid_html, field
from tests.factories import PASSWORD, CohortFactory, PairFactory, StaffFactory
from tests.test_settings_env import PRODUCTION_ENV, _django

pytestmark = pytest.mark.django_db

# The test settings are the production settings (DEBUG off) with plain HTTP; these pin the
# policy the production settings define, so that a change to it is a change to this test too.
PRODUCTION_HEADERS = {
    "CONTENT_SECURITY_POLICY": {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "frame-ancestors": ["'none'"],
        }
    },
    "PERMISSIONS_POLICY": "camera=(), geolocation=(), microphone=()",
}


def test_production_settings_send_a_strict_csp_and_a_permissions_policy(client, settings):
    # What production defines is what the tests run under.
    csp = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert csp["script-src"] == csp["style-src"] == ["'self'"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert f"{feature}=()" in settings.PERMISSIONS_POLICY

    with override_settings(**PRODUCTION_HEADERS):
        response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["Permissions-Policy"] == "camera=(), geolocation=(), microphone=()"


def test_error_pages_and_admin_carry_the_headers_too(client, staff):
    client.force_login(staff)
    for path, status in [("/no-such-page/", 404), ("/admin/", 200)]:
        response = client.get(path)
        assert response.status_code == status
        assert "Content-Security-Policy" in response
        assert "Permissions-Policy" in response


@override_settings(CONTENT_SECURITY_POLICY=None, PERMISSIONS_POLICY="")
def test_without_a_policy_no_header_is_sent(client):
    response = client.get("/")
    assert "Content-Security-Policy" not in response
    assert "Permissions-Policy" not in response


def test_debug_settings_leave_the_policies_off_for_djangos_debug_pages():
    env = {**PRODUCTION_ENV, "DEBUG": "1"}
    code = (
        "from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY, repr(settings.PERMISSIONS_POLICY))"
    )
    completed = _django(["shell", "-c", code], env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "None ''"


def test_a_form_posted_without_its_csrf_token_gets_the_sites_page_with_a_way_back(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/profile/", {"bio": "Something I typed"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>Your form was not sent · Guided Mentorship Program</title>" in html
    assert 'href="/profile/">Open the form again</a>' in html
    assert 'class="site-header' in html  # the site's own layout, with its navigation
    assert "Signed in as member@example.test" in html
    assert_valid_html(html, context="CSRF failure")


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_work_in_chromium_with_no_csp_violation(page):
    CohortFactory(slug="open", name="Open cohort")
    pair = PairFactory()
    goal = Goal.objects.create(match=pair, title="Board certification")
    member = pair.mentee.member
    StaffFactory(email="staff@example.test")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))

    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    _sign_in(page, member.email)
    for path in [
        "/",
        "/profile/",
        "/applications/",
        "/cohorts/open/apply/mentee/",
        f"/mentorship/{pair.pk}/",
        f"/mentorship/{pair.pk}/goals/{goal.pk}/",
        f"/mentorship/{pair.pk}/meetings/plan/",
    ]:
        page.goto(path)
    # A form with errors: the script runs (the summary takes focus) and nothing is refused.
    page.goto("/cohorts/open/apply/mentee/")
    page.get_by_role("button", name="Submit application").click()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.get_by_role("link", name=re.compile("goals you want to achieve")).click()
    assert page.evaluate("document.activeElement.id") == "id_goals"

    # The Django admin, with its own scripts (date pickers, actions), under the same policy.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, "staff@example.test")
    for path in ["/admin/", "/admin/applications/application/", "/admin/cohorts/cohort/add/"]:
        page.goto(path)
    page.get_by_role("link", name="Today").first.click()
    assert page.evaluate("[...document.querySelectorAll('.vDateField')].some(i => i.value)")
    assert violations == []
