"""Retention by policy: on a cohort's retention date its private text goes, its facts stay."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cohorts.admin import CohortAdmin
from cohorts.models import Cohort
from meetings.models import ActionItem, Expectations, Goal, GoalComment, Meeting
from meetings.selectors import ledger_for
from outcomes.models import Answer, Certificate, Invitation
from privacy.models import RetentionPurge
from privacy.retention import REMOVED_TITLE, cohorts_due
from privacy.tasks import purge_expired_data
from tests.factories import CohortFactory, MeetingFactory, PairFactory

pytestmark = pytest.mark.django_db


def _due(cohort: Cohort) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(retention_date=timezone.localdate())


def _facts(pair) -> dict:
    """Everything reports, the ledger and certificate verification read."""
    meetings = list(
        Meeting.objects.filter(match=pair)
        .order_by("pk")
        .values("status", "starts_at", "duration_minutes", "format", "held_on", "confirmed_at")
    )
    return {
        "meetings": meetings,
        "minutes": ledger_for(pair).total_minutes,
        "goals": list(Goal.objects.filter(match=pair).values_list("status", "target_date")),
        "steps": ActionItem.objects.filter(goal__match=pair).count(),
        "comments": GoalComment.objects.filter(goal__match=pair).count(),
        "answers": sorted(Answer.objects.values_list("number", flat=True), key=str),
        "responded": Invitation.objects.answered().count(),
        "certificates": list(Certificate.objects.values("code", "name", "confirmed_minutes")),
    }


def _purge(*args) -> dict:
    out = StringIO()
    call_command("purge_expired_data", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_retention_removes_exactly_the_private_text_and_keeps_what_reports_need(
    pair_with_history,
):
    pair = pair_with_history
    before = _facts(pair)
    _due(pair.cohort)

    result = _purge()

    assert result["dry_run"] is False
    [entry] = result["cohorts"]
    assert entry["cohort"] == pair.cohort.slug
    assert entry["due"] == timezone.localdate().isoformat()
    assert entry["removed"] == {
        "meeting_agendas": 1,
        "meeting_links": 1,
        "meeting_topics": 2,
        "meeting_notes": 2,
        "meeting_next_steps": 1,
        "goal_text": 1,
        "action_item_text": 1,
        "goal_comments": 1,
        "concern_text": 1,
        "expectations_text": 1,
        "confidential_survey_text": 1,
        "application_self_identification": 1,
        "profile_self_identification": 1,
    }
    for meeting in Meeting.objects.filter(match=pair):
        assert (meeting.agenda, meeting.video_link, meeting.topics, meeting.notes) == ("",) * 4
        assert meeting.next_steps == ""
    goal = Goal.objects.get(match=pair)
    assert (goal.title, goal.description) == (REMOVED_TITLE, "")
    assert ActionItem.objects.get().title == REMOVED_TITLE
    assert GoalComment.objects.get().body == ""
    expectations = Expectations.objects.get()
    assert (expectations.meeting_plan, expectations.communication, expectations.other) == (
        "",
        "",
        "",
    )
    texts = dict(Answer.objects.values_list("response__survey__privacy", "text").exclude(text=""))
    # The anonymous answer is tied to nobody: it stays, for the survey's results.
    assert texts == {"anonymous": "Anonymous words"}
    pair.mentee.refresh_from_db()
    assert pair.mentee.profile_snapshot["background_groups"] == []
    assert pair.mentee.profile_snapshot["location"] == "CO"
    profile = pair.mentee.member.profile
    assert not profile.background_groups.exists()
    assert profile.use_background_in_matching is False
    # Dates, durations, formats, statuses, counts, numbers and certificates are untouched.
    assert _facts(pair) == before
    assert before["minutes"] == 150


def test_it_records_what_it_removed_and_the_cohort_page_says_so(pair_with_history, rf, staff):
    cohort = pair_with_history.cohort
    admin = CohortAdmin(Cohort, None)
    assert admin.retention_status(cohort) == "Private data will be removed on March 30, 2028."
    _due(cohort)

    _purge()

    record = RetentionPurge.objects.get()
    assert record.cohort == cohort
    assert record.due_on == timezone.localdate()
    assert record.policy == "the cohort's own retention date"
    assert record.removed["meeting_notes"] == 2
    assert record.trigger == "purge_expired_data command"
    cohort.refresh_from_db()
    assert "Private data removed on" in admin.retention_status(cohort)


def test_running_it_twice_removes_nothing_the_second_time(pair_with_history):
    _due(pair_with_history.cohort)
    _purge()
    facts = _facts(pair_with_history)
    texts = list(Meeting.objects.values_list("topics", "notes"))

    second = _purge()

    assert set(second["cohorts"][0]["removed"].values()) == {0}
    assert RetentionPurge.objects.count() == 1
    assert _facts(pair_with_history) == facts
    assert list(Meeting.objects.values_list("topics", "notes")) == texts


def test_a_dry_run_counts_what_is_due_and_changes_nothing(pair_with_history):
    _due(pair_with_history.cohort)

    result = _purge("--dry-run")

    assert result["dry_run"] is True
    assert result["cohorts"][0]["removed"]["meeting_notes"] == 2
    assert result["cohorts"][0]["removed"]["profile_self_identification"] == 1
    assert Meeting.objects.exclude(notes="").count() == 2
    assert Goal.objects.get().description == "PGY1 in Denver"
    assert pair_with_history.mentee.member.profile.background_groups.exists()
    assert not RetentionPurge.objects.exists()
    # And what it counted is what the real run then removes.
    assert _purge()["cohorts"][0]["removed"] == result["cohorts"][0]["removed"]


def test_a_cohort_before_its_date_is_left_alone(pair_with_history):
    other = PairFactory(
        cohort=CohortFactory(
            period_end=date(2026, 1, 31),
            period_start=date(2025, 8, 1),
            applications_open_at=timezone.now() - timedelta(days=600),
            application_deadline=timezone.now() - timedelta(days=580),
            match_notification_date=date(2025, 7, 1),
            orientation_at=None,
        )
    )
    MeetingFactory(match=other, notes="Old notes")

    result = _purge()

    assert result["cohorts"] == []
    assert Meeting.objects.exclude(notes="").count() == 3


def test_the_default_date_is_the_setting_after_the_period_ends(settings, pair_with_history):
    cohort = pair_with_history.cohort
    settings.RETENTION_DAYS = 30
    assert cohort.retention_due_on == date(2027, 4, 30)
    assert not cohorts_due(date(2027, 4, 29)).filter(pk=cohort.pk).exists()
    assert cohorts_due(date(2027, 4, 30)).filter(pk=cohort.pk).exists()
    cohort.retention_date = date(2027, 12, 1)
    cohort.save()
    assert not cohorts_due(date(2027, 4, 30)).filter(pk=cohort.pk).exists()


def test_self_identification_another_cohort_still_uses_stays_on_the_profile(pair_with_history):
    from tests.factories import ApplicationFactory

    mentee = pair_with_history.mentee.member
    ApplicationFactory(member=mentee)  # a cohort open now: not due for years
    _due(pair_with_history.cohort)

    removed = _purge()["cohorts"][0]["removed"]

    assert removed["application_self_identification"] == 1
    assert removed["profile_self_identification"] == 0
    assert mentee.profile.background_groups.exists()


def test_the_beat_job_purges_each_due_cohort(pair_with_history):
    _due(pair_with_history.cohort)

    assert purge_expired_data.delay().get() == 1

    assert not Meeting.objects.exclude(notes="").exists()
    assert RetentionPurge.objects.get().trigger == "scheduled job"
    assert purge_expired_data.delay().get() == 1
    assert RetentionPurge.objects.count() == 1


def test_the_retention_job_is_on_the_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="privacy.tasks.purge_expired_data")
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("30", "3")


def test_a_retention_date_inside_the_period_is_refused_next_to_the_field(pair_with_history):
    from django.core.exceptions import ValidationError

    cohort = pair_with_history.cohort
    cohort.retention_date = cohort.period_end
    with pytest.raises(ValidationError) as error:
        cohort.full_clean()
    assert error.value.message_dict["retention_date"] == [
        "Private data can only be removed after the period ends."
    ]
