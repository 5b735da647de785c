"""The workspace services: who may write what, and a meeting counted once."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings import selectors, services
from meetings.ledger import LedgerStatus
from meetings.models import Expectations, Meeting
from meetings.services import WorkspaceError
from tests.factories import MeetingFactory, PairFactory, StaffFactory

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DEC_10 = datetime(2026, 12, 10, 12, tzinfo=DENVER)


@pytest.fixture
def pair():
    return PairFactory()


@pytest.fixture
def mentee(pair):
    return pair.mentee.member


@pytest.fixture
def mentor(pair):
    return pair.mentor.member


def log(pair, user, starts_at, minutes=60, **kwargs):
    return services.meeting_log(
        match=pair,
        user=user,
        starts_at=starts_at,
        duration_minutes=minutes,
        format=Meeting.Format.VIDEO,
        now=kwargs.pop("now", DEC_10),
        **kwargs,
    )


# Logging and counting once -------------------------------------------------------------------


def test_a_meeting_logged_by_the_mentee_counts_in_the_ledger(pair, mentee):
    log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER), 75)
    ledger = selectors.ledger_for(pair, now=DEC_10)
    assert ledger.total_minutes == 75
    assert ledger.months[1].minutes == 75


def test_the_partner_logging_the_same_meeting_is_told_to_confirm_it_instead(pair, mentee, mentor):
    first = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    with pytest.raises(WorkspaceError, match=r"already logged a meeting .* confirm it instead"):
        # The mentor remembers it as starting a quarter of an hour later.
        log(pair, mentor, datetime(2026, 11, 12, 17, 15, tzinfo=DENVER))
    services.meeting_confirm(meeting=first, user=mentor)
    first.refresh_from_db()
    assert first.confirmed_by == mentor
    assert selectors.ledger_for(pair, now=DEC_10).total_minutes == 60


def test_two_meetings_on_one_day_at_different_times_both_count(pair, mentee):
    log(pair, mentee, datetime(2026, 11, 12, 9, tzinfo=DENVER), 30)
    log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER), 30)
    assert selectors.ledger_for(pair, now=DEC_10).total_minutes == 60


def test_a_member_cannot_confirm_their_own_log_nor_confirm_twice(pair, mentee, mentor):
    meeting = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    with pytest.raises(WorkspaceError, match="Your partner confirms"):
        services.meeting_confirm(meeting=meeting, user=mentee)
    services.meeting_confirm(meeting=meeting, user=mentor)
    with pytest.raises(WorkspaceError, match="already confirmed"):
        services.meeting_confirm(meeting=meeting, user=mentor)


def test_a_meeting_counts_in_the_month_of_its_date_in_the_mentees_time_zone(pair, mentee):
    # 11:30 PM on Oct 31 in Denver is already Nov 1 in New York and in UTC.
    meeting = log(pair, mentee, datetime(2026, 10, 31, 23, 30, tzinfo=DENVER), 30)
    assert meeting.held_on == date(2026, 10, 31)
    ledger = selectors.ledger_for(pair, now=DEC_10)
    assert [m.minutes for m in ledger.months[:2]] == [30, 0]


def test_a_meeting_cannot_be_logged_before_it_happens(pair, mentee):
    with pytest.raises(WorkspaceError, match="once it has taken place"):
        log(pair, mentee, DEC_10 + timedelta(minutes=1))


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(2026, 9, 30, 21, tzinfo=DENVER),  # the evening before the period
        datetime(2027, 4, 1, 9, tzinfo=DENVER),  # the morning after it
    ],
)
def test_a_meeting_outside_the_mentorship_period_is_refused(pair, mentee, starts_at):
    with pytest.raises(WorkspaceError, match="pick a date in the mentorship period"):
        log(pair, mentee, starts_at, now=datetime(2027, 5, 1, tzinfo=DENVER))


def test_the_period_edges_are_judged_in_the_mentees_zone_not_new_yorks(pair, mentee):
    # 10 PM Denver on Mar 31 is midnight in New York (April 1): still inside the period.
    meeting = log(
        pair,
        mentee,
        datetime(2027, 3, 31, 22, tzinfo=DENVER),
        now=datetime(2027, 4, 2, tzinfo=NEW_YORK),
    )
    assert meeting.held_on == date(2027, 3, 31)


@pytest.mark.parametrize("minutes", [4, 301])
def test_a_duration_outside_sane_bounds_is_refused(pair, mentee, minutes):
    with pytest.raises(ValidationError, match="duration"):
        log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER), minutes)
    assert not Meeting.objects.exists()


def test_planned_and_cancelled_meetings_do_not_count(pair, mentee):
    with time_machine.travel(datetime(2026, 11, 1, tzinfo=DENVER)):
        planned = services.meeting_plan(
            match=pair,
            user=mentee,
            starts_at=datetime(2026, 11, 20, 17, tzinfo=DENVER),
            duration_minutes=60,
        )
        other = services.meeting_plan(
            match=pair,
            user=mentee,
            starts_at=datetime(2026, 11, 27, 17, tzinfo=DENVER),
            duration_minutes=60,
        )
        services.meeting_cancel(meeting=other, user=mentee)
    assert planned.status == Meeting.Status.PLANNED
    assert selectors.ledger_for(pair, now=DEC_10).total_minutes == 0


def test_a_planned_meeting_marked_held_counts_once_and_cannot_be_logged_twice(pair, mentee, mentor):
    with time_machine.travel(datetime(2026, 11, 1, tzinfo=DENVER)):
        planned = services.meeting_plan(
            match=pair,
            user=mentor,
            starts_at=datetime(2026, 11, 20, 17, tzinfo=DENVER),
            duration_minutes=60,
        )
    log(pair, mentee, planned.starts_at, 50, meeting=planned, topics="CV")
    with pytest.raises(WorkspaceError, match=r"already logged a meeting .* confirm it instead"):
        log(pair, mentor, planned.starts_at, 60, meeting=planned)
    assert Meeting.objects.count() == 1
    assert selectors.ledger_for(pair, now=DEC_10).total_minutes == 50


def test_a_meeting_cannot_be_planned_in_the_past(pair, mentee):
    with pytest.raises(WorkspaceError, match="must be in the future"):
        services.meeting_plan(
            match=pair,
            user=mentee,
            starts_at=DEC_10 - timedelta(hours=1),
            duration_minutes=60,
            now=DEC_10,
        )


# Editing a log ---------------------------------------------------------------------------------


def test_the_author_may_correct_a_log_within_the_window_and_the_confirmation_is_asked_again(
    pair, mentee, mentor, settings
):
    settings.MEETING_LOG_EDIT_DAYS = 14
    meeting = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER), now=DEC_10)
    services.meeting_confirm(meeting=meeting, user=mentor)
    meeting.refresh_from_db()
    services.meeting_log_update(
        meeting=meeting,
        user=mentee,
        starts_at=meeting.starts_at,
        duration_minutes=90,
        format=Meeting.Format.PHONE,
        now=DEC_10 + timedelta(days=14),
    )
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 90
    assert meeting.confirmed_at is None


def test_changing_only_the_notes_keeps_the_confirmation(pair, mentee, mentor):
    meeting = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    services.meeting_confirm(meeting=meeting, user=mentor)
    meeting.refresh_from_db()
    services.meeting_log_update(
        meeting=meeting,
        user=mentee,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        format=meeting.format,
        notes="Follow up on the poster.",
        now=DEC_10,
    )
    meeting.refresh_from_db()
    assert meeting.confirmed_by == mentor


def test_after_the_window_the_author_is_sent_to_staff(pair, mentee, settings):
    settings.MEETING_LOG_EDIT_DAYS = 14
    meeting = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER), now=DEC_10)
    later = DEC_10 + timedelta(days=14, minutes=1)
    with pytest.raises(WorkspaceError, match="Ask program staff"):
        services.meeting_delete(meeting=meeting, user=mentee, now=later)
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_planned_meeting_the_partner_has_just_logged_is_not_deleted_from_a_stale_page(
    pair, mentee, mentor
):
    with time_machine.travel(datetime(2026, 11, 1, tzinfo=DENVER)):
        planned = services.meeting_plan(
            match=pair,
            user=mentor,
            starts_at=datetime(2026, 11, 20, 17, tzinfo=DENVER),
            duration_minutes=60,
        )
    seen_by_mentor = Meeting.objects.get(pk=planned.pk)  # the page the mentor deletes from
    log(pair, mentee, planned.starts_at, 60, meeting=planned)
    with pytest.raises(WorkspaceError, match="Only the member who logged"):
        services.meeting_delete(meeting=seen_by_mentor, user=mentor, now=DEC_10)
    assert selectors.ledger_for(pair, now=DEC_10).total_minutes == 60


def test_only_the_author_may_change_or_delete_a_log(pair, mentee, mentor):
    meeting = log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    with pytest.raises(WorkspaceError, match="Only the member who logged"):
        services.meeting_delete(meeting=meeting, user=mentor, now=DEC_10)
    services.meeting_delete(meeting=meeting, user=mentee, now=DEC_10)
    assert not Meeting.objects.exists()


# Expectations, goals and comments -----------------------------------------------------------


def test_the_mentor_acknowledges_and_a_change_asks_for_it_again(pair, mentee, mentor):
    services.expectations_save(
        match=pair, user=mentee, meeting_plan="Monthly video call", communication="Email"
    )
    acknowledged = services.expectations_acknowledge(match=pair, user=mentor)
    assert acknowledged.acknowledged_by == mentor
    services.expectations_save(
        match=pair, user=mentee, meeting_plan="Every two weeks", communication="Email"
    )
    assert Expectations.objects.get(match=pair).acknowledged_at is None


def test_saving_unchanged_expectations_keeps_the_acknowledgement(pair, mentee, mentor):
    services.expectations_save(
        match=pair, user=mentee, meeting_plan="Monthly", communication="Email"
    )
    services.expectations_acknowledge(match=pair, user=mentor)
    services.expectations_save(
        match=pair, user=mentee, meeting_plan="Monthly", communication="Email"
    )
    assert Expectations.objects.get(match=pair).acknowledged_by == mentor


def test_the_mentor_cannot_write_the_expectations_nor_the_mentee_acknowledge_them(
    pair, mentee, mentor
):
    with pytest.raises(WorkspaceError, match="Only the mentee"):
        services.expectations_save(match=pair, user=mentor, meeting_plan="x", communication="y")
    services.expectations_save(match=pair, user=mentee, meeting_plan="x", communication="y")
    with pytest.raises(WorkspaceError, match="Only the mentor"):
        services.expectations_acknowledge(match=pair, user=mentee)


def test_the_mentee_owns_goals_and_steps_and_the_mentor_comments(pair, mentee, mentor):
    goal = services.goal_save(match=pair, user=mentee, title="Residency interviews")
    with pytest.raises(WorkspaceError, match="Only the mentee"):
        services.goal_save(match=pair, user=mentor, title="Mine now", goal=goal)
    with pytest.raises(WorkspaceError, match="Only the mentee"):
        services.action_item_add(goal=goal, user=mentor, title="Mock interview")
    step = services.action_item_add(goal=goal, user=mentee, title="Mock interview")
    services.action_item_set_done(item=step, user=mentee, done=True)
    comment = services.goal_comment_add(goal=goal, user=mentor, body="Practise the why-us answer.")
    assert step.is_done
    assert comment.author == mentor


def test_an_outsider_cannot_write_anything(pair):
    outsider = StaffFactory()
    with pytest.raises(WorkspaceError):
        log(pair, outsider, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    with pytest.raises(WorkspaceError):
        services.goal_save(match=pair, user=outsider, title="x")


def test_an_ended_pair_is_read_only(pair, mentee):
    pair.status = pair.Status.ENDED
    pair.ended_at = DEC_10
    pair.save()
    with pytest.raises(WorkspaceError, match="has ended"):
        log(pair, mentee, datetime(2026, 11, 12, 17, tzinfo=DENVER))
    assert selectors.ledger_for(pair, now=DEC_10).status == LedgerStatus.ENDED


# Ledgers in bulk, and calendar feeds ---------------------------------------------------------


def test_ledgers_for_many_pairs_take_one_query(django_assert_num_queries):
    pairs = PairFactory.create_batch(3)
    for index, pair in enumerate(pairs):
        MeetingFactory.create_batch(index, match=pair)
    loaded = list(type(pairs[0]).objects.filter(pk__in=[p.pk for p in pairs]).with_people())
    with django_assert_num_queries(1):
        ledgers = selectors.ledgers_for(loaded, now=DEC_10)
    assert [ledgers[p.pk].total_minutes for p in pairs] == [0, 60, 120]


def test_resetting_the_calendar_feed_revokes_the_old_address(mentee):
    old = services.calendar_feed_for(mentee).token
    assert services.calendar_feed_for(mentee).token == old
    new = services.calendar_feed_reset(mentee).token
    assert new != old
    assert len(new) >= 40
