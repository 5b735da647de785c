"""Survey invitations and reminders: sent when the survey's point comes, each exactly once."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask

from meetings.models import Meeting
from notifications.services import reminders_set
from outcomes.models import Invitation, Survey
from outcomes.surveys import survey_response_save, surveys_add_standard
from outcomes.tasks import send_survey_invitations
from tests.factories import ActiveCohortFactory, MeetingFactory, PairFactory
from tests.outcomes.survey_factories import MIDPOINT_DAY, SurveyFactory, with_questions

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
OPENS = datetime(2026, 12, 15, 8, tzinfo=NEW_YORK)  # the midpoint survey's day, 8 a.m.


@pytest.fixture
def pair():
    return PairFactory(
        mentee__member__email="mentee@example.test",
        mentor__member__email="mentor@example.test",
    )


@pytest.fixture
def survey(pair):
    survey = SurveyFactory(cohort=pair.cohort)
    with_questions(survey)
    return survey


def run_job(at: datetime, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        send_survey_invitations()


def subjects_to(address: str) -> list[str]:
    return [e.subject for e in mail.outbox if e.to == [address]]


def test_on_its_day_each_member_of_a_released_pair_is_invited_once_however_often_the_job_runs(
    survey, pair, django_capture_on_commit_callbacks
):
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(hours=1, minutes=20), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(hours=1, minutes=20), django_capture_on_commit_callbacks)

    invitations = Invitation.objects.filter(survey=survey)
    assert sorted(invitations.values_list("role", flat=True)) == ["mentee", "mentor"]
    assert len(subjects_to("mentee@example.test")) == 1
    assert len(subjects_to("mentor@example.test")) == 1
    email = next(e for e in mail.outbox if e.to == ["mentee@example.test"])
    invitation = invitations.get(role="mentee")
    assert f"/surveys/{invitation.pk}/" in email.body
    assert "your partner never sees them" in email.body
    assert invitation.closes_at == OPENS + timedelta(days=21)


def test_before_its_day_nobody_is_invited(survey, django_capture_on_commit_callbacks):
    run_job(OPENS - timedelta(hours=1), django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_survey_whose_window_has_passed_invites_nobody(
    survey, django_capture_on_commit_callbacks
):
    run_job(OPENS + timedelta(days=21, hours=1), django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()


def test_only_the_audience_is_invited(survey, pair, django_capture_on_commit_callbacks):
    survey.audience = Survey.Audience.MENTEE
    survey.save()
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    assert list(Invitation.objects.values_list("user_id", flat=True)) == [pair.mentee.member_id]


def test_pairs_not_released_yet_are_not_invited(survey, pair, django_capture_on_commit_callbacks):
    pair.notified_at = None
    pair.save()
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()


def test_the_orientation_survey_opens_when_the_orientation_ends(
    pair, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(cohort=pair.cohort, point=Survey.Point.ORIENTATION, opens_on=None)
    ends = pair.cohort.orientation_ends_at
    run_job(ends - timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()
    run_job(ends + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(survey=survey).count() == 2


def test_the_end_survey_opens_on_the_last_day_of_the_period(
    pair, django_capture_on_commit_callbacks
):
    SurveyFactory(cohort=pair.cohort, point=Survey.Point.END, opens_on=None)
    run_job(datetime(2027, 3, 30, 12, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert not Invitation.objects.exists()
    run_job(datetime(2027, 3, 31, 12, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert Invitation.objects.count() == 2


def test_a_pulse_survey_asks_both_members_about_each_confirmed_meeting_once(
    pair, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(
        cohort=pair.cohort, point=Survey.Point.AFTER_MEETING, opens_on=None, open_days=7
    )
    confirmed = MeetingFactory(match=pair)
    confirmed.confirmed_at = confirmed.starts_at + timedelta(hours=5)
    confirmed.confirmed_by = pair.mentor.member
    confirmed.save()
    MeetingFactory(match=pair)  # logged, not confirmed by the partner: no pulse
    MeetingFactory(match=pair, status=Meeting.Status.PLANNED)
    for hours in (6, 7):
        run_job(confirmed.starts_at + timedelta(hours=hours), django_capture_on_commit_callbacks)
    invitations = Invitation.objects.filter(survey=survey)
    assert invitations.count() == 2
    assert set(invitations.values_list("meeting_id", flat=True)) == {confirmed.pk}
    assert len(mail.outbox) == 2
    assert "your last meeting" in mail.outbox[0].subject


def test_members_who_have_not_answered_get_at_most_two_reminders(
    survey, pair, django_capture_on_commit_callbacks
):
    # Hourly for the three weeks the survey is open (and a day after): 2 reminders, no more.
    at = OPENS + timedelta(minutes=20)
    while at < OPENS + timedelta(days=22):
        run_job(at, django_capture_on_commit_callbacks)
        at += timedelta(hours=6)
    subjects = subjects_to("mentor@example.test")
    assert len(subjects) == 3
    assert sum(s.startswith("Reminder") for s in subjects) == 2
    assert Invitation.objects.get(role="mentor").reminders_sent == 2


def test_the_reminders_are_spread_over_the_weeks_the_survey_is_open(
    survey, django_capture_on_commit_callbacks
):
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(days=6, hours=23), django_capture_on_commit_callbacks)
    assert len(subjects_to("mentor@example.test")) == 1
    run_job(OPENS + timedelta(days=7, minutes=20), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(days=7, minutes=40), django_capture_on_commit_callbacks)
    assert len(subjects_to("mentor@example.test")) == 2
    run_job(OPENS + timedelta(days=14, minutes=20), django_capture_on_commit_callbacks)
    assert len(subjects_to("mentor@example.test")) == 3


def test_a_member_who_answered_gets_no_reminder(survey, pair, django_capture_on_commit_callbacks):
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(role="mentee")
    with time_machine.travel(OPENS + timedelta(days=1), tick=False):
        survey_response_save(invitation_id=invitation.pk, answers={})
    run_job(OPENS + timedelta(days=8), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(days=15), django_capture_on_commit_callbacks)
    assert len(subjects_to("mentee@example.test")) == 1
    assert len(subjects_to("mentor@example.test")) == 3


def test_reminders_are_unsubscribable_and_a_member_who_turned_them_off_gets_none(
    survey, pair, django_capture_on_commit_callbacks
):
    reminders_set(user=pair.mentor.member, enabled=False)
    run_job(OPENS + timedelta(minutes=20), django_capture_on_commit_callbacks)
    run_job(OPENS + timedelta(days=8), django_capture_on_commit_callbacks)
    # The invitation itself is not a reminder; the reminders are, with a link to stop them.
    assert len(subjects_to("mentor@example.test")) == 1
    [reminder] = [e for e in mail.outbox if e.subject.startswith("Reminder")]
    assert reminder.to == ["mentee@example.test"]
    assert "Stop these reminders" in reminder.body


def test_the_job_is_scheduled_hourly_by_a_migration():
    task = PeriodicTask.objects.get(task="outcomes.tasks.send_survey_invitations")
    assert task.enabled
    assert task.crontab.hour == "*"


def test_the_standard_surveys_are_added_to_a_cohort_once():
    cohort = ActiveCohortFactory()
    added = surveys_add_standard(cohort=cohort)
    assert [s.point for s in added] == ["midpoint", "end"]
    assert surveys_add_standard(cohort=cohort) == []
    midpoint = Survey.objects.get(cohort=cohort, point="midpoint")
    assert midpoint.opens_on == MIDPOINT_DAY.replace(day=30)
    assert midpoint.questions.filter(measures_match_satisfaction=True).count() == 1
    assert Survey.objects.get(cohort=cohort, point="end").is_anonymous
