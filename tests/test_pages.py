"""Every page so far: valid HTML, no axe violations, no sideways scrolling on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts.models import Cohort
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CohortFactory,
    MemberFactory,
    StaffFactory,
    UserFactory,
)

ANONYMOUS_PAGES = [
    "/",
    "/cohorts/open/",
    "/cohorts/upcoming/",
    "/cohorts/closed/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/no-such-page/",
]
MEMBER_PAGES = [
    "/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/cohorts/open/",
    "/membership/",
    "/profile/",
    "/applications/",
    "/applications/{application}/",
    "/applications/{application}/withdraw/",
    "/applications/{application}/match/",
    "/mentorship/",
    "/mentorship/calendar/",
    "/notifications/preferences/",
    "/cohorts/upcoming/apply/mentee/",
    "/cohorts/open/apply/mentor/",
    "/cohorts/closed/apply/mentee/",
]
STAFF_PAGES = ["/", "/applications/{application}/review/"]
NON_MEMBER_PAGES = ["/applications/", "/membership/", "/cohorts/open/apply/mentee/"]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def cohorts(db):
    now = timezone.now()
    CohortFactory(slug="open", name="Open cohort")
    CohortFactory(
        slug="upcoming", name="Upcoming cohort", applications_open_at=now + timedelta(days=5)
    )
    CohortFactory(
        slug="closed", name="Closed cohort", applications_open_at=now - timedelta(days=300)
    )


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_pages_for_visitors_are_valid_html(client, cohorts, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    assert_valid_html(response.content, context=path)


def _application_for(user) -> int:
    from applications.models import Application

    existing = Application.objects.filter(member=user).first()
    if existing:
        return existing.pk
    cohort = Cohort.objects.get(slug="upcoming")
    return ApplicationFactory(member=user, cohort=cohort).pk


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_pages_for_members_are_valid_html(client, cohorts, member, path):
    client.force_login(member)
    response = client.get(path.format(application=_application_for(member)))
    assert response.status_code == 200
    assert_valid_html(response.content, context=path)


@pytest.mark.parametrize("path", NON_MEMBER_PAGES)
def test_pages_for_non_members_are_valid_html(client, cohorts, non_member, path):
    client.force_login(non_member)
    response = client.get(path)
    assert response.status_code == 200
    assert_valid_html(response.content, context=path)


def test_form_errors_on_the_apply_page_are_valid_html(client, cohorts, member):
    client.force_login(member)
    response = client.post("/cohorts/open/apply/mentee/", {"action": "submit"})
    assert "Before you submit" in response.content.decode()
    assert_valid_html(response.content, context="apply with errors")


def test_form_errors_are_valid_html(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert_valid_html(response.content, context="sign up with errors")


def _check_each(page, paths, application=None):
    for path in paths:
        page.goto(path.format(application=application))
        assert_accessible(page, context=path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (
            f"{path} scrolls sideways by {overflow}px on a {page.viewport_size['width']}px screen"
        )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_page_is_accessible_and_fits_the_screen(chromium_browser, live_server, viewport):
    CohortFactory(slug="open", name="Open cohort")
    CohortFactory(slug="upcoming", applications_open_at=timezone.now() + timedelta(days=5))
    CohortFactory(slug="closed", applications_open_at=timezone.now() - timedelta(days=300))
    member = MemberFactory(email="member@example.test")
    application = ApplicationFactory(member=member, cohort=Cohort.objects.get(slug="upcoming"))
    UserFactory(email="nonmember@example.test")
    StaffFactory(email="staff@example.test")
    for persona, paths in [
        (None, ANONYMOUS_PAGES),
        ("member@example.test", MEMBER_PAGES),
        ("nonmember@example.test", NON_MEMBER_PAGES),
        ("staff@example.test", STAFF_PAGES),
    ]:
        options = {"viewport": viewport} if viewport else {}
        context = chromium_browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        try:
            if persona is None:
                _check_each(page, paths)
                continue
            page.goto("/accounts/login/")
            field(page, "Email").fill(persona)
            field(page, "Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server.url}/")
            _check_each(page, paths, application=application.pk)
        finally:
            context.close()


def test_the_home_page_lists_open_cohorts_in_constant_queries(
    client, member, django_assert_max_num_queries
):
    for n in range(30):
        CohortFactory(slug=f"c{n}")
    client.force_login(member)
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count("Applications open") == 30
