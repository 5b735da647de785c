"""The pair journey in Chromium: the mentee sets a goal, plans a meeting, downloads its .ics,
logs it once it took place; the mentor confirms; the progress moves."""

import zoneinfo
from datetime import datetime

import pytest
import time_machine
from icalendar import Calendar
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, MeetingFactory, PairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENVER = zoneinfo.ZoneInfo("America/Denver")


def _check(page, context: str) -> None:
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_pair_plans_logs_and_confirms_a_meeting_and_the_progress_moves(page, tmp_path):
    pair = PairFactory()
    # October and November already met; December is this month.
    mentee, mentor = pair.mentee.member, pair.mentor.member
    for day in (datetime(2026, 10, 8, 17, tzinfo=DENVER), datetime(2026, 11, 5, 17, tzinfo=DENVER)):
        MeetingFactory(match=pair, starts_at=day, confirmed_at=day, confirmed_by=mentor)

    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=DENVER)) as traveller:
        _sign_in(page, mentee)
        page.get_by_role("link", name="My mentorship").click()
        expect(page.get_by_role("heading", name=f"Your mentorship with {mentor}")).to_be_visible()
        expect(page.get_by_text("2 h of 6 h met (33%)")).to_be_visible()
        _check(page, "workspace")

        page.get_by_role("link", name="Add a goal").click()
        field(page, "Title").fill("Prepare for residency interviews")
        field(page, "Status").select_option(label="In progress")
        _check(page, "goal form")
        page.get_by_role("button", name="Save goal").click()
        expect(page.get_by_text("Goal “Prepare for residency interviews” saved.")).to_be_visible()
        field(page, "Next step").fill("Mock interview with my mentor")
        page.get_by_role("button", name="Add step").click()
        expect(page.get_by_text("Step added.")).to_be_visible()
        _check(page, "goal page")

        page.get_by_role("link", name=f"With {mentor}").click()
        page.get_by_role("link", name="Plan a meeting").first.click()
        field(page, "Date and time").fill("2026-12-08T17:00")
        field(page, "Duration (minutes)").fill("75")
        field(page, "Agenda").fill("Mock interview")
        _check(page, "plan form")
        page.get_by_role("button", name="Plan meeting").click()
        expect(page.get_by_text("Meeting planned.")).to_be_visible()
        _check(page, "planned meeting")

        with page.expect_download() as download:
            page.get_by_role("link", name="Add to your calendar (.ics)").click()
        calendar = Calendar.from_ical(download.value.path().read_bytes())
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == datetime(2026, 12, 8, 17, tzinfo=DENVER)
        assert "Mock interview" in str(event["description"])

        traveller.move_to(datetime(2026, 12, 9, 9, tzinfo=DENVER))
        page.reload()
        page.get_by_role("link", name="Log it as held").click()
        field(page, "Topics discussed").fill("Interview questions; the why-this-program answer")
        _check(page, "log form")
        page.get_by_role("button", name="Log meeting").click()
        expect(
            page.get_by_text("Meeting logged. Your partner is asked to confirm it.")
        ).to_be_visible()

        page.context.clear_cookies()
        _sign_in(page, mentor)
        page.get_by_role("link", name="My mentorship").click()
        expect(page.get_by_role("heading", name="Please confirm 1 meeting")).to_be_visible()
        _check(page, "workspace with a meeting to confirm")
        page.get_by_role("button", name="Confirm the meeting of December 8").click()
        expect(page.get_by_text("Thank you: the meeting is confirmed.")).to_be_visible()
        expect(page.get_by_text("3 h 15 min of 6 h met (54%)")).to_be_visible()
        december = page.get_by_role("listitem").filter(has_text="Dec 2026")
        expect(december).to_contain_text("1 h 15 min")
        expect(december).to_contain_text("Minimum met")

    meeting = Meeting.objects.get(starts_at=datetime(2026, 12, 8, 17, tzinfo=DENVER))
    assert (meeting.status, meeting.logged_by, meeting.confirmed_by) == ("held", mentee, mentor)


def test_the_workspace_reads_well_on_a_phone(page):
    pair = PairFactory()
    MeetingFactory.create_batch(3, match=pair)
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=DENVER)):
        page.set_viewport_size({"width": 375, "height": 800})
        _sign_in(page, pair.mentee.member)
        page.goto(f"/mentorship/{pair.pk}/")
        expect(page.get_by_role("heading", name="Progress toward your commitment")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        _check(page, "workspace on a phone")
