"""How the pair pages read: the ledger from the meetings the workspace already holds, who logged
each meeting from the pair's own members, each member's profile apart from the pair, and the
goal page's blank forms drawn once."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from matching.models import Match
from meetings import selectors
from meetings.forms import ActionItemForm, CommentForm
from meetings.models import Goal, Meeting
from meetings.views.common import get_pair_for_user
from mentorship.templatetags.pages import crispy_blank
from tests.factories import MeetingFactory, PairFactory, StaffFactory

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = datetime(2026, 12, 10, 12, tzinfo=DENVER)


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_ledger_of_the_meetings_read_equals_the_ledger_the_database_sums():
    pair = PairFactory()
    # Held meetings over three months, one planned and one cancelled (neither counts).
    for day, minutes in [(8, 60), (20, 45), (40, 30), (41, 90), (70, 15)]:
        MeetingFactory(
            match=pair,
            starts_at=datetime(2026, 10, 1, 17, tzinfo=DENVER) + timedelta(days=day),
            duration_minutes=minutes,
        )
    MeetingFactory(match=pair, status="planned", starts_at=NOW + timedelta(days=2))
    MeetingFactory(
        match=pair, status="cancelled", starts_at=NOW - timedelta(days=3), duration_minutes=120
    )
    pair = Match.objects.with_people().get(pk=pair.pk)
    meetings = list(Meeting.objects.for_match(pair))

    from_meetings = selectors.ledger_of_meetings(pair, meetings)

    assert from_meetings == selectors.ledger_for(pair)
    assert from_meetings.total_minutes == 240


def test_who_logged_a_meeting_comes_from_the_pair_and_anyone_else_in_one_query(
    django_assert_num_queries,
):
    pair = PairFactory()
    coordinator = StaffFactory(first_name="Casey", last_name="Coordinator")
    held = MeetingFactory(
        match=pair, confirmed_by=pair.mentor.member, confirmed_at=NOW, created_by=None
    )
    planned = MeetingFactory(
        match=pair, status="planned", starts_at=NOW + timedelta(days=1), created_by=coordinator
    )
    pair = Match.objects.select_related("mentor__member", "mentee__member").get(pk=pair.pk)

    with django_assert_num_queries(2):  # the meetings, then the coordinator
        meetings = selectors.attach_people(pair, Meeting.objects.for_match(pair))
        by_pk = {m.pk: m for m in meetings}
        assert by_pk[held.pk].logged_by == pair.mentee.member
        assert by_pk[held.pk].confirmed_by == pair.mentor.member
        assert by_pk[held.pk].created_by is None
        assert by_pk[planned.pk].created_by.display_name == coordinator.display_name
        assert by_pk[planned.pk].logged_by is None


def test_the_workspace_names_who_logged_and_confirmed_and_lists_what_awaits_the_member(client):
    pair = PairFactory()
    mentee, mentor = pair.mentee.member, pair.mentor.member
    MeetingFactory(match=pair, logged_by=mentor)  # the mentor's log, the mentee to confirm
    MeetingFactory(match=pair, confirmed_by=mentor, confirmed_at=NOW)
    client.force_login(mentee)

    page = client.get(reverse("meetings:workspace", args=[pair.pk])).content.decode()

    assert f"Logged by {mentor.display_name}, <strong>not yet confirmed" in page
    assert f"Logged by {mentee.display_name}, confirmed by {mentor.display_name}" in page
    assert "logged this meeting" in page  # the one awaiting the mentee's confirmation


@pytest.mark.parametrize("viewer", ["mentee", "mentor", "staff"])
def test_each_member_of_the_pair_carries_their_own_profile(viewer, django_assert_num_queries):
    pair = PairFactory()
    if viewer == "staff":
        user = StaffFactory(is_superuser=True)
    else:
        user = getattr(pair, viewer).member
        user.profile  # noqa: B018 - the request has read it already (the time-zone middleware)
    request = RequestFactory().get("/")
    request.user = user

    with django_assert_num_queries(3 if viewer == "staff" else 2):  # + the access record
        match, role = get_pair_for_user(request, pair.pk)
    assert role == ("staff" if viewer == "staff" else viewer)

    with django_assert_num_queries(0):
        assert match.mentor.member.profile.time_zone == pair.mentor.member.profile.time_zone
        assert match.mentee.member.profile.time_zone == pair.mentee.member.profile.time_zone
        assert selectors.pair_zone(match) == DENVER


def test_a_member_without_a_profile_reads_as_none_not_as_another_query(
    django_assert_num_queries,
):
    pair = PairFactory()
    pair.mentor.member.profile.delete()
    mentee = pair.mentee.member
    mentee.profile  # noqa: B018
    request = RequestFactory().get("/")
    request.user = mentee

    match, _ = get_pair_for_user(request, pair.pk)

    with django_assert_num_queries(0):
        assert getattr(match.mentor.member, "profile", None) is None


def test_a_blank_form_is_drawn_once_and_a_form_with_errors_each_time():
    first = crispy_blank(ActionItemForm(prefix="step"))
    assert 'name="step-title"' in first
    assert crispy_blank(ActionItemForm(prefix="step")) is first
    assert crispy_blank(CommentForm(prefix="comment")) is not first

    bound = ActionItemForm({"step-title": ""}, prefix="step")
    drawn = crispy_blank(bound)
    assert "is-invalid" in drawn
    assert drawn is not crispy_blank(ActionItemForm({"step-title": ""}, prefix="step"))


def test_the_goal_page_shows_its_forms_and_a_refused_step_keeps_its_error(client):
    pair = PairFactory()
    goal = Goal.objects.create(match=pair, title="Residency interviews")
    client.force_login(pair.mentee.member)
    url = reverse("meetings:goal", args=[pair.pk, goal.pk])

    page = client.get(url).content.decode()
    assert 'name="step-title"' in page and 'name="comment-body"' in page

    refused = client.post(
        reverse("meetings:step_add", args=[pair.pk, goal.pk]), {"step-title": "x" * 10_000}
    )
    assert refused.status_code == 200
    assert "is-invalid" in refused.content.decode()
    # The blank forms drawn since are still blank.
    assert "is-invalid" not in client.get(url).content.decode()
