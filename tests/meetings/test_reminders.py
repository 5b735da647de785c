"""Meeting reminders: both members of a pair hear about a planned meeting the day before."""

import zoneinfo
from datetime import UTC, datetime, timedelta
from importlib import import_module
from unittest import mock

import icalendar
import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django_celery_beat.models import PeriodicTask

from matching.models import Match
from meetings import services
from meetings.models import Meeting
from meetings.tasks import remind_meeting, send_meeting_reminders
from notifications.models import Notification
from notifications.services import notification_render, reminders_set
from tests.factories import MeetingFactory, PairFactory

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
STARTS = datetime(2026, 10, 15, 17, tzinfo=DENVER)  # a Thursday in the pilot period


@pytest.fixture
def pair():
    pair = PairFactory(
        mentee__member__first_name="Maya",
        mentee__member__last_name="Mentee",
        mentor__member__first_name="Omar",
        mentor__member__last_name="Mentor",
    )
    # The mentor lives in New York, the mentee in Colorado: each reads their own time.
    profile = pair.mentor.member.profile
    profile.time_zone = "America/New_York"
    profile.save()
    return pair


@pytest.fixture
def mentee(pair):
    return pair.mentee.member


@pytest.fixture
def mentor(pair):
    return pair.mentor.member


@pytest.fixture
def meeting(pair):
    return MeetingFactory(
        match=pair,
        status=Meeting.Status.PLANNED,
        starts_at=STARTS,
        duration_minutes=45,
        agenda="Residency interviews & CV",
        video_link="https://meet.example.org/maya-omar",
    )


def run_job(at: datetime, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        send_meeting_reminders()


def email_to_all(user):
    return [e for e in mail.outbox if e.to == [user.email]]


def email_to(user):
    [email] = email_to_all(user)
    return email


def test_23_hours_before_both_members_get_a_reminder_with_the_calendar_file(
    meeting, mentee, mentor, django_capture_on_commit_callbacks
):
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)

    assert sorted(e.to[0] for e in mail.outbox) == sorted([mentee.email, mentor.email])

    to_mentee = email_to(mentee)
    assert to_mentee.subject == "Reminder: your meeting with Omar Mentor tomorrow at 5:00 PM MDT"
    assert to_mentee.body.startswith("Hello Maya,")
    assert "you are meeting your mentor, Omar Mentor, tomorrow at 5:00 PM MDT" in to_mentee.body
    assert "When: Thursday, October 15, 2026, 5:00 PM MDT (45 minutes)" in to_mentee.body
    assert "How: Video call, join at https://meet.example.org/maya-omar" in to_mentee.body
    assert "Agenda:\nResidency interviews & CV" in to_mentee.body  # not HTML-escaped
    meeting_url = f"http://127.0.0.1:8000/mentorship/{meeting.match_id}/meetings/{meeting.pk}/"
    assert f"Meeting page: {meeting_url}" in to_mentee.body
    assert "/unsubscribe/" in to_mentee.body
    [(html, _)] = to_mentee.alternatives
    assert f'href="{meeting_url}"' in html
    assert 'href="https://meet.example.org/maya-omar"' in html
    assert "Residency interviews &amp; CV" in html

    to_mentor = email_to(mentor)
    assert to_mentor.subject == "Reminder: your meeting with Maya Mentee tomorrow at 7:00 PM EDT"
    assert "your mentee, Maya Mentee" in to_mentor.body
    assert "Thursday, October 15, 2026, 7:00 PM EDT" in to_mentor.body

    [(filename, content, mimetype)] = to_mentor.attachments
    assert (filename, mimetype) == (f"mentorship-meeting-{meeting.pk}.ics", "text/calendar")
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == STARTS.astimezone(UTC)
    assert event.decoded("dtend") == STARTS.astimezone(UTC) + timedelta(minutes=45)
    assert str(event["summary"]) == "Mentorship meeting with Maya Mentee"
    assert str(event["uid"]).startswith(f"meeting-{meeting.pk}@")
    assert str(event["url"]) == "https://meet.example.org/maya-omar"

    assert set(Notification.objects.values_list("idempotency_key", flat=True)) == {
        f"meeting-reminder:{meeting.pk}:2026-10-15T23:00:00+00:00:{mentee.pk}",
        f"meeting-reminder:{meeting.pk}:2026-10-15T23:00:00+00:00:{mentor.pk}",
    }


def test_25_hours_before_nothing_is_sent(meeting, django_capture_on_commit_callbacks):
    run_job(STARTS - timedelta(hours=25), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_meeting_that_has_started_gets_no_reminder(meeting, django_capture_on_commit_callbacks):
    run_job(STARTS, django_capture_on_commit_callbacks)
    run_job(STARTS + timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_cancelled_meeting_gets_no_reminder(meeting, mentee, django_capture_on_commit_callbacks):
    services.meeting_cancel(meeting=meeting, user=mentee)
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_meeting_cancelled_after_the_job_found_it_gets_no_reminder(
    meeting, mentee, django_capture_on_commit_callbacks
):
    with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
        services.meeting_cancel(meeting=meeting, user=mentee)
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_meeting(meeting.pk, mentee.pk) == "skipped"
    assert mail.outbox == []


def test_each_member_is_reminded_once(meeting, django_capture_on_commit_callbacks):
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)
    run_job(STARTS - timedelta(hours=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_a_rescheduled_meeting_gets_a_new_reminder(
    meeting, mentee, django_capture_on_commit_callbacks
):
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    later = STARTS + timedelta(hours=2)
    with time_machine.travel(STARTS - timedelta(hours=22), tick=False):
        services.meeting_plan(
            match=meeting.match,
            user=mentee,
            starts_at=later,
            duration_minutes=60,
            meeting=meeting,
        )
    run_job(STARTS - timedelta(hours=21), django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 4
    assert email_to_all(mentee)[-1].subject == (
        "Reminder: your meeting with Omar Mentor tomorrow at 7:00 PM MDT"
    )


def test_a_meeting_later_today_says_today(pair, mentee, django_capture_on_commit_callbacks):
    MeetingFactory(match=pair, status=Meeting.Status.PLANNED, starts_at=STARTS, video_link="")
    run_job(STARTS - timedelta(hours=3), django_capture_on_commit_callbacks)

    email = email_to(mentee)
    assert email.subject == "Reminder: your meeting with Omar Mentor today at 5:00 PM MDT"
    assert "no link yet: agree on one with Omar" in email.body


def test_pairs_not_released_or_ended_get_no_reminders(pair, django_capture_on_commit_callbacks):
    unreleased = PairFactory(notified_at=None)
    ended = PairFactory(status=Match.Status.ENDED, ended_at=STARTS - timedelta(days=7))
    for match in (unreleased, ended):
        MeetingFactory(match=match, status=Meeting.Status.PLANNED, starts_at=STARTS)
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_member_who_turned_reminders_off_gets_none_but_their_partner_does(
    meeting, mentee, mentor, django_capture_on_commit_callbacks
):
    reminders_set(user=mentee, enabled=False)
    run_job(STARTS - timedelta(hours=23), django_capture_on_commit_callbacks)

    assert [e.to for e in mail.outbox] == [[mentor.email]]
    with time_machine.travel(STARTS - timedelta(hours=22), tick=False):
        assert remind_meeting(meeting.pk, mentee.pk) == "skipped"  # the task checks too


def test_someone_outside_the_pair_is_never_sent_the_meeting(
    meeting, outsider, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(STARTS - timedelta(hours=23), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert remind_meeting(meeting.pk, outsider.pk) == "skipped"
    assert mail.outbox == []


@pytest.mark.parametrize("pairs_count", [5, 50])
def test_finding_due_meetings_takes_the_same_queries_however_many_pairs_there_are(
    pairs_count, django_assert_max_num_queries
):
    cohort = PairFactory().cohort
    for _ in range(pairs_count - 1):
        MeetingFactory(
            match=PairFactory(cohort=cohort), status=Meeting.Status.PLANNED, starts_at=STARTS
        )

    with (
        time_machine.travel(STARTS - timedelta(hours=23), tick=False),
        mock.patch.object(remind_meeting, "delay") as delay,
        django_assert_max_num_queries(3),  # the meetings, then what was sent and who opted out
    ):
        assert send_meeting_reminders() == 2 * (pairs_count - 1)
    assert delay.call_count == 2 * (pairs_count - 1)


def test_the_schedule_is_in_beat_and_its_migration_can_be_reversed():
    task = PeriodicTask.objects.get(name="Meeting reminders")
    assert task.task == "meetings.tasks.send_meeting_reminders"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("0", "*")

    migration = import_module("meetings.migrations.0003_meeting_reminder_schedule")
    migration.remove_schedule(apps, None)
    assert not PeriodicTask.objects.filter(name="Meeting reminders").exists()
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # running it again changes nothing
    assert PeriodicTask.objects.filter(name="Meeting reminders").count() == 1


def test_the_reminder_staff_see_in_the_notification_log_holds_no_agenda_or_video_link(
    meeting, mentee, django_capture_on_commit_callbacks
):
    with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            send_meeting_reminders()
        notification = Notification.objects.get(recipient=mentee)

    stored = f"{notification.context} {notification.attachments}"
    assert "Residency interviews" not in stored
    assert "meet.example.org" not in stored
    assert notification.context["meeting_id"] == meeting.pk


def test_a_reminder_sent_later_reads_the_agenda_and_link_as_they_are_then(
    meeting, mentee, django_capture_on_commit_callbacks
):
    with time_machine.travel(STARTS - timedelta(hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            send_meeting_reminders()
        Meeting.objects.filter(pk=meeting.pk).update(
            agenda="Mock interview", video_link="https://meet.example.org/new-room"
        )
        notification = Notification.objects.get(recipient=mentee)
        email = notification_render(notification=notification)

    assert "Agenda:\nMock interview" in email.body
    assert "join at https://meet.example.org/new-room" in email.body
    [(_, content, _)] = email.attachments
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(event["url"]) == "https://meet.example.org/new-room"
    assert "Mock interview" in str(event["description"])


def test_reminders_recorded_before_keep_the_meeting_id_instead_of_its_agenda_and_link(meeting):
    key = f"meeting-reminder:{meeting.pk}:2026-10-15T23:00:00+00:00:1"
    Notification.objects.create(
        kind="meeting_reminder",
        idempotency_key=key,
        to_email="maya@example.test",
        context={"agenda": meeting.agenda, "video_link": meeting.video_link, "day": "tomorrow"},
        attachments=[{"filename": "m.ics", "content": meeting.agenda, "mimetype": "text/calendar"}],
    )
    migration = import_module("meetings.migrations.0005_meeting_reminders_forget_agenda_and_link")

    migration.forget_agenda_and_link(apps, None)

    notification = Notification.objects.get(idempotency_key=key)
    assert notification.context == {"day": "tomorrow", "meeting_id": meeting.pk}
    assert notification.attachments == []
