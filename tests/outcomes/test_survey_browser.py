"""In Chromium: a mentee follows the email to the midpoint survey, misses a question, answers,
changes an answer; staff read the results. Every page axe-clean and Nu-valid."""

import re
import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from outcomes.models import Answer, Response
from outcomes.tasks import send_survey_invitations
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, PairFactory, StaffFactory
from tests.outcomes.survey_factories import SurveyFactory, with_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _check(page, context: str) -> None:
    # The markup first: axe adds its own script to the page.
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_mentee_answers_the_midpoint_survey_and_staff_read_the_results(page, live_server):
    pair = PairFactory(mentee__member__email="maya@example.test")
    survey = SurveyFactory(cohort=pair.cohort, title="Midpoint check-in")
    questions = with_questions(survey)

    with time_machine.travel(datetime(2026, 12, 15, 9, tzinfo=NEW_YORK)):
        send_survey_invitations()
        [email] = [e for e in mail.outbox if e.to == ["maya@example.test"]]
        link = re.search(rf"{live_server.url}/surveys/\d+/", email.body).group(0)

        _sign_in(page, "maya@example.test")
        page.get_by_role("link", name="My surveys").click()
        expect(page.get_by_text("Not answered")).to_be_visible()
        _check(page, "survey list")
        page.goto(link)
        expect(page.get_by_role("heading", name="Midpoint check-in")).to_be_visible()
        _check(page, "survey form")

        # One required question missed: the error says so, what was chosen and typed stays.
        satisfaction = page.get_by_role("group", name=re.compile("satisfied are you with your"))
        page.get_by_role("group", name=re.compile("recommend")).get_by_label("9").check()
        page.get_by_role("group", name=re.compile("How often")).get_by_label("Monthly").check()
        page.get_by_role("group", name=re.compile("What helped")).get_by_label("Goals").check()
        page.get_by_label("Your answer to question 5").fill("Our calls keep getting moved.")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.locator(".error-summary")).to_contain_text("Choose an answer")
        expect(page.get_by_label("Your answer to question 5")).to_have_value(
            "Our calls keep getting moved."
        )
        expect(
            page.get_by_role("group", name=re.compile("recommend")).get_by_label("9")
        ).to_be_checked()
        _check(page, "survey form with an error")

        satisfaction.get_by_label("4").check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("Thank you: your answers are saved")).to_be_visible()
        satisfaction.get_by_label("2", exact=True).check()
        page.get_by_role("button", name="Save my changes").click()
        expect(page.get_by_text("Thank you: your answers are saved")).to_be_visible()

    response = Response.objects.get(invitation__user=pair.mentee.member)
    assert Answer.objects.get(response=response, question=questions["scale"]).number == 2

    # Staff read the results: charts with their tables, the texts.
    page.context.clear_cookies()
    staff = StaffFactory()
    _sign_in(page, staff.email)
    page.goto(f"/admin/outcomes/survey/{survey.pk}/results/")
    expect(page.get_by_role("img", name=re.compile("How satisfied"))).to_be_visible()
    expect(page.get_by_text("Our calls keep getting moved.")).to_be_visible()
    _check(page, "survey results")
