"""Both members logging the same meeting at once, on PostgreSQL where rows really lock."""

import threading
import time
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from meetings.models import Meeting
from meetings.reminders import pair_hour_reminders_send
from meetings.selectors import ledger_for
from meetings.services import WorkspaceError, meeting_delete, meeting_log
from notifications.models import Notification
from tests.concurrency import race
from tests.factories import MeetingFactory, PairFactory

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


def _wait_until_a_connection_waits_for_a_lock():
    """Return once another connection is queued behind a lock this test holds."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
    raise AssertionError("Nobody waited for the lock.")


def test_deleting_a_planned_meeting_waits_for_the_partners_log_of_it_and_then_refuses():
    pair = PairFactory()
    start = datetime(2026, 11, 12, 17, tzinfo=DENVER)
    now = datetime(2026, 12, 1, tzinfo=DENVER)
    planned = MeetingFactory(match=pair, status="planned", starts_at=start)
    # What each member's page read before they pressed their button.
    on_mentee_page = Meeting.objects.get(pk=planned.pk)
    on_mentor_page = Meeting.objects.get(pk=planned.pk)
    outcome = {}

    def delete_it():
        try:
            meeting_delete(meeting=on_mentor_page, user=pair.mentor.member, now=now)
            outcome["deleted"] = True
        except WorkspaceError as exc:
            outcome["refused"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        # The mentee's log holds the pair's lock until this block commits; the mentor's delete
        # comes in meanwhile, and must then find the meeting held.
        meeting_log(
            match=pair,
            user=pair.mentee.member,
            starts_at=start,
            duration_minutes=60,
            format=Meeting.Format.VIDEO,
            meeting=on_mentee_page,
            now=now,
        )
        deleter = threading.Thread(target=delete_it)
        deleter.start()
        _wait_until_a_connection_waits_for_a_lock()
    deleter.join(30)
    assert "Only the member who logged" in str(outcome.get("refused")), outcome
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
