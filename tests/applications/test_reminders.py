"""Deadline reminders: a member with an unsubmitted draft is reminded before the deadline."""

import zoneinfo
from datetime import datetime, timedelta
from importlib import import_module
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db.models import F
from django_celery_beat.models import PeriodicTask

from applications.emails import deadline_reminder_key, deadline_reminder_key_expression
from applications.models import Application
from applications.reminders import deadline_reminders_due
from applications.tasks import remind_deadline, send_deadline_reminders
from notifications.models import Notification
from notifications.services import reminders_set
from tests.factories import ApplicationFactory, CohortFactory, MemberFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
OPENS = datetime(2026, 8, 1, 9, tzinfo=NEW_YORK)
DEADLINE = datetime(2026, 9, 9, 23, 59, tzinfo=NEW_YORK)
EARLY = datetime(2026, 8, 15, 10, tzinfo=NEW_YORK)


class DraftFactory(ApplicationFactory):
    """A mentee's application saved as a draft and never submitted."""

    status = Application.Status.DRAFT
    submitted_at = None


@pytest.fixture
def cohort():
    return CohortFactory(
        name="Fall 2026 Pilot", applications_open_at=OPENS, application_deadline=DEADLINE
    )


def make(factory, at: datetime = EARLY, **kwargs):
    """Create an application as it would have been at `at` (its created_at comes from the clock)."""
    with time_machine.travel(at, tick=False):
        return factory(**kwargs)


def run_job(at: datetime, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        send_deadline_reminders()


def recipients() -> list[str]:
    return sorted(email.to[0] for email in mail.outbox)


@pytest.fixture
def drafts(cohort):
    return [
        make(DraftFactory, cohort=cohort, member=MemberFactory(first_name="Dana")),
        make(DraftFactory, cohort=cohort, goals=""),
    ]


def test_seven_days_before_the_deadline_each_draft_gets_one_reminder_and_no_one_else(
    cohort, drafts, django_capture_on_commit_callbacks
):
    make(ApplicationFactory, cohort=cohort)  # submitted
    make(ApplicationFactory, cohort=cohort, status=Application.Status.WITHDRAWN)
    later = CohortFactory(applications_open_at=OPENS, application_deadline=DEADLINE + timedelta(30))
    make(DraftFactory, cohort=later, member=drafts[0].member)  # its deadline is a month later

    seven_days_before = DEADLINE - timedelta(days=7) + timedelta(minutes=1)
    assert deadline_reminders_due(now=seven_days_before) == [(d.pk, 7) for d in drafts]

    run_job(seven_days_before, django_capture_on_commit_callbacks)

    assert recipients() == sorted(d.member.email for d in drafts)
    keys = set(Notification.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"deadline-reminder:{d.pk}:7" for d in drafts}
    email = next(e for e in mail.outbox if e.to == [drafts[0].member.email])
    assert email.subject == "7 days left to submit your application to Fall 2026 Pilot"
    assert email.body.startswith("Hello Dana,")
    # The member lives in Colorado: 11:59 PM in New York is 9:59 PM there.
    assert "Wednesday, September 9, 2026, 9:59 PM MDT, 7 days from now" in email.body
    apply_url = f"http://127.0.0.1:8000/cohorts/{cohort.slug}/apply/mentee/"
    assert f"Continue your application: {apply_url}" in email.body
    assert "Everything needed is filled in" in email.body
    assert "/unsubscribe/" in email.body  # a reminder the member can turn off
    [(html, _)] = email.alternatives
    assert f'href="{apply_url}"' in html
    incomplete = next(e for e in mail.outbox if e.to == [drafts[1].member.email])
    assert "Before you can submit, please add:\n- the goals you want to achieve" in (
        incomplete.body
    )


def test_running_the_job_twice_sends_nothing_more(
    cohort, drafts, django_capture_on_commit_callbacks
):
    seven_days_before = DEADLINE - timedelta(days=7)
    run_job(seven_days_before + timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_job(seven_days_before + timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_job(seven_days_before + timedelta(hours=5), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    # A retried or duplicated task for the same reminder sends nothing either.
    with time_machine.travel(seven_days_before + timedelta(hours=6), tick=False):
        assert remind_deadline(drafts[0].pk, 7) == "recorded"  # notify returns the existing row
    assert len(mail.outbox) == 2


def test_one_day_before_the_deadline_the_second_reminder_goes_out(
    cohort, drafts, django_capture_on_commit_callbacks
):
    run_job(DEADLINE - timedelta(days=7) + timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_job(DEADLINE - timedelta(days=2), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    run_job(DEADLINE - timedelta(days=1) + timedelta(minutes=1), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 4
    last_day = mail.outbox[2:]
    assert sorted(e.to[0] for e in last_day) == sorted(d.member.email for d in drafts)
    assert {e.subject for e in last_day} == {
        "1 day left to submit your application to Fall 2026 Pilot"
    }


def test_a_draft_started_two_days_before_the_deadline_gets_only_the_one_day_reminder(
    cohort, django_capture_on_commit_callbacks
):
    late = make(DraftFactory, at=DEADLINE - timedelta(days=2), cohort=cohort)

    an_hour_later = DEADLINE - timedelta(days=2) + timedelta(hours=1)
    run_job(an_hour_later, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    # Neither the job nor a task for the 7-day reminder reaches this draft.
    assert deadline_reminders_due(now=an_hour_later) == []
    with time_machine.travel(an_hour_later, tick=False):
        assert remind_deadline(late.pk, 7) == "skipped"

    run_job(DEADLINE - timedelta(hours=23), django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert email.to == [late.member.email]
    assert email.extra_headers["X-Notification-Key"] == f"deadline-reminder:{late.pk}:1"


def test_after_beat_was_down_only_the_nearest_reminder_is_sent(
    cohort, drafts, django_capture_on_commit_callbacks
):
    # Nothing ran in the last week: both the 7-day and the 1-day reminders are due.
    run_job(DEADLINE - timedelta(hours=12), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("idempotency_key", flat=True)) == {
        f"deadline-reminder:{d.pk}:1" for d in drafts
    }
    assert mail.outbox[0].subject.startswith("12 hours left")


def test_a_reminder_task_queued_for_an_earlier_offset_sends_nothing_once_it_is_stale(
    cohort, drafts, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(DEADLINE - timedelta(hours=12), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert remind_deadline(drafts[0].pk, 7) == "skipped"
    assert mail.outbox == []


def test_after_the_deadline_nothing_is_sent(cohort, drafts, django_capture_on_commit_callbacks):
    run_job(DEADLINE, django_capture_on_commit_callbacks)
    run_job(DEADLINE + timedelta(hours=1), django_capture_on_commit_callbacks)
    with time_machine.travel(DEADLINE + timedelta(minutes=5), tick=False):
        assert remind_deadline(drafts[0].pk, 1) == "skipped"

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_member_who_submitted_after_the_job_found_their_draft_gets_nothing(
    cohort, drafts, django_capture_on_commit_callbacks
):
    draft = drafts[0]
    Application.objects.filter(pk=draft.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=EARLY
    )
    with (
        time_machine.travel(DEADLINE - timedelta(days=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert remind_deadline(draft.pk, 7) == "skipped"
        drafts[1].delete()  # a draft deleted by its member ("withdrawn")
        assert remind_deadline(drafts[1].pk, 7) == "skipped"
    assert mail.outbox == []


def test_a_member_who_turned_reminders_off_gets_nothing(
    cohort, drafts, django_capture_on_commit_callbacks
):
    reminders_set(user=drafts[0].member, enabled=False)

    run_job(DEADLINE - timedelta(days=7) + timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_job(DEADLINE - timedelta(hours=23), django_capture_on_commit_callbacks)

    assert recipients() == [drafts[1].member.email, drafts[1].member.email]
    with time_machine.travel(DEADLINE - timedelta(hours=22), tick=False):
        assert remind_deadline(drafts[0].pk, 1) == "skipped"  # the task checks too


def test_dates_are_in_the_members_own_time_zone(cohort, django_capture_on_commit_callbacks):
    draft = make(DraftFactory, cohort=cohort)
    draft.member.profile.time_zone = "Europe/Berlin"
    draft.member.profile.save()

    run_job(DEADLINE - timedelta(hours=23), django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert "Thursday, September 10, 2026, 5:59 AM CEST" in email.body


@pytest.mark.parametrize("drafts_count", [5, 50])
def test_finding_due_drafts_takes_the_same_queries_however_many_there_are(
    cohort, drafts_count, django_assert_max_num_queries
):
    other = CohortFactory(applications_open_at=OPENS, application_deadline=DEADLINE)
    for index in range(drafts_count):
        make(DraftFactory, cohort=cohort if index % 2 else other)
    Notification.objects.create(  # one reminded already: the finder skips it
        kind="deadline_reminder",
        idempotency_key=f"deadline-reminder:{Application.objects.first().pk}:7",
        to_email="x@example.test",
    )

    with (
        time_machine.travel(DEADLINE - timedelta(days=6), tick=False),
        mock.patch.object(remind_deadline, "delay") as delay,
        django_assert_max_num_queries(3),  # the cohorts, then the drafts of each cohort due
    ):
        assert send_deadline_reminders() == drafts_count - 1
    assert delay.call_count == drafts_count - 1


def test_the_schedule_is_in_beat_and_its_migration_can_be_reversed():
    task = PeriodicTask.objects.get(name="Application deadline reminders")
    assert task.task == "applications.tasks.send_deadline_reminders"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("0", "*")

    migration = import_module("applications.migrations.0003_deadline_reminder_schedule")
    migration.remove_schedule(apps, None)
    assert not PeriodicTask.objects.filter(name="Application deadline reminders").exists()
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # running it again changes nothing
    assert PeriodicTask.objects.filter(name="Application deadline reminders").count() == 1


def test_the_finder_builds_in_sql_the_very_key_the_reminder_is_recorded_under(drafts):
    # The finder leaves out drafts already reminded by rebuilding the key in the database: if
    # the two spellings ever drifted apart, every draft would be found "not yet reminded".
    keys = dict(
        Application.objects.annotate(
            key=deadline_reminder_key_expression(application_id=F("pk"), days=7)
        ).values_list("pk", "key")
    )
    assert keys == {d.pk: deadline_reminder_key(application_id=d.pk, days=7) for d in drafts}
