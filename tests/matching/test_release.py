"""Releasing approved matches: by staff from admin, or on the cohort's match notification date."""

import zoneinfo
from datetime import date, datetime, timedelta
from importlib import import_module
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from applications.models import Application
from matching.decisions import match_create
from matching.ending import match_end
from matching.models import Match
from matching.release import matches_release
from matching.tasks import (
    release_cohort_matches,
    release_due_matches,
)
from notifications.models import Notification
from notifications.tasks import send_notification, sweep_notifications
from tests.browser import assert_valid_html
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ActiveCohortFactory,
    PairFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("mentor", "mentee")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")  # the program office's zone (TIME_ZONE)
# Four days before the pilot's match notification date (Sept 30, 2026).
BEFORE_THE_DATE = datetime(2026, 9, 26, 10, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(BEFORE_THE_DATE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cohort():
    return ActiveCohortFactory(name="Pilot cohort")


def approved(cohort, **kwargs) -> Match:
    """An approved match nobody has been told about yet."""
    return PairFactory(cohort=cohort, notified_at=None, **kwargs)


@pytest.fixture
def pairs(cohort):
    return [approved(cohort), approved(cohort)]


def release(cohort, capture, **kwargs) -> int:
    with capture(execute=True):
        return matches_release(cohort=cohort, **kwargs)


def run_job(at: datetime, capture) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        release_due_matches()


def released_ids(cohort) -> set[int]:
    return set(Match.objects.released().for_cohort(cohort).values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------------------------


def test_releasing_tells_only_the_approved_matches_not_yet_released(
    cohort, pairs, django_capture_on_commit_callbacks
):
    earlier = timezone.now() - timedelta(days=2)
    already = PairFactory(cohort=cohort, notified_at=earlier)
    proposed = PairFactory(
        cohort=cohort, status="proposed", mentor_slot=None, mentor_capacity=None, notified_at=None
    )
    rejected = PairFactory(
        cohort=cohort, status="rejected", mentor_slot=None, mentor_capacity=None, notified_at=None
    )
    ended = PairFactory(
        cohort=cohort, status="ended", ended_at=timezone.now(), end_reason="x", notified_at=None
    )
    other_cohort = approved(ActiveCohortFactory())

    assert release(cohort, django_capture_on_commit_callbacks) == 2

    for match in pairs:
        match.refresh_from_db()
        assert match.notified_at == timezone.now()
    for match in (proposed, rejected, ended, other_cohort):
        match.refresh_from_db()
        assert match.notified_at is None
    already.refresh_from_db()
    assert already.notified_at == earlier
    # Only the two newly released pairs hear about it: one email to each member.
    assert len(mail.outbox) == 4
    told = {address for email in mail.outbox for address in email.to}
    assert told == {p.mentor.member.email for p in pairs} | {p.mentee.member.email for p in pairs}


def test_members_see_matching_in_progress_before_and_their_workspace_after(
    client, cohort, django_capture_on_commit_callbacks
):
    pair = approved(cohort, mentor__member__first_name="Omar", mentor__member__last_name="Mentor")
    mentee, mentor = pair.mentee.member, pair.mentor.member
    workspace = reverse("meetings:workspace", args=[pair.pk])
    my_match = reverse("matching:my_match", args=[pair.mentee.pk])

    client.force_login(mentee)
    assert client.get(workspace).status_code == 404
    page = client.get(my_match).content.decode()
    assert "Matching in progress" in page
    assert "Omar Mentor" not in page

    release(cohort, django_capture_on_commit_callbacks)

    assert client.get(workspace).status_code == 200
    page = client.get(my_match).content.decode()
    assert "Matching in progress" not in page
    assert "Omar Mentor" in page
    client.force_login(mentor)
    assert client.get(workspace).status_code == 200


def test_releasing_twice_releases_and_sends_nothing_more(
    cohort, pairs, django_capture_on_commit_callbacks
):
    assert release(cohort, django_capture_on_commit_callbacks) == 2
    first = {p.pk: Match.objects.get(pk=p.pk).notified_at for p in pairs}

    with time_machine.travel(BEFORE_THE_DATE + timedelta(hours=1), tick=False):
        assert release(cohort, django_capture_on_commit_callbacks) == 0

    assert {p.pk: Match.objects.get(pk=p.pk).notified_at for p in pairs} == first
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4


def test_a_match_approved_after_the_release_is_released_by_the_next_one(
    cohort, pairs, staff, django_capture_on_commit_callbacks
):
    release(cohort, django_capture_on_commit_callbacks, released_by=staff)
    mail.outbox.clear()
    late = match_create(
        mentor=AcceptedMentorFactory(cohort=cohort),
        mentee=AcceptedFactory(cohort=cohort),
        created_by=staff,
        below_minimum_reason="They asked to work together.",
    )
    assert late.pk not in released_ids(cohort)

    assert release(cohort, django_capture_on_commit_callbacks, released_by=staff) == 1

    assert late.pk in released_ids(cohort)
    assert sorted(e.to[0] for e in mail.outbox) == sorted(
        [late.mentor.member.email, late.mentee.member.email]
    )


def test_a_match_ended_before_its_announcement_goes_out_is_not_announced(
    cohort, staff, django_capture_on_commit_callbacks
):
    pair = approved(cohort)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        matches_release(cohort=cohort)
    match_end(match=pair, ended_by=staff, reason="The mentee moved abroad.")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    # Neither heard of the pair, so neither hears that it ended.
    assert mail.outbox == []
    announcements = Notification.objects.filter(kind="match_announcement")
    assert set(announcements.values_list("status", flat=True)) == {"cancelled"}


def test_an_announcement_is_checked_again_when_its_turn_comes_to_be_sent(
    cohort, django_capture_on_commit_callbacks
):
    pair = approved(cohort)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        matches_release(cohort=cohort)
    # The mentee's application left "accepted" by a path that did not end the pair (data from
    # before withdrawals ended pairs): the check before sending still catches it.
    Application.objects.filter(pk=pair.mentee_id).update(status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"cancelled"}


def test_releasing_records_the_announcements_in_the_same_transaction(
    cohort, pairs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        matches_release(cohort=cohort)
    # Before anything is queued, each member's email is already a pending row.
    keys = set(Notification.objects.pending().values_list("idempotency_key", flat=True))
    assert keys == {f"match-announcement:{p.pk}:{role}" for p in pairs for role in ROLES}


def test_a_match_whose_person_left_is_ended_at_release_not_announced(
    cohort, django_capture_on_commit_callbacks
):
    kept, gone = approved(cohort), approved(cohort)
    Application.objects.filter(pk=gone.mentor_id).update(status="withdrawn")

    assert release(cohort, django_capture_on_commit_callbacks) == 1

    gone.refresh_from_db()
    assert gone.status == "ended"
    assert gone.notified_at is None
    assert "is withdrawn" in gone.end_reason
    assert {address for email in mail.outbox for address in email.to} >= {
        kept.mentor.member.email,
        kept.mentee.member.email,
    }
    assert gone.mentee.member.email not in {a for e in mail.outbox for a in e.to}


# ---------------------------------------------------------------------------------------------
# On the match notification date
# ---------------------------------------------------------------------------------------------


def test_the_automatic_release_waits_for_the_notification_date_in_the_program_zone(
    cohort, pairs, django_capture_on_commit_callbacks
):
    # 11:30 PM in New York on Sept 29 is already Sept 30 in UTC: still the day before.
    run_job(datetime(2026, 9, 29, 23, 30, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert released_ids(cohort) == set()
    assert mail.outbox == []

    run_job(datetime(2026, 9, 30, 7, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert released_ids(cohort) == {p.pk for p in pairs}
    assert len(mail.outbox) == 4

    # Every later run finds nothing more to do.
    run_job(datetime(2026, 9, 30, 8, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4


def test_a_pair_approved_after_the_notification_date_is_released_by_the_next_run(
    cohort, pairs, staff, django_capture_on_commit_callbacks
):
    run_job(datetime(2026, 9, 30, 7, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    with time_machine.travel(datetime(2026, 10, 5, 14, tzinfo=NEW_YORK), tick=False):
        late = match_create(
            mentor=AcceptedMentorFactory(cohort=cohort),
            mentee=AcceptedFactory(cohort=cohort),
            created_by=staff,
            below_minimum_reason="They asked to work together.",
        )
    mail.outbox.clear()

    run_job(datetime(2026, 10, 5, 15, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)

    assert late.pk in released_ids(cohort)
    assert len(mail.outbox) == 2


def test_a_cohort_whose_period_has_ended_is_not_released_automatically(
    django_capture_on_commit_callbacks,
):
    cohort = ActiveCohortFactory()
    approved(cohort)
    run_job(datetime(2027, 4, 2, 9, tzinfo=NEW_YORK), django_capture_on_commit_callbacks)
    assert released_ids(cohort) == set()


def test_the_cohort_task_checks_the_date_again_when_it_runs(
    cohort, pairs, django_capture_on_commit_callbacks
):
    # Queued on the date, but staff moved the date later before the task ran.
    cohort.match_notification_date = cohort.period_start
    cohort.save()
    with (
        time_machine.travel(datetime(2026, 9, 30, 9, tzinfo=NEW_YORK), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert release_cohort_matches.delay(cohort.pk).get() == 0
    assert released_ids(cohort) == set()


def test_the_job_queues_one_task_per_due_cohort_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    due = [ActiveCohortFactory() for _ in range(3)]
    for cohort in due:
        approved(cohort)
        approved(cohort)
    ahead = ActiveCohortFactory(match_notification_date=date(2026, 10, 1))
    approved(ahead)
    done = ActiveCohortFactory()
    PairFactory(cohort=done)  # already released

    with (
        time_machine.travel(datetime(2026, 9, 29, 23, 30, tzinfo=NEW_YORK), tick=False),
        mock.patch.object(release_cohort_matches, "delay") as delay,
    ):
        release_due_matches()  # already Sept 30 in UTC, not yet in the program's zone
    assert delay.call_count == 0

    with (
        time_machine.travel(datetime(2026, 9, 30, 9, tzinfo=NEW_YORK), tick=False),
        mock.patch.object(release_cohort_matches, "delay") as delay,
        django_assert_max_num_queries(1),  # the cohorts due
    ):
        release_due_matches()

    assert sorted(call.args[0] for call in delay.call_args_list) == sorted(c.pk for c in due)


def test_announcements_lost_with_the_broker_are_sent_by_the_sweeper_at_any_hour(
    cohort, pairs, django_capture_on_commit_callbacks
):
    # Released by hand late in the evening, with the task queue down: nothing is queued.
    evening = datetime(2026, 9, 26, 22, 30, tzinfo=NEW_YORK)
    with (
        time_machine.travel(evening, tick=False),
        mock.patch.object(send_notification, "delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert matches_release(cohort=cohort) == 2
    assert mail.outbox == []
    assert Notification.objects.pending().count() == 4

    # The notifications sweeper (every five minutes, at any hour) sends them, once.
    for later in (timedelta(minutes=10), timedelta(minutes=20), timedelta(days=4)):
        with (
            time_machine.travel(evening + later, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            sweep_notifications()
    assert len(mail.outbox) == 4
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_the_schedules_are_in_beat_and_their_migration_can_be_reversed():
    release_task = PeriodicTask.objects.get(name="Release matches on the notification date")
    assert release_task.task == "matching.tasks.release_due_matches"
    assert release_task.enabled
    assert (release_task.crontab.minute, release_task.crontab.hour) == ("0", "7-21")
    assert str(release_task.crontab.timezone) == "America/New_York"
    reminders = PeriodicTask.objects.get(name="Orientation reminders")
    assert reminders.task == "matching.tasks.send_orientation_reminders"
    assert (reminders.crontab.minute, reminders.crontab.hour) == ("0", "*")

    migration = import_module("matching.migrations.0002_release_and_orientation_schedules")
    migration.remove_schedules(apps, None)
    assert not PeriodicTask.objects.filter(task__startswith="matching.").exists()
    migration.create_schedules(apps, None)
    migration.create_schedules(apps, None)  # running it again changes nothing
    assert PeriodicTask.objects.filter(task__startswith="matching.").count() == 2


# ---------------------------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------------------------


def release_url(cohort) -> str:
    return reverse("admin:matching_match_release") + f"?cohort={cohort.pk}"


def test_staff_release_a_cohort_from_its_page_after_confirming(
    client, cohort, pairs, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    client.force_login(staff)
    cohort_page = client.get(reverse("admin:cohorts_cohort_change", args=[cohort.pk]))
    assert release_url(cohort).replace("&", "&amp;").encode() in cohort_page.content

    confirm = client.get(release_url(cohort))
    assert confirm.status_code == 200
    assert_valid_html(confirm.content, context="release confirmation")
    text = confirm.content.decode()
    assert "2 approved matches will be announced." in text
    assert "Each member gets an email now" in text
    assert "(4 emails in all)" in text
    assert "released automatically then if you do nothing" in text
    assert str(pairs[0].mentor.member) in text
    assert released_ids(cohort) == set()  # looking sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release_url(cohort), follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:cohorts_cohort_change", args=[cohort.pk]
    )
    assert "2 matches released; 4 members are being emailed." in response.content.decode()
    assert released_ids(cohort) == {p.pk for p in pairs}
    assert len(mail.outbox) == 4
    entry = LogEntry.objects.get(object_id=str(cohort.pk))
    assert (entry.user, entry.change_message) == (staff, "Released 2 approved matches.")


def test_the_confirmation_says_so_when_nothing_is_waiting(
    client, cohort, django_capture_on_commit_callbacks
):
    PairFactory(cohort=cohort)  # released already
    client.force_login(StaffFactory())
    confirm = client.get(release_url(cohort))
    assert_valid_html(confirm.content, context="nothing to release")
    assert "There are no approved matches waiting to be released" in confirm.content.decode()
    assert b"Yes, release" not in confirm.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(release_url(cohort), follow=True)
    assert "No approved matches were waiting to be released" in response.content.decode()
    assert mail.outbox == []


def _staff_with(*codenames) -> object:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_only_staff_who_may_change_matches_can_release(
    client, cohort, pairs, django_capture_on_commit_callbacks
):
    client.force_login(_staff_with("view_cohort", "change_cohort", "view_match"))
    cohort_page = client.get(reverse("admin:cohorts_cohort_change", args=[cohort.pk]))
    assert b"Release approved matches" not in cohort_page.content
    assert client.get(release_url(cohort)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(release_url(cohort)).status_code == 403
    changelist = client.get(reverse("admin:cohorts_cohort_changelist"))
    assert b"release_matches" not in changelist.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:cohorts_cohort_changelist"),
            {"action": "release_matches", "_selected_action": [cohort.pk], "post": "yes"},
        )
    assert released_ids(cohort) == set()
    assert mail.outbox == []

    client.force_login(_staff_with("view_cohort", "change_match"))
    assert client.get(release_url(cohort)).status_code == 200


def test_staff_release_several_cohorts_with_the_list_action(
    client, cohort, pairs, django_capture_on_commit_callbacks
):
    other = ActiveCohortFactory(name="Spring cohort")
    other_pair = approved(other)
    untouched = approved(ActiveCohortFactory(name="Not selected"))
    client.force_login(StaffFactory())
    changelist = reverse("admin:cohorts_cohort_changelist")
    selected = {"action": "release_matches", "_selected_action": [cohort.pk, other.pk]}

    confirm = client.post(changelist, selected)
    assert confirm.status_code == 200
    assert_valid_html(confirm.content, context="release action confirmation")
    assert "3 approved matches will be announced." in confirm.content.decode()
    assert released_ids(cohort) == set()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {**selected, "post": "yes"}, follow=True)

    assert "3 matches released; 6 members are being emailed." in response.content.decode()
    assert released_ids(cohort) | released_ids(other) == {p.pk for p in [*pairs, other_pair]}
    untouched.refresh_from_db()
    assert untouched.notified_at is None
    assert len(mail.outbox) == 6
