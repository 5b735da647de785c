"""Every page so far: valid HTML, no axe violations, no sideways scrolling on a phone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from cohorts.models import Cohort
from matching.runs import match_run_execute, match_run_start
from tests.browser import assert_accessible, assert_focus_is_visible, assert_valid_html, field
from tests.factories import (
    PASSWORD,
    AcceptedFactory,
    AcceptedMentorFactory,
    ApplicationFactory,
    CohortFactory,
    MeetingFactory,
    MemberFactory,
    PairFactory,
    SelectionCohortFactory,
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
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
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
# The project's own admin pages (Django's are Django's): a finished match run with pairs and
# someone left unmatched, the cohort chooser, the cohort form, a pair's summary.
ADMIN_PAGES = [
    "/admin/matching/matchrun/{run}/change/",
    "/admin/matching/matchrun/start/",
    "/admin/cohorts/cohort/add/",
    "/admin/cohorts/cohort/{cohort}/change/",
    "/admin/meetings/pair/{pair}/change/",
]
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
    assert "There is a problem" in response.content.decode()
    assert_valid_html(response.content, context="apply with errors")


def test_form_errors_are_valid_html(client):
    response = client.post(
        "/accounts/signup/", {"email": "not-an-email", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert_valid_html(response.content, context="sign up with errors")


def _admin_world() -> dict:
    """What the admin pages show: a cohort matched (one mentee left over), a released pair."""
    cohort = SelectionCohortFactory(name="Fall cohort", min_match_score=10)
    AcceptedMentorFactory(cohort=cohort, location="UT")
    AcceptedFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="CO")
    run = match_run_start(cohort=cohort, enqueue=False)
    match_run_execute(run_id=run.pk)
    pair = PairFactory()
    MeetingFactory(match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=UTC))
    return {"run": run.pk, "cohort": cohort.pk, "pair": pair.pk}


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_our_admin_pages_are_valid_html(client, staff, path):
    client.force_login(staff)
    response = client.get(path.format(**_admin_world()))
    assert response.status_code == 200
    assert_valid_html(response.content, context=path)


def test_admin_pages_label_every_input_and_keep_wide_tables_in_their_own_region(client, staff):
    ids = _admin_world()
    client.force_login(staff)
    html = client.get(f"/admin/matching/matchrun/{ids['run']}/change/").content.decode()
    assert 'http-equiv="refresh"' not in html
    assert 'class="module table-scroll" role="region" aria-labelledby="pairs-title"' in html
    cohort_form = client.get("/admin/cohorts/cohort/add/").content.decode()
    assert '<label for="id_application_deadline_1">Time:</label>' in cohort_form


def _title(response) -> str:
    return response.content.decode().split("<title>")[1].split("</title>")[0]


def test_titles_tell_pages_apart(client, cohorts, member, staff):
    client.force_login(member)
    assert _title(client.get("/cohorts/open/apply/mentee/")).startswith(
        "Apply to Open cohort as a mentee"
    )
    assert _title(client.get("/cohorts/open/apply/mentor/")).startswith(
        "Apply to Open cohort as a mentor"
    )

    # A mentor with two mentees: staff reading either pair's pages know which pair it is.
    first = PairFactory(mentor_capacity=2)
    second = PairFactory(cohort=first.cohort, mentor=first.mentor, mentor_slot=2, mentor_capacity=2)
    staff.user_permissions.add(Permission.objects.get(codename="view_pair_workspace"))
    client.force_login(staff)
    for page in ["/mentorship/{}/", "/mentorship/{}/meetings/"]:
        titles = {_title(client.get(page.format(pair.pk))) for pair in [first, second]}
        assert len(titles) == 2
        assert all(str(first.mentor.member) in title for title in titles)

    client.logout()
    response = client.get("/accounts/password/reset/key/1-not-a-key/")
    assert _title(response).startswith("Password reset link not valid")


def _check_each(page, paths, **ids):
    for path in paths:
        page.goto(path.format(**ids))
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
    ids = {"application": application.pk, **_admin_world()}
    for persona, paths in [
        (None, ANONYMOUS_PAGES),
        ("member@example.test", MEMBER_PAGES),
        ("nonmember@example.test", NON_MEMBER_PAGES),
        ("staff@example.test", [*STAFF_PAGES, *ADMIN_PAGES]),
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
            _check_each(page, paths, **ids)
        finally:
            context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_focus_ring_shows_at_3_to_1_and_2px_on_member_and_staff_pages(page, live_server):
    CohortFactory(slug="open", name="Open cohort")
    MemberFactory(email="member@example.test")
    StaffFactory(email="staff@example.test")
    ids = _admin_world()
    _sign_in(page, "member@example.test", live_server)
    page.goto("/cohorts/open/apply/mentee/")
    page.get_by_role("button", name="Submit application").click()
    # Form controls, radios, checkboxes, buttons, the error summary's links, header and footer.
    assert_focus_is_visible(page, context="apply with errors")
    page.goto("/profile/")
    assert_focus_is_visible(page, context="profile")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, "staff@example.test", live_server)
    for path in [ADMIN_PAGES[0], ADMIN_PAGES[3]]:  # the run page, the cohort form
        page.goto(path.format(**ids))
        assert_focus_is_visible(page, context=path)


def _sign_in(page, email: str, live_server) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url(f"{live_server.url}/")


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
