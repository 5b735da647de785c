"""A pair in trouble, in Chromium: the mentee tells the office, staff end the pair and rematch
the mentee, and the mentee finds the new mentor in their workspace."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from matching.models import Match
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, AcceptedMentorFactory, PairFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENVER = zoneinfo.ZoneInfo("America/Denver")


def _check(page, context: str) -> None:
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(user.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_mentee_tells_the_office_and_staff_rematch_them(page):
    pair = PairFactory()
    mentee, old_mentor = pair.mentee.member, pair.mentor.member
    new_mentor = AcceptedMentorFactory(cohort=pair.cohort, location="CO").member
    staff = StaffFactory()

    with time_machine.travel(datetime(2026, 12, 10, 9, tzinfo=DENVER)):
        _sign_in(page, mentee)
        page.get_by_role("link", name="My mentorship").click()
        page.get_by_role("link", name="tell the program office").click()
        _check(page, "tell the office")
        page.get_by_label("My partner is not responding").check()
        field(page, "Anything you want the office to know (optional)").fill(
            "No answer to three emails."
        )
        page.get_by_role("button", name="Send to the program office").click()
        expect(page.get_by_text("the program office has your message")).to_be_visible()
        expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
        _check(page, "told the office")

        page.context.clear_cookies()
        _sign_in(page, staff)
        page.goto(f"/admin/meetings/pair/{pair.pk}/change/")
        expect(page.get_by_text("No answer to three emails.")).to_be_visible()
        _check(page, "pair with a concern")
        page.get_by_role("link", name="End and rematch").click()
        expect(page.get_by_role("heading", name=f"End and rematch: {pair}")).to_be_visible()
        _check(page, "rematch page")
        page.get_by_label(str(new_mentor), exact=False).check()
        page.get_by_role("button", name="End the pair and make the new one").click()
        expect(page.get_by_text("their hours count from today")).to_be_visible()

        new = Match.objects.get(mentor__member=new_mentor)
        assert (new.mentee.member, new.status) == (mentee, "approved")
        assert Match.objects.get(pk=pair.pk).status == "ended"

        page.context.clear_cookies()
        _sign_in(page, mentee)
        page.goto(f"/mentorship/{new.pk}/")
        heading = page.get_by_role("heading", name=f"Your mentorship with {new_mentor}")
        expect(heading).to_be_visible()
        assert str(old_mentor) not in page.get_by_role("main").inner_text()
