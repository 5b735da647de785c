"""Hour-commitment nudges, monthly progress summaries and the weekly staff digest.

The pilot's calendar: period Oct 1 2026 to Mar 31 2027, six hours in total, at least an hour a
month; mentees in Colorado. "December 1" is the first run after November.
"""

import zoneinfo
from datetime import date, datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import Match
from meetings import reminders
from meetings.digest import staff_digest_compute
from meetings.hooks import digest_sections
from meetings.tasks import (
    remind_pair_hours,
    remind_pairs_hours,
    send_monthly_hour_reminders,
    send_staff_digest,
    send_staff_digest_to,
)
from notifications.models import Notification
from notifications.services import reminders_set
from tests.factories import (
    AcceptedFactory,
    ActiveCohortFactory,
    ApplicationFactory,
    CohortFactory,
    MeetingFactory,
    PairFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DENVER = zoneinfo.ZoneInfo("America/Denver")
# Beat runs the monthly job early on the 1st, in the program's time zone.
DEC_1 = datetime(2026, 12, 1, 7, tzinfo=NEW_YORK)
APR_1 = datetime(2027, 4, 1, 7, tzinfo=NEW_YORK)
RELEASED = datetime(2026, 9, 30, 9, tzinfo=NEW_YORK)


@pytest.fixture
def cohort():
    return ActiveCohortFactory(name="Pilot 2026")


def _pair(cohort, **kwargs) -> Match:
    return PairFactory(cohort=cohort, notified_at=RELEASED, decided_at=RELEASED, **kwargs)


def _met(pair, day: datetime, minutes: int = 60):
    return MeetingFactory(match=pair, starts_at=day, duration_minutes=minutes)


def _oct(day: int) -> datetime:
    return datetime(2026, 10, day, 17, tzinfo=DENVER)


def _nov(day: int) -> datetime:
    return datetime(2026, 11, day, 17, tzinfo=DENVER)


def _run_monthly_job(capture, when=DEC_1) -> int:
    with time_machine.travel(when, tick=False), capture(execute=True):
        return send_monthly_hour_reminders.delay().get()


def _sent(pair) -> list[tuple[str, str, str]]:
    """(kind, role, to) of every email the job recorded for a pair, by key."""
    rows = Notification.objects.filter(idempotency_key__contains=f":{pair.pk}:").order_by("pk")
    return [(n.kind, n.context.get("role"), n.to_email) for n in rows]


def _emails_to(user) -> list:
    return [email for email in mail.outbox if email.to == [user.email]]


def _mentee(pair):
    return pair.mentee.member


def _mentor(pair):
    return pair.mentor.member


# ---------------------------------------------------------------------------------------------
# The monthly job
# ---------------------------------------------------------------------------------------------


def test_a_pair_with_thirty_minutes_in_november_gets_a_nudge_and_both_get_summaries(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _oct(8), 120)  # ahead in October, so the total is still on pace
    _met(pair, _nov(10), 30)

    _run_monthly_job(django_capture_on_commit_callbacks)

    assert sorted(_sent(pair)) == sorted(
        [
            ("progress_summary", "mentee", _mentee(pair).email),
            ("hours_nudge", "mentee", _mentee(pair).email),
            ("progress_summary", "mentor", _mentor(pair).email),
            ("hours_nudge", "mentor", _mentor(pair).email),
        ]
    )
    nudge = Notification.objects.get(idempotency_key=f"hours-nudge:{pair.pk}:2026-11:mentee")
    assert nudge.optional
    [mentee_nudge, summary] = sorted(_emails_to(_mentee(pair)), key=lambda e: e.subject)
    assert mentee_nudge.subject.startswith("November came in under the hour")
    assert "You and" in mentee_nudge.body and "30 min in November" in mentee_nudge.body
    assert "you lead the schedule" in mentee_nudge.body
    assert f"http://127.0.0.1:8000/mentorship/{pair.pk}/meetings/plan/" in mentee_nudge.body
    assert "Stop these reminders" in mentee_nudge.body
    [mentor_nudge] = [e for e in _emails_to(_mentor(pair)) if "under the hour" in e.subject]
    assert mentor_nudge.subject.startswith("For your information")
    assert "We have asked" in mentor_nudge.body
    assert summary.subject == f"Your November progress with {_mentor(pair).display_name}"
    assert "November: 30 min (under the 1 h minimum)" in summary.body
    assert "Total: 2 h 30 min of 6 h (41%)" in summary.body
    assert "Months at or above the minimum: 1 of 2" in summary.body
    assert "Next meeting: none planned yet" in summary.body
    [(html, _)] = summary.alternatives
    assert "2 h 30 min of 6 h" in html


def test_a_nudge_to_a_pair_with_decembers_meeting_planned_says_keep_it_rather_than_plan_one(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _oct(8), 120)
    _met(pair, _nov(10), 30)
    MeetingFactory(match=pair, status="planned", starts_at=datetime(2026, 12, 8, 17, tzinfo=DENVER))

    _run_monthly_job(django_capture_on_commit_callbacks)

    [nudge] = [e for e in _emails_to(_mentee(pair)) if "under the hour" in e.subject]
    assert "You already have your next meeting planned, for Tuesday, December 8" in nudge.body
    assert "Could you propose a time" not in nudge.body


def test_a_pair_that_met_november_gets_only_the_summaries(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _oct(8))
    _met(pair, _nov(10))
    MeetingFactory(match=pair, status="planned", starts_at=datetime(2026, 12, 8, 17, tzinfo=DENVER))

    _run_monthly_job(django_capture_on_commit_callbacks)

    assert sorted(kind for kind, _, _ in _sent(pair)) == ["progress_summary"] * 2
    [summary] = _emails_to(_mentee(pair))
    assert "Status: On track." in summary.body
    # The next meeting in the member's own time zone.
    assert "Next meeting: Tuesday, December 8, 5:00 PM MST" in summary.body


def test_a_pair_behind_pace_for_the_total_gets_the_firmer_note_instead_of_the_nudge(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _nov(10), 45)  # nothing in October, under the minimum in November

    _run_monthly_job(django_capture_on_commit_callbacks)

    kinds = sorted(_sent(pair))
    assert [kind for kind, _, _ in kinds] == ["hours_behind"] * 2 + ["progress_summary"] * 2
    assert Notification.objects.filter(
        idempotency_key=f"hours-behind:{pair.pk}:2026-11:mentor"
    ).exists()
    [note] = [e for e in _emails_to(_mentee(pair)) if "behind" in e.subject]
    assert note.subject == f"Your mentorship with {_mentor(pair).display_name} is behind on hours"
    assert "45 min logged; 2 h expected by now." in note.body
    assert "4 months remain until March 31, 2027" in note.body
    assert "plan on about 1 h 19 min a month" in note.body
    # Never more than two emails a member from this job in a month.
    assert len(_emails_to(_mentee(pair))) == 2
    assert len(_emails_to(_mentor(pair))) == 2


def test_a_pair_that_met_on_track_but_had_no_meeting_in_november_is_told_it_is_at_risk(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _oct(8), 150)

    _run_monthly_job(django_capture_on_commit_callbacks)

    [note] = [e for e in _emails_to(_mentee(pair)) if "risk" in e.subject]
    assert "at risk of missing the hour commitment" in note.subject
    assert "No meeting was logged in November." in note.body


def test_running_the_job_twice_sends_nothing_more(cohort, django_capture_on_commit_callbacks):
    pair = _pair(cohort)
    _met(pair, _nov(10), 30)
    _run_monthly_job(django_capture_on_commit_callbacks)
    first = len(mail.outbox)
    assert first == 4

    _run_monthly_job(django_capture_on_commit_callbacks)
    _run_monthly_job(django_capture_on_commit_callbacks, datetime(2026, 12, 20, 9, tzinfo=NEW_YORK))

    assert len(mail.outbox) == first
    assert Notification.objects.count() == first


def test_a_meeting_logged_late_does_not_add_a_nudge_to_the_firmer_note_already_sent(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _nov(10), 45)
    _run_monthly_job(django_capture_on_commit_callbacks)
    # November's missing meeting is logged later: the pair is now on pace but still under the
    # monthly minimum, which alone would call for a nudge.
    _met(pair, _oct(20), 90)

    _run_monthly_job(django_capture_on_commit_callbacks, datetime(2026, 12, 9, 9, tzinfo=NEW_YORK))

    assert (
        sorted(kind for kind, _, _ in _sent(pair))
        == ["hours_behind"] * 2 + ["progress_summary"] * 2
    )


def test_a_member_who_turned_reminders_off_gets_none_and_their_partner_still_does(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _nov(10), 30)
    reminders_set(user=_mentor(pair), enabled=False)

    _run_monthly_job(django_capture_on_commit_callbacks)

    assert _emails_to(_mentor(pair)) == []
    assert len(_emails_to(_mentee(pair))) == 2


def test_pairs_of_a_cohort_not_yet_started_and_ended_pairs_get_nothing(
    cohort, django_capture_on_commit_callbacks
):
    later = ActiveCohortFactory(period_start=date(2027, 1, 1), period_end=date(2027, 6, 30))
    not_started = _pair(later)
    ended = _pair(cohort, status="ended", ended_at=datetime(2026, 11, 15, tzinfo=NEW_YORK))
    unreleased = PairFactory(cohort=cohort, notified_at=None)

    assert _run_monthly_job(django_capture_on_commit_callbacks) == 0

    for pair in (not_started, ended, unreleased):
        assert _sent(pair) == []
    assert mail.outbox == []


def test_a_mentee_far_west_of_the_office_is_still_reported_on_a_finished_november(
    cohort, django_capture_on_commit_callbacks
):
    # At 7:00 in New York on December 1 it is still November 30 in Honolulu.
    pair = _pair(cohort)
    profile = _mentee(pair).profile
    profile.time_zone = "Pacific/Honolulu"
    profile.save()
    _met(pair, _oct(8))
    _met(pair, _nov(10))

    _run_monthly_job(django_capture_on_commit_callbacks)

    [summary] = _emails_to(_mentee(pair))
    assert "November: 1 h (the 1 h minimum met)" in summary.body
    assert "Months at or above the minimum: 2 of 2" in summary.body


def test_after_the_last_month_each_member_gets_the_final_tally_and_no_nudge(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    for month in range(10, 13):
        _met(pair, datetime(2026, month, 8, 17, tzinfo=DENVER))
    for month in range(1, 4):
        _met(pair, datetime(2027, month, 8, 17, tzinfo=DENVER), 30)

    _run_monthly_job(django_capture_on_commit_callbacks, APR_1)

    assert sorted(kind for kind, _, _ in _sent(pair)) == ["progress_summary"] * 2
    [summary] = _emails_to(_mentee(pair))
    assert summary.subject == f"Your mentorship with {_mentor(pair).display_name}: the final tally"
    assert "ended on March 31, 2027" in summary.body
    assert "Status: Commitment not met." in summary.body
    assert "Next meeting" not in summary.body


def test_the_pair_task_does_nothing_for_a_month_not_over_yet(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    with time_machine.travel(DEC_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert remind_pair_hours.delay(pair.pk, "2026-12").get() == "nothing due"
    assert mail.outbox == []


def test_the_finder_takes_the_same_queries_for_five_pairs_as_for_sixty(cohort):
    def finder_queries(pairs: int) -> int:
        Match.objects.all().delete()
        for _ in range(pairs):
            _pair(cohort)
        with (
            time_machine.travel(DEC_1, tick=False),
            mock.patch.object(remind_pairs_hours, "delay") as delay,
            CaptureQueriesContext(connection) as queries,
        ):
            assert send_monthly_hour_reminders() == pairs
        # One task per batch, naming every pair once.
        assert sorted(pk for call in delay.call_args_list for pk in call.args[0]) == sorted(
            Match.objects.values_list("pk", flat=True)
        )
        return len(queries)

    assert finder_queries(5) == finder_queries(60) <= 2


def test_the_finder_reads_ids_a_batch_at_a_time(cohort, django_assert_max_num_queries):
    pairs = [_pair(cohort) for _ in range(7)]
    with django_assert_max_num_queries(3):
        batches = list(reminders.pair_id_batches_for_month(month=date(2026, 11, 1), batch_size=3))
    assert batches == [[p.pk for p in pairs[:3]], [p.pk for p in pairs[3:6]], [pairs[6].pk]]


def test_one_pairs_task_takes_a_fixed_number_of_queries_however_many_meetings_it_had(
    cohort, django_capture_on_commit_callbacks
):
    def task_queries(meetings: int) -> int:
        pair = _pair(cohort)
        for day in range(meetings):
            _met(pair, _nov(1 + day), 5)  # behind pace either way: the same emails
        with (
            time_machine.travel(DEC_1, tick=False),
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
        ):
            remind_pair_hours(pair.pk, "2026-11")
        return len(queries)

    assert task_queries(1) == task_queries(20)


# ---------------------------------------------------------------------------------------------
# The weekly staff digest
# ---------------------------------------------------------------------------------------------

MONDAY = datetime(2026, 12, 7, 8, tzinfo=NEW_YORK)


def _run_digest(capture, when=MONDAY) -> int:
    with time_machine.travel(when, tick=False), capture(execute=True):
        return send_staff_digest.delay().get()


def test_the_staff_digest_lists_an_at_risk_pair_and_what_waits_for_staff(
    cohort, staff, django_capture_on_commit_callbacks
):
    at_risk = _pair(cohort)
    _met(at_risk, _oct(8), 120)  # nothing since October
    behind = _pair(cohort)
    _met(behind, _nov(8), 60)
    on_track = _pair(cohort)
    _met(on_track, _oct(8))
    _met(on_track, _nov(8))
    selecting = CohortFactory(name="Spring 2027")
    Match.objects.create(
        cohort=selecting,
        mentor=AcceptedFactory(cohort=selecting, role="mentor"),
        mentee=AcceptedFactory(cohort=selecting),
        score=55,
    )
    ApplicationFactory(cohort=selecting)
    ApplicationFactory(cohort=selecting)

    assert _run_digest(django_capture_on_commit_callbacks) == 1

    [email] = mail.outbox
    assert email.to == [staff.email]
    assert email.subject == "Weekly digest: 1 pair at risk, 1 match and 2 applications waiting"
    assert "Pilot 2026: 3 pairs, 1 at risk, 1 behind pace" in email.body
    assert (
        f"{_mentor(at_risk).display_name} (mentor) and {_mentee(at_risk).display_name} (mentee)"
        in email.body
    )
    assert "No meeting was logged in November." in email.body
    assert f"http://127.0.0.1:8000/admin/meetings/pair/{at_risk.pk}/change/" in email.body
    assert _mentee(on_track).display_name not in email.body
    assert "Spring 2027: 1 proposed match" in email.body
    assert f"cohort__id__exact={selecting.pk}&status__exact=proposed" in email.body
    assert "Spring 2027: 2 submitted applications" in email.body
    # Staff see the reason, never what the pair wrote.
    assert "Prepare for residency" not in email.body
    notification = Notification.objects.get(kind="staff_digest")
    assert notification.idempotency_key == f"staff-digest:2026-W50:{staff.pk}"
    assert notification.optional


def test_the_staff_digest_goes_once_a_week(cohort, staff, django_capture_on_commit_callbacks):
    _pair(cohort)
    _run_digest(django_capture_on_commit_callbacks)
    _run_digest(django_capture_on_commit_callbacks, datetime(2026, 12, 10, 8, tzinfo=NEW_YORK))
    assert len(mail.outbox) == 1

    _run_digest(django_capture_on_commit_callbacks, datetime(2026, 12, 14, 8, tzinfo=NEW_YORK))
    assert len(mail.outbox) == 2


def test_the_staff_digest_goes_to_active_staff_only(
    cohort, staff, member, django_capture_on_commit_callbacks
):
    _pair(cohort)
    StaffFactory(is_active=False)
    opted_out = StaffFactory()
    reminders_set(user=opted_out, enabled=False)

    _run_digest(django_capture_on_commit_callbacks)

    assert [email.to for email in mail.outbox] == [[staff.email]]


def test_a_digest_task_for_someone_no_longer_staff_sends_nothing(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest = staff_digest_compute()
        assert send_staff_digest_to.delay(member.pk, digest).get() == "skipped"
    assert mail.outbox == []


def test_between_cohorts_staff_get_no_digest(staff, django_capture_on_commit_callbacks):
    assert _run_digest(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_the_digest_lists_fifty_at_risk_pairs_and_counts_the_rest(cohort, monkeypatch):
    monkeypatch.setattr("meetings.digest.DIGEST_LIST_LIMIT", 3)
    for _ in range(5):
        _pair(cohort)
    with time_machine.travel(MONDAY, tick=False):
        digest = staff_digest_compute()
    assert digest["at_risk_count"] == 5
    assert len(digest["at_risk"]) == 3
    assert digest["at_risk_more"] == 2


def test_the_digest_takes_the_same_queries_for_five_pairs_as_for_sixty(cohort):
    def digest_queries(pairs: int) -> int:
        Match.objects.all().delete()
        for _ in range(pairs):
            _pair(cohort)
        with time_machine.travel(MONDAY, tick=False), CaptureQueriesContext(connection) as q:
            digest = staff_digest_compute()
        assert digest["active_pairs"] == pairs
        return len(q)

    # The pairs, their ledgers, approvals, applications, the pairs told to the office, and one
    # more for each section other apps add (a survey's low answers), when it has nothing.
    assert digest_queries(5) == digest_queries(60) <= 5 + len(digest_sections())


# ---------------------------------------------------------------------------------------------
# The schedules
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "task", "day_of_month", "day_of_week"),
    [
        (
            "Monthly hour-commitment reminders",
            "meetings.tasks.send_monthly_hour_reminders",
            "1",
            "*",
        ),
        ("Weekly staff digest", "meetings.tasks.send_staff_digest", "*", "1"),
    ],
)
def test_beat_runs_the_jobs_on_their_day_in_the_program_time_zone(
    name, task, day_of_month, day_of_week
):
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask

    from mentorship.celery import app

    periodic = PeriodicTask.objects.select_related("crontab").get(name=name)
    assert periodic.enabled
    assert periodic.task == task
    assert task in app.tasks
    assert str(periodic.crontab.timezone) == settings.TIME_ZONE
    assert (periodic.crontab.day_of_month, periodic.crontab.day_of_week) == (
        day_of_month,
        day_of_week,
    )


def test_the_october_summary_totals_only_the_meetings_held_by_the_end_of_october(
    cohort, django_capture_on_commit_callbacks
):
    pair = _pair(cohort)
    _met(pair, _oct(8), 60)
    _met(pair, _nov(10), 90)  # already held when the October job runs late, in November

    _run_monthly_job(django_capture_on_commit_callbacks, datetime(2026, 11, 20, 9, tzinfo=NEW_YORK))

    [summary] = [e for e in _emails_to(_mentee(pair)) if "progress" in e.subject]
    assert summary.subject == f"Your October progress with {_mentor(pair).display_name}"
    assert "stands at the end of October" in summary.body
    assert "Total: 1 h of 6 h (16%)" in summary.body
    assert "2 h 30 min" not in summary.body
