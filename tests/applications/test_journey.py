"""The apply journey in Chromium, from signing up to seeing the application's status."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, CareerStage, Location
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import CohortFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, context: str) -> None:
    # The markup first: axe adds its own script to the page.
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def test_a_student_signs_up_links_membership_drafts_submits_and_sees_status(page, live_server):
    CohortFactory(slug="fall", name="Fall cohort")
    MembershipFactory(member_number="S-2026", first_name="Sofia", last_name="Reyes")

    page.goto("/cohorts/fall/")
    _check(page, "cohort page, signed out")
    page.get_by_role("link", name="Apply as a mentee").click()
    page.get_by_role("link", name="Create an account").click()
    field(page, "First name").fill("Sofía")
    field(page, "Last name").fill("Reyes")
    field(page, "Email").fill("sofia@example.test")
    field(page, "Password").fill("a-long-pass-phrase")
    field(page, "Password (again)").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(rf"{live_server.url}/accounts/confirm-email/\S+", mail.outbox[-1].body).group(
        0
    )
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.goto("/cohorts/fall/apply/mentee/")
    expect(page.get_by_text("open to association members only")).to_be_visible()
    _check(page, "apply, not yet a member")
    page.get_by_role("link", name="Confirm your membership").click()
    _check(page, "membership")
    field(page, "Member number").fill("S-2026")
    field(page, "Last name").fill("reyes")
    page.get_by_role("button", name="Confirm membership").click()
    expect(page.get_by_text("Your membership is confirmed.")).to_be_visible()

    # Back on the apply page, which asks for the profile fields matching needs.
    expect(page.get_by_role("heading", name="Apply to Fall cohort as a mentee")).to_be_visible()
    page.get_by_role("link", name="Complete your profile").click()
    _check(page, "profile")
    field(page, "State, or outside the US").select_option(label="Colorado")
    field(page, "Career stage").select_option(label="Student pharmacist, P3")
    page.get_by_label("Inpatient care").first.check()
    page.get_by_label("Residency preparation").check()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Apply to Fall cohort as a mentee")).to_be_visible()
    _check(page, "apply form")
    field(page, "Skills, knowledge and goals you want to achieve").fill("Residency in oncology.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    assert Application.objects.get().status == "draft"

    # Submitting without the agreements is refused, and the goals are still there.
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Tick this box to agree to the time commitment."
    )
    expect(page.locator(".error-summary")).to_be_focused()
    expect(field(page, "Skills, knowledge and goals you want to achieve")).to_have_value(
        "Residency in oncology."
    )
    _check(page, "apply form with an error")
    page.get_by_label(re.compile("I will commit at least 6 hours")).check()
    page.get_by_label(re.compile("I will keep what my mentor or mentee shares")).check()
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_role("heading", name="Your application to Fall cohort")).to_be_visible()
    expect(page.get_by_text("We have your application.")).to_be_visible()
    _check(page, "application status")
    application = Application.objects.get()
    assert application.status == "submitted"
    assert application.profile_snapshot["location"] == "CO"
    assert (
        application.profile_snapshot["career_stage"]
        == CareerStage.objects.get(name="Student pharmacist, P3").pk
    )
    assert mail.outbox[-1].subject == "We have your application to Fall cohort"

    page.get_by_role("link", name="My applications").click()
    expect(page.get_by_role("cell", name="Submitted")).to_be_visible()
    _check(page, "my applications")
    assert Location.objects.filter(code="CO").exists()
