"""Reminders: of a meeting a day ahead, and of the hour commitment when a month ends.

Finders pick what is due; the per-meeting and per-pair services re-read under a lock, decide
which emails are due and have `emails.py` record them, each under its idempotency key, so that
a job run twice, a retried task or two racing workers send once. The tasks in `tasks.py` call
these with ids and fan out one task per member and meeting (hourly) or per pair (monthly).

The monthly job reports on the calendar month that just ended, in the program's time zone. It
reads each pair's ledger as of the first day of the next month in every time zone, so the month
is finished for every pair whatever the mentee's zone and whichever day the job runs (a re-run
later in the month sees the same months, plus any minutes logged since). Every pair gets a
progress summary; a pair behind pace for the total (or at risk) gets a firmer note, and otherwise
a pair whose month came in under the minimum gets a nudge. The firmer note replaces the nudge
rather than adding to it: it says the same and more, so a member gets at most two emails a month.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from core.dates import month_after
from matching.models import Match
from notifications.models import Notification, ReminderPreference

from . import emails
from .emails import HOURS_BEHIND, HOURS_NUDGE, PROGRESS_SUMMARY
from .ledger import FINAL_STATUSES, Ledger, LedgerStatus
from .models import Meeting
from .selectors import ledgers_for

# Pair ids the monthly finder reads per query: its query count grows with pairs / this.
BATCH_SIZE = 500

# ---------------------------------------------------------------------------------------------
# Meeting reminders
# ---------------------------------------------------------------------------------------------

MEETING_REMINDER_AHEAD = timedelta(hours=24)
# Keys looked up per query when skipping reminders already recorded: the finder's query
# count grows by one per this many reminders, not per reminder.
MEETING_REMINDER_BATCH = 500


def _reminder_meetings(now: datetime):
    """Planned meetings of released, active pairs starting in the next 24 hours."""
    return (
        Meeting.objects.planned()
        .filter(
            starts_at__gt=now,
            starts_at__lte=now + MEETING_REMINDER_AHEAD,
            match__status=Match.Status.APPROVED,
            match__notified_at__isnull=False,
        )
        .order_by("starts_at", "pk")
    )


def meeting_reminders_due(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(meeting id, user id) for each member owed a reminder of a meeting in the next 24 hours.

    Reminders already recorded, and members who turned reminders off, are left out here to
    spare the queue (the task and `notify` check both again). Queries: one for the meetings,
    then two per batch of reminders.
    """
    now = now or timezone.now()
    rows = _reminder_meetings(now).values_list(
        "pk", "starts_at", "match__mentor__member_id", "match__mentee__member_id"
    )
    candidates = [
        (
            meeting_id,
            user_id,
            emails.meeting_reminder_key(
                meeting_id=meeting_id, starts_at=starts_at, user_id=user_id
            ),
        )
        for meeting_id, starts_at, mentor_id, mentee_id in rows
        for user_id in (mentor_id, mentee_id)
    ]
    due = []
    for start in range(0, len(candidates), MEETING_REMINDER_BATCH):
        batch = candidates[start : start + MEETING_REMINDER_BATCH]
        recorded = set(
            Notification.objects.filter(
                idempotency_key__in=[key for _, _, key in batch]
            ).values_list("idempotency_key", flat=True)
        )
        reminders_off = set(
            ReminderPreference.objects.filter(
                user_id__in={user_id for _, user_id, _ in batch}, reminders_enabled=False
            ).values_list("user_id", flat=True)
        )
        due.extend(
            (meeting_id, user_id)
            for meeting_id, user_id, key in batch
            if key not in recorded and user_id not in reminders_off
        )
    return due


def meeting_reminder_send(
    *, meeting_id: int, user_id: int, now: datetime | None = None
) -> Notification | None:
    """Remind one member of a pair of their meeting in the next 24 hours; once per start time.

    Re-reads the meeting with its row locked, so a cancellation or a reschedule at this moment
    either comes first (and nothing, or the new time, is sent) or waits for the reminder to be
    recorded. Returns None when nothing is due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Only the meeting row: the planners lock the pair, then the meeting, so taking the
        # pair's row here as well could deadlock with them.
        meeting = (
            _reminder_meetings(now).select_for_update(of=("self",)).filter(pk=meeting_id).first()
        )
        if meeting is None:
            return None
        match = Match.objects.with_people().get(pk=meeting.match_id)
        user = emails.meeting_reminder_recipients(match).get(user_id)
        if user is None:
            return None
        return emails.meeting_reminder_notify(meeting=meeting, match=match, user=user, now=now)


# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------


def month_from_key(key: str) -> date:
    """'2026-11' -> date(2026, 11, 1); ValueError on anything else."""
    year, _, number = key.partition("-")
    if len(year) != 4 or len(number) != 2:
        raise ValueError(f"Not a month: {key!r} (expected YYYY-MM)")
    return date(int(year), int(number), 1)


def month_just_ended(now: datetime | None = None) -> date:
    """The calendar month before today's, in the program's time zone."""
    first_of_this_month = timezone.localdate(now or timezone.now()).replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=1)


def month_report_moment(month: date) -> datetime:
    """The moment the ledgers are read at for a month's reminders: noon UTC on the next 1st.

    It is already the 1st (or the 2nd, east of UTC+12) in every time zone, so each pair's ledger,
    kept in the mentee's zone, sees the reported month as finished and the next one as current,
    whether the job runs at dawn on the 1st or again on the 20th.
    """
    after = month_after(month)
    return datetime(after.year, after.month, 1, 12, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Monthly hour reminders and progress summaries
# ---------------------------------------------------------------------------------------------


def pairs_for_month(month: date) -> QuerySet[Match]:
    """Active released pairs whose cohort's period overlaps the month, released before it ended.

    A pair ended early gets nothing more; a cohort whose period has not started is left out.
    """
    after = month_after(month)
    ended_at = datetime(after.year, after.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return (
        Match.objects.released()
        .approved()
        .filter(
            cohort__period_start__lt=after,
            cohort__period_end__gte=month,
            notified_at__lt=ended_at,
        )
    )


def pair_id_batches_for_month(*, month: date, batch_size: int = BATCH_SIZE) -> Iterator[list[int]]:
    """The ids of `pairs_for_month`, a batch per query (keyset pagination on the primary key)."""
    last = 0
    while True:
        ids = list(
            pairs_for_month(month)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            yield ids
        if len(ids) < batch_size:
            return
        last = ids[-1]


def _expected_minutes_by_end_of(ledger: Ledger, month: date) -> int:
    # The ledger's pace: the commitment prorated over the months finished by then.
    finished = sum(1 for row in ledger.months if row.month <= month)
    return ledger.required_minutes * finished // len(ledger.months)


def hour_reminder_kind(ledger: Ledger, month: date) -> str | None:
    """Which reminder a pair's ledger, read at `month_report_moment(month)`, calls for.

    `hours_behind` when the pair is at risk or behind pace for the total; else `hours_nudge`
    when the month came in under its minimum; else none. None too once the period is over (the
    final summary says it all) and for a month outside the period.
    """
    row = ledger.month_row(month)
    if row is None or ledger.status in FINAL_STATUSES or ledger.status == LedgerStatus.ENDED:
        return None
    if ledger.status == LedgerStatus.AT_RISK or ledger.total_minutes < (
        _expected_minutes_by_end_of(ledger, month)
    ):
        return HOURS_BEHIND
    if row.minutes < ledger.required_monthly_minutes:
        return HOURS_NUDGE
    return None


def pair_hour_reminders_send(
    *, match_id: int, month: date, now: datetime | None = None
) -> list[str]:
    """Record the month's emails for one pair; returns the kinds recorded, mentee's first."""
    return pairs_hour_reminders_send(match_ids=[match_id], month=month, now=now).get(match_id, [])


# What the month's emails read of a pair, its cohort and its two members: a batch loads
# thousands of rows, and the applications' other columns (texts, the profile snapshot) are heavy.
_PAIR_MONTH_FIELDS = (
    "status",
    "ended_at",
    "starts_on",
    "cohort__name",
    "cohort__period_start",
    "cohort__period_end",
    "cohort__min_total_hours",
    "cohort__min_monthly_hours",
    *(
        f"{side}__member__{field}"
        for side in ("mentor", "mentee")
        for field in ("email", "first_name", "last_name", "profile__time_zone")
    ),
)


def pairs_hour_reminders_send(
    *, match_ids: list[int], month: date, now: datetime | None = None
) -> dict[int, list[str]]:
    """Record the month's emails for a batch of pairs; returns the kinds recorded per pair,
    the mentee's first.

    Both members get a progress summary; the reminder `hour_reminder_kind` names goes to the
    mentee, who leads the schedule, and to the mentor for information. All are optional: a
    member who turned reminders off gets none of them.

    Set-based: a fixed number of queries whatever the batch holds (the pairs with their next
    meeting, their minutes per month summed in SQL, the keys already recorded, then
    `notify_many`'s reads and bulk insert), so a batch of 500 pairs costs what one pair does.
    """
    now = now or timezone.now()
    if not match_ids or month >= timezone.localdate(now).replace(day=1):
        return {}  # the month is not over yet
    next_meeting = (
        Meeting.objects.upcoming(now).filter(match=OuterRef("pk")).values("starts_at")[:1]
    )
    with transaction.atomic():
        # Lock the pairs (only their rows, in id order) so that two runs for a pair decide one
        # after the other: a meeting logged late for the month can turn a firmer note into a
        # nudge between runs, and a member must still get one reminder a month, not both.
        # Ended pairs, and pairs not of that month, are not read at all.
        matches = list(
            pairs_for_month(month)
            .with_people()
            .filter(pk__in=match_ids)
            .only(*_PAIR_MONTH_FIELDS)
            .annotate(next_meeting_at=Subquery(next_meeting))
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not matches:
            return {}
        # The emails report the month that ended: a meeting already held in the month after
        # it counts in next month's report, not in this one's "at the end of <month>" total.
        ledgers = ledgers_for(matches, now=month_report_moment(month), through=month)
        keys = {match.pk: emails.pair_month_keys(match, month) for match in matches}
        # What earlier runs recorded: skipped without a try, so that a re-run inserts nothing.
        existing = set(
            Notification.objects.filter(
                idempotency_key__in=[key for pair in keys.values() for key in pair.values()]
            ).values_list("idempotency_key", flat=True)
        )
        drafts = []
        for match in matches:
            ledger = ledgers[match.pk]
            reminder = hour_reminder_kind(ledger, month)
            done = {kind_role for kind_role, key in keys[match.pk].items() if key in existing}
            if any(kind not in {reminder, PROGRESS_SUMMARY} for kind, _ in done):
                reminder = None
            contexts = None
            for role, user, _ in emails.pair_month_recipients(match):
                kinds = [k for k in (PROGRESS_SUMMARY, reminder) if k and (k, role) not in done]
                if not kinds:
                    continue
                contexts = contexts or emails.pair_month_contexts(
                    match=match, ledger=ledger, month=month, next_meeting_at=match.next_meeting_at
                )
                drafts.extend(
                    emails.pair_month_draft(
                        kind=kind,
                        match=match,
                        month=month,
                        role=role,
                        user=user,
                        context=contexts[role],
                    )
                    for kind in kinds
                )
        recorded_keys = {n.idempotency_key for n in emails.pair_month_notify(drafts)}
    recorded: dict[int, list[str]] = {}
    for match in matches:
        recorded[match.pk] = [
            kind
            for role, _, _ in emails.pair_month_recipients(match)
            for kind in (PROGRESS_SUMMARY, HOURS_NUDGE, HOURS_BEHIND)
            if keys[match.pk][(kind, role)] in recorded_keys
        ]
    return recorded
