"""The staff matching journey in Chromium: log in to admin, run matching, read why, approve."""

import pytest
from playwright.sync_api import expect

from matching.models import Match
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import (
    PASSWORD,
    AcceptedFactory,
    AcceptedMentorFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, context: str) -> None:
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def test_staff_run_matching_read_a_pairs_reasons_and_approve_it(page):
    cohort = SelectionCohortFactory(name="Fall cohort", min_match_score=10)
    mentor = AcceptedMentorFactory(cohort=cohort, location="UT")
    mentee = AcceptedFactory(cohort=cohort, location="CO")
    far = AcceptedFactory(cohort=cohort, location="FL")
    staff = StaffFactory()

    # The admin sends people to the site's sign-in page, where a second factor is asked.
    page.goto("/admin/")
    field(page, "Email").fill(staff.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/admin/cohorts/cohort/")
    page.get_by_role("link", name="Fall cohort").click()
    page.get_by_role("link", name="Run matching").click()
    expect(page.get_by_role("heading", name="Run matching for Fall cohort")).to_be_visible()
    _check(page, "run matching")
    page.get_by_label("Region:").fill("60")
    page.get_by_role("button", name="Save weights and run matching").click()

    # In-process tasks finish within the request; with a worker the page refreshes itself.
    expect(page.get_by_text("1 pair proposed")).to_be_visible()
    _check(page, "match run result")
    row = page.get_by_role("row").filter(has_text=str(mentor.member))
    expect(row).to_contain_text(str(mentee.member))
    expect(row).to_contain_text("both in the Mountain division")
    unmatched = page.get_by_role("row").filter(has_text=str(far.member))
    expect(unmatched).to_contain_text("no mentor scores at or above the minimum of 10")

    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text("1 match approved.")).to_be_visible()
    expect(row).to_contain_text("Approved")
    match = Match.objects.get()
    assert (match.status, match.decided_by, match.mentee) == ("approved", staff, mentee)
