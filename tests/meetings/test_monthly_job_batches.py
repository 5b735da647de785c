"""The monthly hour job, set-based: a batch of pairs costs a fixed number of queries, each email
is recorded once and handed to the workers once, and the emails are the ones the one-pair rules
call for (the reference below builds them a pair at a time, the way the job used to).

The pilot's calendar as in `test_nudges.py`: period Oct 1 2026 to Mar 31 2027, six hours in
total, at least an hour a month; the job runs on December 1 for November.
"""

import zoneinfo
from datetime import date, datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import emails, reminders
from meetings.models import Meeting
from meetings.selectors import ledger_for
from meetings.tasks import remind_pairs_hours, send_monthly_hour_reminders
from notifications.models import Notification
from notifications.services import reminders_enabled_for, reminders_set
from tests.factories import ActiveCohortFactory, MeetingFactory, PairFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DENVER = zoneinfo.ZoneInfo("America/Denver")
DEC_1 = datetime(2026, 12, 1, 7, tzinfo=NEW_YORK)
RELEASED = datetime(2026, 9, 30, 9, tzinfo=NEW_YORK)
NOVEMBER = date(2026, 11, 1)
ZONES = ["America/Denver", "Pacific/Honolulu", "America/New_York", "Europe/Berlin"]


@pytest.fixture
def cohort():
    return ActiveCohortFactory(name="Pilot 2026")


def _pairs(cohort, n: int, *, start: int = 0) -> list:
    """N pairs in a mix of shapes: met, a nudge, behind, at risk, a December meeting planned,
    a mentee in another zone, a mentor who turned reminders off."""
    pairs = []
    for i in range(start, start + n):
        pair = PairFactory(cohort=cohort, notified_at=RELEASED, decided_at=RELEASED)
        profile = pair.mentee.member.profile
        profile.time_zone = ZONES[i % len(ZONES)]
        profile.save()
        shape = i % 5
        if shape == 0:  # met both months
            MeetingFactory(match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER))
            MeetingFactory(match=pair, starts_at=datetime(2026, 11, 10, 17, tzinfo=DENVER))
        elif shape == 1:  # ahead in October, 30 minutes in November: a nudge
            MeetingFactory(
                match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER), duration_minutes=120
            )
            MeetingFactory(
                match=pair, starts_at=datetime(2026, 11, 10, 17, tzinfo=DENVER), duration_minutes=30
            )
        elif shape == 2:  # behind pace
            MeetingFactory(
                match=pair, starts_at=datetime(2026, 11, 10, 17, tzinfo=DENVER), duration_minutes=45
            )
        # shape 3: nothing at all, at risk
        if i % 3 == 0:
            MeetingFactory(
                match=pair,
                status="planned",
                starts_at=datetime(2026, 12, 8 + i % 20, 17, tzinfo=DENVER),
            )
        if i % 7 == 4:
            reminders_set(user=pair.mentor.member, enabled=False)
        pairs.append(pair)
    return pairs


def _expected(pair) -> dict[str, tuple[str, dict]]:
    """The one-pair rules: key -> (kind, context), for a first run."""
    match = reminders.pairs_for_month(NOVEMBER).with_people().get(pk=pair.pk)
    ledger = ledger_for(match, now=reminders.month_report_moment(NOVEMBER), through=NOVEMBER)
    nxt = Meeting.objects.for_match(match).upcoming(DEC_1).first()
    reminder = reminders.hour_reminder_kind(ledger, NOVEMBER)
    expected = {}
    contexts = emails.pair_month_contexts(
        match=match, ledger=ledger, month=NOVEMBER, next_meeting_at=nxt.starts_at if nxt else None
    )
    for role, user, _ in emails.pair_month_recipients(match):
        if not reminders_enabled_for(user):
            continue
        context = contexts[role]
        for kind in (emails.PROGRESS_SUMMARY, reminder):
            if kind:
                key = emails.pair_month_key(
                    kind, match_id=match.pk, month=NOVEMBER, role=role, user_id=user.pk
                )
                expected[key] = (kind, context)
    return expected


def _recorded() -> dict[str, tuple[str, dict]]:
    return {n.idempotency_key: (n.kind, n.context) for n in Notification.objects.all()}


def test_the_batched_job_records_exactly_the_emails_the_one_pair_rules_call_for(
    cohort, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)  # several batches, one partly full
    pairs = _pairs(cohort, 15)
    with time_machine.travel(DEC_1, tick=False):
        expected = {key: value for pair in pairs for key, value in _expected(pair).items()}
        with django_capture_on_commit_callbacks(execute=True):
            assert send_monthly_hour_reminders.delay().get() == 15

    assert _recorded() == expected
    # The labels and links, as the text helpers and the URL configuration make them.
    pair = pairs[0]
    _, context = expected[f"progress-summary:{pair.pk}:2026-11:{pair.mentee.member_id}"]
    assert context["month_label"] == "November"
    assert context["month_year_label"] == "November 2026"
    assert context["next_month_label"] == "December"
    assert context["period_end_label"] == "March 31, 2027"
    for field, name in [
        ("workspace_url", "meetings:workspace"),
        ("plan_url", "meetings:meeting_plan"),
        ("log_url", "meetings:meeting_log"),
    ]:
        assert context[field] == settings.SITE_URL + reverse(name, kwargs={"pk": pair.pk})
    kinds = {kind for kind, _ in expected.values()}
    assert kinds == {"progress_summary", "hours_nudge", "hours_behind"}
    # Each one sent, once, to its recipient; none to a member who turned reminders off.
    assert len(mail.outbox) == len(expected)
    off = {p.mentor.member.email for p in pairs if not reminders_enabled_for(p.mentor.member)}
    assert off and not [m for m in mail.outbox if m.to[0] in off]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_running_the_batched_job_twice_records_and_sends_nothing_more(
    cohort, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)
    _pairs(cohort, 10)
    with time_machine.travel(DEC_1, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            send_monthly_hour_reminders.delay().get()
        first, sent = _recorded(), len(mail.outbox)
        with (
            django_capture_on_commit_callbacks(execute=True),
            mock.patch("notifications.services.notification_enqueue") as enqueue,
        ):
            send_monthly_hour_reminders.delay().get()
    assert _recorded() == first
    assert len(mail.outbox) == sent
    enqueue.assert_not_called()


def test_each_new_email_is_handed_to_the_workers_once_after_the_batch_commits(
    cohort, django_capture_on_commit_callbacks
):
    pairs = _pairs(cohort, 6)
    with (
        time_machine.travel(DEC_1, tick=False),
        mock.patch("notifications.services.notification_enqueue") as enqueue,
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            recorded = remind_pairs_hours([p.pk for p in pairs], "2026-11")
        assert recorded == Notification.objects.count() > 0
        enqueue.assert_not_called()  # not before the commit
        for callback in callbacks:
            callback()
    enqueued = sorted(call.kwargs["notification_id"] for call in enqueue.call_args_list)
    assert enqueued == sorted(Notification.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("rerun", [False, True])
def test_a_batch_takes_the_same_queries_for_four_pairs_as_for_twenty(
    cohort, django_assert_max_num_queries, django_capture_on_commit_callbacks, rerun
):
    # Up to 80 emails: one insert statement even on SQLite, which caps parameters per statement.
    small = _pairs(cohort, 4)
    large = _pairs(cohort, 20, start=4)

    def run(pairs) -> None:
        with django_capture_on_commit_callbacks(execute=False):
            remind_pairs_hours([p.pk for p in pairs], "2026-11")

    with time_machine.travel(DEC_1, tick=False):
        if rerun:
            run(small)
            run(large)
        # The pairs with their next meeting, their minutes, the recorded keys, the
        # preferences, the recorded keys again, the insert and the read-back; and the
        # transaction's savepoint and its release.
        with django_assert_max_num_queries(9):
            run(small)
        with django_assert_max_num_queries(9):
            run(large)
    assert Notification.objects.filter(idempotency_key__contains=f":{large[-1].pk}:").exists()


def test_the_whole_job_takes_the_same_queries_for_twelve_pairs_as_for_thirty(
    cohort, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 50)

    def queries(n: int, start: int) -> int:
        Notification.objects.all().delete()
        _pairs(cohort, n, start=start)
        with (
            time_machine.travel(DEC_1, tick=False),
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as captured,
        ):
            send_monthly_hour_reminders.delay().get()
        return len(captured)

    assert queries(5, 0) == queries(15, 5)
