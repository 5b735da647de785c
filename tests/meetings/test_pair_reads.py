"""How the pair pages read: the ledger from the meetings the workspace already holds, who logged
each meeting from the pair's own members, the pair with the viewer's own profile (and, for
the workspace, both profiles and the expectations) in one query, and the goal page's blank
forms drawn once."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from meetings import selectors
from meetings.forms import ActionItemForm, CommentForm
from meetings.models import Expectations, Goal, GoalComment, Meeting
from meetings.views.common import get_pair_for_user
from meetings.views.workspace import WORKSPACE_RELATED
from mentorship.templatetags.pages import crispy_blank
from tests.factories import MeetingFactory, PairFactory, StaffFactory
from tests.meetings.clock import DENVER, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]


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


def _request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("viewer", ["mentee", "mentor", "staff"])
def test_the_pair_is_one_query_and_carries_the_viewers_own_profile(
    viewer, django_assert_num_queries
):
    pair = PairFactory()
    if viewer == "staff":
        user = StaffFactory(is_superuser=True)
    else:
        user = getattr(pair, viewer).member
        user.profile  # noqa: B018 - the request has read it already (the time-zone middleware)

    with django_assert_num_queries(2 if viewer == "staff" else 1):  # + the access record
        match, role = get_pair_for_user(_request_of(user), pair.pk)
    assert role == ("staff" if viewer == "staff" else viewer)

    if viewer != "staff":
        with django_assert_num_queries(0):
            own = getattr(match, viewer).member.profile
        assert own.time_zone == user.profile.time_zone
    # The partner's profile (the mentee's, for the ledger's zone) is read when it is needed.
    with django_assert_num_queries(0 if viewer == "mentee" else 1):
        assert selectors.pair_zone(match) == DENVER


@pytest.mark.parametrize("viewer", ["mentee", "mentor"])
def test_the_workspace_reads_both_profiles_and_the_expectations_with_the_pair(
    viewer, django_assert_num_queries
):
    pair = PairFactory()
    Expectations.objects.create(
        match=pair,
        meeting_plan="Monthly video calls.",
        communication="Email.",
        updated_at=NOW,
        updated_by=pair.mentee.member,
        acknowledged_at=NOW,
        acknowledged_by=pair.mentor.member,
    )
    user = getattr(pair, viewer).member
    user.profile  # noqa: B018

    with django_assert_num_queries(1):
        match, _ = get_pair_for_user(_request_of(user), pair.pk, related=WORKSPACE_RELATED)
    with django_assert_num_queries(0):
        assert match.mentor.member.profile.time_zone == pair.mentor.member.profile.time_zone
        assert selectors.pair_zone(match) == DENVER
        expectations = selectors.pair_expectations(match)
        assert expectations.acknowledged_by.display_name == pair.mentor.member.display_name


def test_a_pair_without_expectations_reads_as_none_not_as_another_query(
    django_assert_num_queries,
):
    pair = PairFactory()
    match, _ = get_pair_for_user(
        _request_of(pair.mentee.member), pair.pk, related=WORKSPACE_RELATED
    )
    with django_assert_num_queries(0):
        assert selectors.pair_expectations(match) is None


def test_a_member_without_a_profile_reads_as_none_not_as_another_query(
    django_assert_num_queries,
):
    pair = PairFactory()
    pair.mentor.member.profile.delete()
    mentee = pair.mentee.member
    mentee.profile  # noqa: B018

    match, _ = get_pair_for_user(_request_of(mentee), pair.pk, related=WORKSPACE_RELATED)

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


def test_a_goal_page_shown_again_with_an_error_names_each_comments_author_in_the_same_queries(
    client,
):
    pair = PairFactory()
    mentee, mentor = pair.mentee.member, pair.mentor.member
    goal = Goal.objects.create(match=pair, title="Prepare for interviews")
    client.force_login(mentee)
    url = reverse("meetings:goal_comment", args=[pair.pk, goal.pk])

    def comment(count: int) -> str:
        GoalComment.objects.bulk_create(
            GoalComment(goal=goal, author=(mentee, mentor)[n % 2], body=f"Comment {n}")
            for n in range(count)
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.post(url, {"comment-body": ""}).content.decode()
        return page, len(queries)

    page, few = comment(2)
    assert "This field is required" in page
    page, many = comment(20)
    assert many == few
    assert page.count(f"<strong>{mentor.display_name}</strong>") == 11
    assert page.count(f"<strong>{mentee.display_name}</strong>") == 11
