"""The whole program, from applications opening to the end of the period, with frozen time.

Every periodic job runs twice a day, every day (beat runs most of them less often: running
them more often can only expose a job that sends twice). Members and staff act on the dates a
real cohort would; the test then checks exactly which emails each person received, and when.
"""

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from applications.models import Application
from applications.services import application_decide, application_save
from applications.tasks import send_deadline_reminders
from matching.decisions import match_create
from matching.tasks import release_due_matches, send_orientation_reminders
from meetings.models import Meeting
from meetings.services import meeting_log, meeting_plan
from meetings.tasks import send_meeting_reminders, send_monthly_hour_reminders, send_staff_digest
from notifications.models import Notification
from notifications.tasks import sweep_notifications
from tests.factories import ActiveCohortFactory, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

OFFICE = zoneinfo.ZoneInfo("America/New_York")
JOBS = [
    send_deadline_reminders,
    release_due_matches,
    send_orientation_reminders,
    send_meeting_reminders,
    send_monthly_hour_reminders,
    send_staff_digest,
    sweep_notifications,
]
MENTEE_FIELDS = {
    "goals": "Residency preparation",
    "agrees_to_commitment": True,
    "agrees_to_confidentiality": True,
}
MENTOR_FIELDS = {**MENTEE_FIELDS, "goals": "", "offer": "Precepting", "mentee_capacity": 1}


def at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=OFFICE)


def steps(first: date, last: date):
    day = first
    while day <= last:
        yield at(day, 8)
        yield at(day, 20)
        day += timedelta(days=1)


def test_a_whole_cohort_gets_each_email_once_and_on_time(django_capture_on_commit_callbacks):
    cohort = ActiveCohortFactory(name="Pilot")  # deadline Sep 9, notify Sep 30, Oct 1 - Mar 31
    ana, ben, dee = (MemberFactory(first_name=n) for n in ("Ana", "Ben", "Dee"))
    cam = MemberFactory(first_name="Cam")
    staff = StaffFactory(first_name="Sam")
    people = {"ana": ana, "ben": ben, "cam": cam, "dee": dee, "staff": staff}
    state = {}

    def save(member, role, *, submit):
        fields = dict(MENTOR_FIELDS if role == "mentor" else MENTEE_FIELDS)
        return application_save(
            member=member, cohort=cohort, role=role, fields=fields, submit=submit
        )

    def plan_october_meeting():
        state["meeting"] = meeting_plan(
            match=state["match"],
            user=ana,
            starts_at=at(date(2026, 10, 15), 17),
            duration_minutes=60,
        )

    def log(day: date, minutes: int, meeting=None):
        return lambda: meeting_log(
            match=state["match"],
            user=ana,
            starts_at=meeting.starts_at if meeting else at(day, 17),
            duration_minutes=minutes,
            format=Meeting.Format.VIDEO,
            meeting=meeting,
        )

    script = {
        at(date(2026, 8, 10)): lambda: save(cam, "mentor", submit=True),
        at(date(2026, 8, 20)): lambda: save(ana, "mentee", submit=False),
        at(date(2026, 8, 25)): lambda: save(ben, "mentee", submit=False),
        at(date(2026, 9, 5)): lambda: save(ana, "mentee", submit=True),
        # Started after the 7-day reminder's moment: only the 1-day one, not a late 7-day one.
        at(date(2026, 9, 4)): lambda: save(dee, "mentee", submit=False),
        at(date(2026, 9, 12)): lambda: application_decide(
            application_ids=Application.objects.filter(member__in=[ana, cam]).values_list(
                "pk", flat=True
            ),
            decision="accepted",
            decided_by=staff,
        ),
        at(date(2026, 9, 20)): lambda: state.update(
            match=match_create(
                mentor=Application.objects.get(member=cam),
                mentee=Application.objects.get(member=ana),
                created_by=staff,
                below_minimum_reason="Ana asked for Cam by name.",
            )
        ),
        at(date(2026, 10, 5)): plan_october_meeting,
        at(date(2026, 10, 16)): lambda: log(None, 60, meeting=state["meeting"])(),
        # November: no meeting at all.
        at(date(2026, 12, 10)): log(date(2026, 12, 9), 120),
        at(date(2027, 1, 12)): log(date(2027, 1, 11), 60),
        at(date(2027, 2, 9)): log(date(2027, 2, 8), 60),
        at(date(2027, 3, 10)): log(date(2027, 3, 9), 60),
    }

    received = defaultdict(list)
    with time_machine.travel(at(date(2026, 8, 1)), tick=False) as traveller:
        for moment in steps(date(2026, 8, 1), date(2027, 4, 5)):
            traveller.move_to(moment)
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                if moment in script:
                    script[moment]()
            # Jobs run after the members' actions; their own on-commit hooks queue the sends.
            for job in JOBS:
                with django_capture_on_commit_callbacks(execute=True):
                    job()
            for message in mail.outbox:
                kind = Notification.objects.get(
                    idempotency_key=message.extra_headers["X-Notification-Key"]
                ).kind
                received[message.to[0]].append((moment.date().isoformat(), kind))

    def emails(name):
        # Sorted by day, then kind: the order of two emails of the same moment does not matter.
        return sorted(received.pop(people[name].email, []))

    assert emails("ben") == [
        ("2026-09-03", "deadline_reminder"),  # 7 days before: Sep 2, 11:59 PM
        ("2026-09-09", "deadline_reminder"),  # 1 day before
    ]
    assert emails("dee") == [("2026-09-09", "deadline_reminder")]
    summaries = [
        ("2026-11-01", "progress_summary"),
        ("2026-12-01", "hours_behind"),  # no meeting in November: at risk, a firmer note
        ("2026-12-01", "progress_summary"),
        ("2027-01-01", "progress_summary"),
        ("2027-02-01", "progress_summary"),
        ("2027-03-01", "progress_summary"),
        ("2027-04-01", "progress_summary"),  # the final tally
    ]
    assert emails("ana") == [
        ("2026-09-03", "deadline_reminder"),
        ("2026-09-05", "application_received"),
        ("2026-09-12", "application_decision"),
        ("2026-09-30", "match_announcement"),  # released on the notification date, not before
        ("2026-10-02", "orientation_reminder"),  # the orientation is Oct 3 at noon
        ("2026-10-14", "meeting_reminder"),  # the meeting is Oct 15 at 5 PM
        *summaries,
    ]
    assert emails("cam") == [
        ("2026-08-10", "application_received"),
        ("2026-09-12", "application_decision"),
        ("2026-09-30", "match_announcement"),
        ("2026-10-02", "orientation_reminder"),
        ("2026-10-14", "meeting_reminder"),
        *summaries,
    ]
    digests = emails("staff")
    assert {kind for _, kind in digests} == {"staff_digest"}
    weeks = [date.fromisoformat(day).isocalendar()[:2] for day, _ in digests]
    assert len(weeks) == len(set(weeks)), "at most one digest a week"
    assert len(digests) >= 26  # every week of the period
    assert received == {}, "nobody else got anything"
    assert not Notification.objects.exclude(status="sent").exists()
