"""The pair workspace pages: privacy for every URL, the forms, calendar files and query counts."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from icalendar import Calendar

from meetings.models import ActionItem, Goal, GoalComment, Meeting
from meetings.services import calendar_feed_for, calendar_feed_reset
from tests.browser import assert_valid_html
from tests.factories import (
    MeetingFactory,
    MemberFactory,
    PairFactory,
    StaffFactory,
)
from tests.meetings.clock import DENVER, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]


@pytest.fixture
def pair():
    return PairFactory()


@pytest.fixture
def world(pair):
    """A pair with something behind every URL: a goal with a step, a held and a planned meeting."""
    goal = Goal.objects.create(match=pair, title="Secret goal title", description="Private plan")
    step = ActionItem.objects.create(goal=goal, title="Step one")
    held = MeetingFactory(
        match=pair,
        starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER),
        notes="Private meeting notes",
    )
    planned = MeetingFactory(
        match=pair, status="planned", starts_at=NOW + timedelta(days=3), agenda="Agenda text"
    )
    return {"pair": pair, "goal": goal, "step": step, "held": held, "planned": planned}


def read_urls(w) -> list[str]:
    p, g, h, m = w["pair"].pk, w["goal"].pk, w["held"].pk, w["planned"].pk
    return [
        reverse("meetings:workspace", args=[p]),
        reverse("meetings:goal", args=[p, g]),
        reverse("meetings:meetings", args=[p]),
        reverse("meetings:meeting", args=[p, h]),
        reverse("meetings:meeting", args=[p, m]),
        reverse("meetings:meeting_ics", args=[p, m]),
    ]


def write_urls(w) -> list[str]:
    p, g, s, h, m = w["pair"].pk, w["goal"].pk, w["step"].pk, w["held"].pk, w["planned"].pk
    return [
        reverse("meetings:expectations", args=[p]),
        reverse("meetings:expectations_acknowledge", args=[p]),
        reverse("meetings:goal_new", args=[p]),
        reverse("meetings:goal_edit", args=[p, g]),
        reverse("meetings:goal_delete", args=[p, g]),
        reverse("meetings:step_add", args=[p, g]),
        reverse("meetings:step_update", args=[p, g, s]),
        reverse("meetings:goal_comment", args=[p, g]),
        reverse("meetings:meeting_plan", args=[p]),
        reverse("meetings:meeting_log", args=[p]),
        reverse("meetings:meeting_reschedule", args=[p, m]),
        reverse("meetings:meeting_held", args=[p, m]),
        reverse("meetings:meeting_log_edit", args=[p, h]),
        reverse("meetings:meeting_confirm", args=[p, h]),
        reverse("meetings:meeting_cancel", args=[p, m]),
        reverse("meetings:meeting_delete", args=[p, h]),
    ]


def _staff_with_workspace_permission():
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_pair_workspace"))
    return staff


OUTSIDERS = {
    "a member in no pair": lambda w: MemberFactory(),
    "a member of another pair in the same cohort": lambda w: (
        PairFactory(cohort=w["pair"].cohort).mentee.member
    ),
    "staff without the workspace permission": lambda w: StaffFactory(is_superuser=False),
}


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_outside_the_pair_gets_404_on_every_url(client, world, persona):
    client.force_login(OUTSIDERS[persona](world))
    for url in read_urls(world) + write_urls(world):
        assert client.get(url).status_code in {404, 405}, url
        assert client.post(url, {"done": "1"}).status_code == 404, url
    assert Meeting.objects.count() == 2
    assert Goal.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in_whatever_the_pair(client, world):
    for url in [*read_urls(world), reverse("meetings:workspace", args=[world["pair"].pk + 999])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["mentor", "mentee"])
def test_both_members_see_every_page_of_their_workspace(client, world, role):
    member = getattr(world["pair"], role).member
    client.force_login(member)
    for url in read_urls(world):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("meetings:meeting", args=[world["pair"].pk, world["held"].pk]))
    assert "Private meeting notes" in page.content.decode()


def test_staff_with_the_permission_read_the_workspace_but_change_nothing(client, world):
    client.force_login(_staff_with_workspace_permission())
    for url in read_urls(world):
        assert client.get(url).status_code == 200, url
    for url in write_urls(world):
        assert client.post(url, {"done": "1"}).status_code == 404, url
    page = client.get(reverse("meetings:workspace", args=[world["pair"].pk])).content.decode()
    assert "viewing this pair's workspace as program staff" in page
    assert "Plan a meeting" not in page


def test_a_match_not_yet_released_is_not_found_even_by_its_members(client):
    pair = PairFactory(notified_at=None)
    client.force_login(pair.mentee.member)
    assert client.get(reverse("meetings:workspace", args=[pair.pk])).status_code == 404


def test_the_mentor_cannot_open_the_mentees_goal_and_expectation_forms(client, world):
    client.force_login(world["pair"].mentor.member)
    assert client.get(reverse("meetings:goal_new", args=[world["pair"].pk])).status_code == 404
    assert client.get(reverse("meetings:expectations", args=[world["pair"].pk])).status_code == 404


# The workspace page ------------------------------------------------------------------------


def test_the_workspace_shows_partner_progress_next_meeting_and_goals(client, world):
    client.force_login(world["pair"].mentee.member)
    html = client.get(reverse("meetings:workspace", args=[world["pair"].pk])).content.decode()
    mentor = world["pair"].mentor.member
    assert str(mentor) in html
    assert mentor.email in html
    assert "1 h</strong> of 6 h met (16%)" in html
    assert 'max="100" value="16"' in html
    assert "Secret goal title" in html
    assert "Next meeting:" in html
    # Oct met, Nov missed (no meeting), Dec in progress: at risk, said in words.
    assert "At risk" in html
    assert "No meeting was logged in November." in html
    assert_valid_html(html)


def test_the_workspace_counts_a_goals_steps_once_however_many_comments_it_has(client, pair):
    goal = Goal.objects.create(match=pair, title="Board certification")
    ActionItem.objects.create(goal=goal, title="Buy the review book", done_at=NOW)
    ActionItem.objects.create(goal=goal, title="Book the exam")
    for body in ("Good plan.", "Start with the book.", "Ask your residency director."):
        GoalComment.objects.create(goal=goal, author=pair.mentor.member, body=body)
    client.force_login(pair.mentee.member)
    html = client.get(reverse("meetings:workspace", args=[pair.pk])).content.decode()
    assert "1 of 2 steps done · 3 comments" in html


def test_the_partner_is_asked_to_confirm_a_meeting_and_confirming_clears_it(client, world):
    pair = world["pair"]
    client.force_login(pair.mentor.member)
    url = reverse("meetings:workspace", args=[pair.pk])
    assert "Please confirm 1 meeting" in client.get(url).content.decode()
    response = client.post(
        reverse("meetings:meeting_confirm", args=[pair.pk, world["held"].pk]),
        {"back": "workspace"},
    )
    assert response.status_code == 302
    assert "Please confirm" not in client.get(url).content.decode()
    world["held"].refresh_from_db()
    assert world["held"].confirmed_by == pair.mentor.member


def test_a_member_with_one_pair_goes_straight_to_it_and_one_with_none_is_told(client, pair):
    client.force_login(pair.mentee.member)
    response = client.get(reverse("meetings:list"))
    assert response["Location"] == reverse("meetings:workspace", args=[pair.pk])
    client.force_login(MemberFactory())
    assert "not in a mentoring pair yet" in client.get(reverse("meetings:list")).content.decode()


def test_a_mentor_with_two_mentees_chooses_between_the_pairs(client, pair):
    second = PairFactory(cohort=pair.cohort, mentor=pair.mentor, mentor_slot=2, mentor_capacity=2)
    client.force_login(pair.mentor.member)
    html = client.get(reverse("meetings:list")).content.decode()
    assert str(pair.mentee.member) in html
    assert str(second.mentee.member) in html


def test_after_the_period_a_meeting_can_still_be_logged_but_none_is_offered_for_planning(
    client, pair
):
    plan_url = reverse("meetings:meeting_plan", args=[pair.pk])
    log_url = reverse("meetings:meeting_log", args=[pair.pk])
    client.force_login(pair.mentee.member)
    for page in ("meetings:workspace", "meetings:meetings"):
        html = client.get(reverse(page, args=[pair.pk])).content.decode()
        assert plan_url in html and log_url in html
    # The pilot's period ends March 31, 2027 (in the program's zone).
    with time_machine.travel(datetime(2027, 4, 1, 9, tzinfo=DENVER), tick=False):
        client.force_login(pair.mentee.member)  # the first session has expired by then
        for page in ("meetings:workspace", "meetings:meetings"):
            html = client.get(reverse(page, args=[pair.pk])).content.decode()
            assert plan_url not in html and log_url in html
            assert "plan the next one" not in html


# Forms ---------------------------------------------------------------------------------------


def test_logging_a_meeting_reads_the_time_in_the_members_zone_and_moves_the_progress(client, pair):
    client.force_login(pair.mentee.member)  # the mentee's profile says America/Denver
    response = client.post(
        reverse("meetings:meeting_log", args=[pair.pk]),
        {
            "starts_at": "2026-11-30T22:30",
            "duration_minutes": "45",
            "format": "phone",
            "topics": "Residency programs",
            "next_steps": "",
            "notes": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == datetime(2026, 11, 30, 22, 30, tzinfo=DENVER)
    assert meeting.held_on.isoformat() == "2026-11-30"
    html = client.get(reverse("meetings:workspace", args=[pair.pk])).content.decode()
    assert "45 min</strong> of 6 h" in html


def test_a_refused_log_keeps_what_the_member_typed_and_says_why(client, pair):
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:meeting_log", args=[pair.pk]),
        {
            "starts_at": "2026-12-24T10:00",
            "duration_minutes": "60",
            "format": "video",
            "topics": "Words I do not want to type twice",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "once it has taken place" in html
    assert "Words I do not want to type twice" in html
    assert not Meeting.objects.exists()
    assert_valid_html(html)


def test_an_out_of_bounds_duration_gets_a_message_next_to_the_field(client, pair):
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:meeting_log", args=[pair.pk]),
        {"starts_at": "2026-12-01T10:00", "duration_minutes": "600", "format": "video"},
    )
    assert "less than or equal to 300" in response.content.decode()
    assert not Meeting.objects.exists()


def test_editing_a_log_shows_its_values_in_the_members_zone(client, world):
    client.force_login(world["pair"].mentee.member)
    url = reverse("meetings:meeting_log_edit", args=[world["pair"].pk, world["held"].pk])
    html = client.get(url).content.decode()
    local = world["held"].starts_at.astimezone(DENVER).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in html


def test_the_mentee_adds_a_goal_with_a_step_and_the_mentor_comments(client, pair):
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:goal_new", args=[pair.pk]),
        {
            "title": "Board certification",
            "description": "",
            "target_date": "",
            "status": "in_progress",
        },
    )
    goal = Goal.objects.get()
    assert response["Location"] == reverse("meetings:goal", args=[pair.pk, goal.pk])
    client.post(
        reverse("meetings:step_add", args=[pair.pk, goal.pk]),
        {"step-title": "Buy the review book", "step-due_date": "2027-01-15"},
    )
    client.force_login(pair.mentor.member)
    client.post(
        reverse("meetings:goal_comment", args=[pair.pk, goal.pk]), {"comment-body": "Good plan."}
    )
    html = client.get(reverse("meetings:goal", args=[pair.pk, goal.pk])).content.decode()
    assert "Buy the review book" in html
    assert "Good plan." in html
    assert "Add step" not in html  # the mentor comments; the action plan is the mentee's
    assert_valid_html(html)


def test_an_empty_goal_title_is_refused_with_a_message(client, pair):
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:goal_new", args=[pair.pk]),
        {"title": "", "description": "Keep this text", "status": "not_started"},
    )
    assert "This field is required" in response.content.decode()
    assert "Keep this text" in response.content.decode()
    assert not Goal.objects.exists()


def test_expectations_go_from_draft_to_acknowledged(client, pair):
    client.force_login(pair.mentee.member)
    client.post(
        reverse("meetings:expectations", args=[pair.pk]),
        {"meeting_plan": "Monthly call", "communication": "Email", "other": ""},
    )
    client.force_login(pair.mentor.member)
    url = reverse("meetings:workspace", args=[pair.pk])
    assert "Waiting for the mentor to acknowledge" in client.get(url).content.decode()
    client.post(reverse("meetings:expectations_acknowledge", args=[pair.pk]))
    assert "Acknowledged by" in client.get(url).content.decode()


# Calendar files --------------------------------------------------------------------------------


def _parse(response) -> Calendar:
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_a_meetings_ics_file_parses_with_its_time_in_utc_and_a_stable_uid(client, world):
    client.force_login(world["pair"].mentee.member)
    planned = world["planned"]
    response = client.get(reverse("meetings:meeting_ics", args=[world["pair"].pk, planned.pk]))
    (event,) = _parse(response).walk("VEVENT")
    assert event.decoded("dtstart") == planned.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
    assert str(event["uid"]).startswith(f"meeting-{planned.pk}@")
    assert str(world["pair"].mentor.member) in str(event["summary"])
    assert "Agenda text" in str(event["description"])


def test_the_calendar_feed_lists_the_members_meetings_and_orientation_by_secret_url(client, world):
    member = world["pair"].mentor.member
    feed = calendar_feed_for(member)
    client.logout()  # calendar apps do not sign in
    response = client.get(reverse("meetings:calendar_feed", args=[feed.token]))
    events = _parse(response).walk("VEVENT")
    uids = {str(e["uid"]).split("@")[0] for e in events}
    assert uids == {
        f"meeting-{world['held'].pk}",
        f"meeting-{world['planned'].pk}",
        f"orientation-{world['pair'].cohort.pk}",
    }
    assert response["Cache-Control"] == "private, no-store"


def test_a_reset_feed_address_stops_working_at_once(client, pair):
    member = pair.mentee.member
    old = calendar_feed_for(member).token
    calendar_feed_reset(member)
    assert client.get(reverse("meetings:calendar_feed", args=[old])).status_code == 404


def test_the_calendar_page_shows_the_address_and_makes_a_new_one(client, pair):
    member = pair.mentee.member
    client.force_login(member)
    html = client.get(reverse("meetings:calendar")).content.decode()
    token = calendar_feed_for(member).token
    assert token in html
    client.post(reverse("meetings:calendar"))
    assert calendar_feed_for(member).token != token
    assert_valid_html(html)


# Query counts --------------------------------------------------------------------------------


def test_pages_of_a_pair_with_100_meetings_run_a_constant_number_of_queries(
    client, pair, django_assert_max_num_queries
):
    MeetingFactory.create_batch(100, match=pair)
    MeetingFactory(match=pair, status="planned", starts_at=NOW + timedelta(days=2))
    goal = Goal.objects.create(match=pair, title="One")
    ActionItem.objects.bulk_create(ActionItem(goal=goal, title=f"Step {i}") for i in range(30))
    client.force_login(pair.mentee.member)
    for name in ("meetings:workspace", "meetings:meetings"):
        with django_assert_max_num_queries(16):
            response = client.get(reverse(name, args=[pair.pk]))
        assert response.status_code == 200
    with django_assert_max_num_queries(14):
        client.get(reverse("meetings:goal", args=[pair.pk, goal.pk]))
    feed = calendar_feed_for(pair.mentee.member)
    with django_assert_max_num_queries(6):
        client.get(reverse("meetings:calendar_feed", args=[feed.token]))


def test_the_meeting_pages_are_valid_html(client, world):
    pair = world["pair"]
    client.force_login(pair.mentee.member)
    for url in [
        reverse("meetings:meetings", args=[pair.pk]),
        reverse("meetings:meeting", args=[pair.pk, world["held"].pk]),
        reverse("meetings:meeting_delete", args=[pair.pk, world["held"].pk]),
        reverse("meetings:goal_delete", args=[pair.pk, world["goal"].pk]),
        reverse("meetings:expectations", args=[pair.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid_html(response.content, context=url)
