"""What members read when their match is released, and the orientation reminder the day before."""

import zoneinfo
from datetime import UTC, datetime, timedelta
from unittest import mock

import icalendar
import pytest
import time_machine
from django.core import mail

from matching.release import matches_release
from matching.tasks import send_orientation_reminder, send_orientation_reminders
from notifications.models import Notification
from notifications.services import reminders_set
from tests.factories import ActiveCohortFactory, PairFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# The pilot's orientation: Saturday Oct 3, 2026 at noon in New York, 10 AM for the Denver mentee.
ORIENTATION = datetime(2026, 10, 3, 12, tzinfo=NEW_YORK)
RELEASED = datetime(2026, 9, 28, 10, tzinfo=NEW_YORK)


@pytest.fixture
def cohort():
    return ActiveCohortFactory(
        name="Pilot cohort",
        orientation_duration=90,
        orientation_link="https://meet.example.org/pilot-orientation",
        orientation_details="Meet the program team & the other pairs; bring your questions.",
    )


@pytest.fixture
def pair(cohort):
    pair = PairFactory(
        cohort=cohort,
        notified_at=None,
        reasons=["both in the Mountain division", "shared interests: Oncology"],
        mentee__member__first_name="Maya",
        mentee__member__last_name="Mentee",
        mentee__member__email="maya@example.test",
        mentor__member__first_name="Omar",
        mentor__member__last_name="O'Neill",
        mentor__member__email="omar@example.test",
    )
    # The mentor lives in New York, the mentee in Colorado: each reads their own time.
    profile = pair.mentor.member.profile
    profile.time_zone = "America/New_York"
    profile.credentials = "PharmD, BCOP"
    profile.institution = "Denver Health"
    profile.save()
    return pair


@pytest.fixture
def mentee(pair):
    return pair.mentee.member


@pytest.fixture
def mentor(pair):
    return pair.mentor.member


def release(cohort, capture, at=RELEASED) -> int:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return matches_release(cohort=cohort)


def email_to(user):
    [email] = [e for e in mail.outbox if e.to == [user.email]]
    return email


def calendar_event(email):
    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == ("orientation.ics", "text/calendar")
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return event


# ---------------------------------------------------------------------------------------------
# The announcement
# ---------------------------------------------------------------------------------------------


def test_the_mentee_learns_who_their_mentor_is_how_to_reach_them_and_what_to_do_next(
    cohort, pair, mentee, mentor, django_capture_on_commit_callbacks
):
    release(cohort, django_capture_on_commit_callbacks)

    assert sorted(e.to[0] for e in mail.outbox) == [mentee.email, mentor.email]
    email = email_to(mentee)
    assert email.subject == "Meet your mentor in Pilot cohort: Omar O'Neill"
    body = email.body
    assert body.startswith("Hello Maya,")
    assert "matched you with your mentor:" in body
    assert "Omar O'Neill, PharmD, BCOP\n  Denver Health\n  omar@example.test" in body
    assert "Why we paired you: both in the Mountain division; shared interests: Oncology." in body
    workspace = f"http://127.0.0.1:8000/mentorship/{pair.pk}/"
    assert workspace in body
    # The announcement is the orientation invitation, in the mentee's own time zone.
    assert (
        "You are invited to the training orientation on Saturday, October 3, 2026, 10:00 AM "
        "MDT (1 hour 30 minutes)" in body
    )
    assert "Join: https://meet.example.org/pilot-orientation" in body
    assert "Meet the program team & the other pairs" in body  # plain text, not escaped
    assert "As the mentee, you lead the meetings. Write to Omar at omar@example.test" in body
    assert "ideally in October 2026" in body
    assert "runs from October 1, 2026 to March 31, 2027" in body
    assert "at least 6 hours in all, and at least 1 hour every month" in body
    assert "/unsubscribe/" not in body  # an announcement is not a reminder to turn off

    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert f'href="{workspace}"' in html
    assert 'href="mailto:omar@example.test"' in html
    assert "Omar O&#x27;Neill" in html
    assert "Meet the program team &amp; the other pairs" in html
    assert "You are invited to the training orientation" in html

    event = calendar_event(email)
    assert event.decoded("dtstart") == ORIENTATION.astimezone(UTC)
    assert event.decoded("dtend") == ORIENTATION.astimezone(UTC) + timedelta(minutes=90)
    assert str(event["summary"]) == "Pilot cohort: orientation"
    assert str(event["url"]) == "https://meet.example.org/pilot-orientation"


def test_the_mentor_learns_who_their_mentee_is_and_that_the_mentee_leads(
    cohort, pair, mentee, mentor, django_capture_on_commit_callbacks
):
    release(cohort, django_capture_on_commit_callbacks)

    email = email_to(mentor)
    assert email.subject == "Meet your mentee in Pilot cohort: Maya Mentee"
    assert email.body.startswith("Hello Omar,")
    assert "maya@example.test" in email.body
    assert "Your mentee leads the meetings: Maya will write to you" in email.body
    assert "Saturday, October 3, 2026, 12:00 PM EDT" in email.body  # New York time
    calendar_event(email)
    assert set(Notification.objects.values_list("idempotency_key", "kind", "optional")) == {
        (f"match-announcement:{pair.pk}:mentor", "match_announcement", False),
        (f"match-announcement:{pair.pk}:mentee", "match_announcement", False),
    }


def test_members_who_turned_reminders_off_still_hear_about_their_match(
    cohort, pair, mentee, mentor, django_capture_on_commit_callbacks
):
    reminders_set(user=mentee, enabled=False)
    release(cohort, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_a_mentor_with_two_mentees_gets_one_email_for_each(
    cohort, pair, mentor, django_capture_on_commit_callbacks
):
    second = PairFactory(
        cohort=cohort,
        notified_at=None,
        mentor=pair.mentor,
        mentor_slot=2,
        mentor_capacity=2,
        mentee__member__first_name="Lena",
        mentee__member__last_name="Second",
    )
    release(cohort, django_capture_on_commit_callbacks)
    to_mentor = sorted(e.subject for e in mail.outbox if e.to == [mentor.email])
    assert to_mentor == [
        "Meet your mentee in Pilot cohort: Lena Second",
        "Meet your mentee in Pilot cohort: Maya Mentee",
    ]
    assert len(mail.outbox) == 4
    assert second.pk != pair.pk


def test_a_pair_released_after_the_orientation_is_not_invited_to_it(
    cohort, pair, mentee, django_capture_on_commit_callbacks
):
    release(
        cohort, django_capture_on_commit_callbacks, at=datetime(2026, 11, 2, 9, tzinfo=NEW_YORK)
    )
    email = email_to(mentee)
    assert "You are invited" not in email.body
    assert "The training orientation took place on October 3, 2026." in email.body
    assert "ideally in November 2026" in email.body
    assert email.attachments == []


def test_a_cohort_without_an_orientation_date_says_it_is_coming(
    pair, mentee, django_capture_on_commit_callbacks
):
    cohort = pair.cohort
    cohort.orientation_at = None
    cohort.save()
    release(cohort, django_capture_on_commit_callbacks)
    email = email_to(mentee)
    assert "The date of the training orientation is not set yet." in email.body
    assert email.attachments == []


# ---------------------------------------------------------------------------------------------
# The orientation reminder
# ---------------------------------------------------------------------------------------------


def run_reminders(at: datetime, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        send_orientation_reminders()


def reminders():
    return [e for e in mail.outbox if e.subject.startswith("Reminder:")]


@pytest.fixture
def released(cohort, pair, django_capture_on_commit_callbacks):
    release(cohort, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    return pair


def test_the_day_before_each_member_is_reminded_once_with_the_calendar_file(
    released, mentee, mentor, django_capture_on_commit_callbacks
):
    run_reminders(ORIENTATION - timedelta(hours=25), django_capture_on_commit_callbacks)
    assert mail.outbox == []

    run_reminders(ORIENTATION - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert sorted(e.to[0] for e in reminders()) == [mentee.email, mentor.email]
    email = email_to(mentee)
    assert email.subject == "Reminder: the Pilot cohort orientation is tomorrow at 10:00 AM MDT"
    assert email.body.startswith("Hello Maya,")
    assert "When: Saturday, October 3, 2026, 10:00 AM MDT (1 hour 30 minutes)" in email.body
    assert "Join: https://meet.example.org/pilot-orientation" in email.body
    assert f"http://127.0.0.1:8000/mentorship/{released.pk}/" in email.body
    assert "/unsubscribe/" in email.body  # a reminder the member may turn off
    [(html, _)] = email.alternatives
    assert 'href="https://meet.example.org/pilot-orientation"' in html
    assert calendar_event(email).decoded("dtstart") == ORIENTATION.astimezone(UTC)
    assert email_to(mentor).subject == (
        "Reminder: the Pilot cohort orientation is tomorrow at 12:00 PM EDT"
    )
    assert set(
        Notification.objects.filter(kind="orientation_reminder").values_list(
            "idempotency_key", flat=True
        )
    ) == {
        f"orientation-reminder:{released.cohort_id}:{mentee.pk}",
        f"orientation-reminder:{released.cohort_id}:{mentor.pk}",
    }

    # Every later run in the window finds the reminders already sent.
    for hours in (22, 5, 1):
        run_reminders(ORIENTATION - timedelta(hours=hours), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_on_the_day_itself_the_reminder_says_today(
    released, mentee, django_capture_on_commit_callbacks
):
    run_reminders(ORIENTATION - timedelta(hours=3), django_capture_on_commit_callbacks)
    assert email_to(mentee).subject == (
        "Reminder: the Pilot cohort orientation is today at 10:00 AM MDT"
    )


def test_no_reminder_once_the_orientation_has_started(released, django_capture_on_commit_callbacks):
    run_reminders(ORIENTATION + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_member_who_turned_reminders_off_gets_none(
    released, mentee, mentor, django_capture_on_commit_callbacks
):
    reminders_set(user=mentee, enabled=False)
    run_reminders(ORIENTATION - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert [e.to for e in mail.outbox] == [[mentor.email]]
    assert not Notification.objects.filter(recipient=mentee, kind="orientation_reminder").exists()


def test_members_of_unreleased_or_ended_pairs_are_not_reminded(
    cohort, released, django_capture_on_commit_callbacks
):
    unreleased = PairFactory(cohort=cohort, notified_at=None)
    ended = PairFactory(cohort=cohort, status="ended", ended_at=RELEASED, end_reason="moved")
    run_reminders(ORIENTATION - timedelta(hours=23), django_capture_on_commit_callbacks)
    told = {e.to[0] for e in mail.outbox}
    assert len(told) == 2
    for pair in (unreleased, ended):
        assert pair.mentee.member.email not in told
        assert pair.mentor.member.email not in told


def test_a_rescheduled_orientation_is_checked_again_when_the_task_runs(
    cohort, released, mentee, django_capture_on_commit_callbacks
):
    cohort.orientation_at = ORIENTATION + timedelta(days=7)
    cohort.save()
    with (
        time_machine.travel(ORIENTATION - timedelta(hours=23), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_orientation_reminder.delay(cohort.pk, mentee.pk).get() == "skipped"
    assert mail.outbox == []


def test_the_job_queues_one_task_per_member_in_a_fixed_number_of_queries(
    cohort, released, django_assert_max_num_queries
):
    mentor = released.mentor
    PairFactory(cohort=cohort, mentor=mentor, mentor_slot=2, mentor_capacity=2)
    for _ in range(5):
        PairFactory(cohort=cohort)
    PairFactory(cohort=ActiveCohortFactory(orientation_at=ORIENTATION + timedelta(days=3)))

    with (
        time_machine.travel(ORIENTATION - timedelta(hours=23), tick=False),
        mock.patch.object(send_orientation_reminder, "delay") as delay,
        django_assert_max_num_queries(2),  # the cohorts due, then their participants
    ):
        assert send_orientation_reminders() == 1 + 2 + 5 * 2  # the mentor of two, once

    called = [call.args for call in delay.call_args_list]
    assert len(set(called)) == len(called) == 13
    assert {cohort_id for cohort_id, _ in called} == {cohort.pk}
