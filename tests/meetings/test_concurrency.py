"""Both members logging the same meeting at once, on PostgreSQL where rows really lock."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError

from meetings.models import Meeting
from meetings.nudges import pair_hour_reminders_send
from meetings.services import WorkspaceError, ledger_for, meeting_log
from notifications.models import Notification
from tests.concurrency import race
from tests.factories import PairFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DENVER = zoneinfo.ZoneInfo("America/Denver")


def test_both_members_logging_one_meeting_at_once_count_it_once():
    pair = PairFactory()
    start = datetime(2026, 11, 12, 17, tzinfo=DENVER)
    now = datetime(2026, 12, 1, tzinfo=DENVER)

    def log(user, minutes_late: int):
        return lambda: meeting_log(
            match=pair,
            user=user,
            starts_at=start + timedelta(minutes=minutes_late),
            duration_minutes=60,
            format=Meeting.Format.VIDEO,
            now=now,
        )

    results = race(log(pair.mentee.member, 0), log(pair.mentor.member, 10), expected=WorkspaceError)
    errors = [r for r in results if isinstance(r, WorkspaceError)]
    assert len(errors) == 1, results
    assert "confirm it instead" in str(errors[0])
    assert Meeting.objects.count() == 1
    assert ledger_for(pair, now=now).total_minutes == 60


def test_two_logs_with_the_same_start_cannot_both_land_even_past_the_service():
    pair = PairFactory()
    start = datetime(2026, 11, 12, 17, tzinfo=DENVER)

    def insert():
        return Meeting.objects.create(
            match=pair,
            status="planned",
            starts_at=start,
            duration_minutes=60,
        )

    results = race(insert, insert, expected=IntegrityError)
    assert sum(isinstance(r, IntegrityError) for r in results) == 1
    assert Meeting.objects.count() == 1


def test_two_workers_sending_a_pairs_monthly_reminders_at_once_send_each_once():
    pair = PairFactory()
    # November passed without a meeting: summaries to both, and a firmer note to both.
    now = datetime(2026, 12, 1, 9, tzinfo=DENVER)

    def send():
        return pair_hour_reminders_send(match_id=pair.pk, month=date(2026, 11, 1), now=now)

    race(send, send, expected=WorkspaceError)
    keys = sorted(Notification.objects.values_list("idempotency_key", flat=True))
    assert keys == sorted(
        [
            f"progress-summary:{pair.pk}:2026-11:{pair.mentee.member_id}",
            f"progress-summary:{pair.pk}:2026-11:{pair.mentor.member_id}",
            f"hours-behind:{pair.pk}:2026-11:mentee",
            f"hours-behind:{pair.pk}:2026-11:mentor",
        ]
    )
