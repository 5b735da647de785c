"""A meeting logged twice is refused with a link to the one already there and who confirms it."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from meetings.models import Meeting
from tests.browser import assert_valid_html
from tests.factories import MeetingFactory, PairFactory
from tests.meetings.clock import DENVER, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]

NOV_12 = datetime(2026, 11, 12, 17, tzinfo=DENVER)


@pytest.fixture
def pair():
    return PairFactory()


def _log(client, pair, starts_at="2026-11-12T17:15"):
    return client.post(
        reverse("meetings:meeting_log", args=[pair.pk]),
        {"starts_at": starts_at, "duration_minutes": "60", "format": "video", "topics": "Mine"},
    )


def test_the_partner_of_the_author_is_sent_to_confirm_the_logged_meeting(client, pair):
    logged = MeetingFactory(match=pair, starts_at=NOV_12)  # logged by the mentee
    client.force_login(pair.mentor.member)
    html = _log(client, pair).content.decode()
    mentee = pair.mentee.member.display_name
    assert escape(f"{mentee} already logged a meeting on November 12 at 5:00 PM.") in html
    assert "open it and confirm it instead of logging it again" in html
    assert f'<a href="{logged.get_absolute_url()}">Open the meeting of November 12</a>' in html
    assert "Mine" in html  # what was typed is kept
    assert Meeting.objects.count() == 1
    assert_valid_html(html)
    # The linked page offers the confirmation the message promises.
    assert "Confirm it took place" in client.get(logged.get_absolute_url()).content.decode()


def test_the_author_is_told_the_meeting_is_logged_and_the_partner_confirms_it(client, pair):
    logged = MeetingFactory(match=pair, starts_at=NOV_12)
    client.force_login(pair.mentee.member)
    html = _log(client, pair).content.decode()
    mentor = pair.mentor.member.display_name
    assert "You already logged a meeting on November 12 at 5:00 PM; it counts once." in html
    assert escape(f"{mentor} confirms it; there is nothing more for you to do.") in html
    assert "confirm it instead" not in html
    assert f'href="{logged.get_absolute_url()}"' in html
    # And indeed the author has no confirm button there.
    assert "Confirm it took place" not in client.get(logged.get_absolute_url()).content.decode()


def test_a_confirmed_meeting_is_not_offered_for_confirmation_again(client, pair):
    MeetingFactory(
        match=pair,
        starts_at=NOV_12,
        confirmed_by=pair.mentor.member,
        confirmed_at=NOV_12 + timedelta(days=1),
    )
    client.force_login(pair.mentor.member)
    html = _log(client, pair).content.decode()
    assert "and it is confirmed; it counts once" in html
    assert "confirm it instead" not in html


def test_logging_over_a_planned_meeting_points_to_marking_it_held(client, pair):
    planned = MeetingFactory(match=pair, status="planned", starts_at=NOV_12)
    client.force_login(pair.mentor.member)
    html = _log(client, pair).content.decode()
    assert "A meeting is already planned on November 12 at 5:00 PM." in html
    assert "open it and log it as held instead" in html
    assert f'href="{planned.get_absolute_url()}"' in html


def test_planning_over_a_planned_meeting_points_to_rescheduling_it(client, pair):
    planned = MeetingFactory(match=pair, status="planned", starts_at=NOW + timedelta(days=3))
    client.force_login(pair.mentor.member)
    response = client.post(
        reverse("meetings:meeting_plan", args=[pair.pk]),
        {"starts_at": "2026-12-13T12:30", "duration_minutes": "60", "format": "video"},
    )
    html = response.content.decode()
    assert "Open it to reschedule it, or pick another time." in html
    assert f'href="{planned.get_absolute_url()}"' in html


def test_marking_held_a_meeting_the_partner_already_logged_sends_to_confirm_it(client, pair):
    logged = MeetingFactory(match=pair, starts_at=NOV_12)
    client.force_login(pair.mentor.member)
    response = client.post(
        reverse("meetings:meeting_held", args=[pair.pk, logged.pk]),
        {"starts_at": "2026-11-12T17:00", "duration_minutes": "60", "format": "video"},
    )
    html = response.content.decode()
    assert "open it and confirm it instead of logging it again" in html
    assert f'href="{logged.get_absolute_url()}"' in html
