"""Hour-commitment reminders, monthly progress summaries and the weekly staff digest.

Selectors find what is due; services record the emails through `notify()`, each under an
idempotency key naming the pair, the month (or the week) and the recipient, so that a job run
twice, a retried task or two racing workers send once. The tasks in `tasks.py` call these with
ids and fan out one task per pair (monthly) or per staff member (weekly).

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
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from applications.models import Application
from core.dates import member_zone, month_after
from core.text import day_text, duration_short_text, month_name_text, month_text
from matching.models import Match
from notifications.models import Notification
from notifications.services import notify

from .ledger import Ledger, LedgerMonth, LedgerStatus
from .models import Meeting
from .services import ledger_for, ledgers_for, pair_zone

BATCH_SIZE = 500
DIGEST_LIST_LIMIT = 50

HOURS_NUDGE = "hours_nudge"
HOURS_BEHIND = "hours_behind"
PROGRESS_SUMMARY = "progress_summary"
STAFF_DIGEST = "staff_digest"

_REMINDER_KEY_PREFIX = {HOURS_NUDGE: "hours-nudge", HOURS_BEHIND: "hours-behind"}
_FINAL_STATUSES = {LedgerStatus.MET, LedgerStatus.NOT_MET}


# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


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
# Monthly hour reminders and progress summaries: selectors
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


def _month_row(ledger: Ledger, month: date) -> LedgerMonth | None:
    return next((row for row in ledger.months if row.month == month), None)


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
    row = _month_row(ledger, month)
    if row is None or ledger.status in _FINAL_STATUSES or ledger.status == LedgerStatus.ENDED:
        return None
    if ledger.status == LedgerStatus.AT_RISK or ledger.total_minutes < (
        _expected_minutes_by_end_of(ledger, month)
    ):
        return HOURS_BEHIND
    if row.minutes < ledger.required_monthly_minutes:
        return HOURS_NUDGE
    return None


def hour_reminder_key(kind: str, *, match_id: int, month: date, role: str) -> str:
    return f"{_REMINDER_KEY_PREFIX[kind]}:{match_id}:{month_key(month)}:{role}"


def progress_summary_key(*, match_id: int, month: date, user_id: int) -> str:
    return f"progress-summary:{match_id}:{month_key(month)}:{user_id}"


# ---------------------------------------------------------------------------------------------
# Monthly hour reminders and progress summaries: the per-pair service
# ---------------------------------------------------------------------------------------------


def pair_hour_reminders_send(
    *, match_id: int, month: date, now: datetime | None = None
) -> list[str]:
    """Record the month's emails for one pair; returns the kinds recorded, mentee's first.

    Both members get a progress summary; the reminder `hour_reminder_kind` names goes to the
    mentee, who leads the schedule, and to the mentor for information. All are optional: a
    member who turned reminders off gets none of them.
    """
    now = now or timezone.now()
    if month >= timezone.localdate(now).replace(day=1):
        return []  # the month is not over yet
    try:
        match = pairs_for_month(month).with_people().get(pk=match_id)
    except Match.DoesNotExist:
        return []  # ended, or not a pair of that month
    # The emails report the month that ended: a meeting already held in the month after it
    # counts in next month's report, not in this one's "at the end of <month>" total.
    ledger = ledger_for(match, now=month_report_moment(month), through=month)
    next_meeting = Meeting.objects.for_match(match).upcoming(now).first()
    reminder = hour_reminder_kind(ledger, month)
    members = [
        ("mentee", match.mentee.member, match.mentor.member),
        ("mentor", match.mentor.member, match.mentee.member),
    ]
    keys = {
        (kind, role): hour_reminder_key(kind, match_id=match.pk, month=month, role=role)
        for kind in (HOURS_NUDGE, HOURS_BEHIND)
        for role, _, _ in members
    }
    keys.update(
        {
            (PROGRESS_SUMMARY, role): progress_summary_key(
                match_id=match.pk, month=month, user_id=user.pk
            )
            for role, user, _ in members
        }
    )
    recorded = []
    with transaction.atomic():
        # Lock the pair so that two runs for it decide one after the other: a meeting logged
        # late for the month can turn a firmer note into a nudge between runs, and a member
        # must still get one reminder a month, not both.
        Match.objects.select_for_update().filter(pk=match.pk).exists()
        # What earlier runs recorded: skipped without a try, so that a re-run costs one query.
        # A key recorded meanwhile by a racing worker is still refused by `notify`.
        existing = set(
            Notification.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", flat=True
            )
        )
        done = {kind_role for kind_role, key in keys.items() if key in existing}
        if any(kind not in {reminder, PROGRESS_SUMMARY} for kind, _ in done):
            reminder = None
        for role, user, partner in members:
            context = _pair_context(
                match=match,
                ledger=ledger,
                month=month,
                role=role,
                user=user,
                partner=partner,
                next_meeting=next_meeting,
            )
            for kind in (PROGRESS_SUMMARY, reminder):
                if kind is None or (kind, role) in done:
                    continue
                if notify(
                    kind=kind,
                    key=keys[(kind, role)],
                    recipient=user,
                    context=context,
                    optional=True,
                ):
                    recorded.append(kind)
    return recorded


def _pair_context(
    *,
    match: Match,
    ledger: Ledger,
    month: date,
    role: str,
    user,
    partner,
    next_meeting: Meeting | None,
) -> dict:
    """What the three pair emails show (JSON): numbers as words, links absolute."""
    cohort = match.cohort
    row = _month_row(ledger, month)
    finished = [r for r in ledger.months if r.month <= month]
    months_left = len(ledger.months) - len(finished)
    remaining = ledger.remaining_minutes
    per_month_needed = -(-remaining // months_left) if months_left else 0
    next_label, next_in_next_month = "", False
    if next_meeting is not None:
        local = timezone.localtime(next_meeting.starts_at, member_zone(user))
        next_label = dateformat.format(local, r"l, F j \a\t g:i A T")
        # The ledger's month is the mentee's, whoever reads the email.
        held_month = timezone.localdate(next_meeting.starts_at, pair_zone(match)).replace(day=1)
        next_in_next_month = held_month == month_after(month)

    def link(name: str) -> str:
        return settings.SITE_URL + reverse(name, kwargs={"pk": match.pk})

    return {
        "role": role,
        "partner_name": partner.display_name,
        "mentee_name": match.mentee.member.display_name,
        "cohort_name": cohort.name,
        "month_label": month_name_text(month),
        "month_year_label": month_text(month),
        "next_month_label": month_name_text(month_after(month)),
        "month_minutes_label": duration_short_text(row.minutes),
        "month_met": row.minutes >= ledger.required_monthly_minutes,
        "monthly_minimum_label": duration_short_text(ledger.required_monthly_minutes),
        "total_label": duration_short_text(ledger.total_minutes),
        "required_label": duration_short_text(ledger.required_minutes),
        "remaining_label": duration_short_text(remaining),
        "percent": ledger.percent,
        "months_met": sum(1 for r in finished if r.minutes >= ledger.required_monthly_minutes),
        "months_finished": len(finished),
        "months_total": len(ledger.months),
        "months_left": months_left,
        "per_month_needed_label": duration_short_text(per_month_needed) if per_month_needed else "",
        "status": str(ledger.status),
        "status_label": ledger.status.label,
        "reason": ledger.reason,
        "final": ledger.status in _FINAL_STATUSES,
        "period_end_label": day_text(cohort.period_end),
        "next_meeting_label": next_label,
        "next_meeting_in_next_month": next_in_next_month,
        "workspace_url": link("meetings:workspace"),
        "plan_url": link("meetings:meeting_plan"),
        "log_url": link("meetings:meeting_log"),
    }


# ---------------------------------------------------------------------------------------------
# The weekly staff digest
# ---------------------------------------------------------------------------------------------


def staff_digest_week(now: datetime | None = None) -> str:
    """'2026-W49': the ISO week in the program's time zone, the digest's idempotency period."""
    year, week, _ = timezone.localdate(now or timezone.now()).isocalendar()
    return f"{year}-W{week:02d}"


def staff_recipient_ids() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _running_pairs(today: date) -> QuerySet[Match]:
    return (
        Match.objects.released()
        .approved()
        .filter(cohort__period_start__lte=today, cohort__period_end__gte=today)
    )


def _pair_batches(queryset: QuerySet[Match], batch_size: int) -> Iterator[list[Match]]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


def staff_digest_compute(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """The digest's content, once for all staff (JSON): pairs at risk, approvals, applications.

    Two queries per batch of running pairs (the pairs, their ledgers) and two more for the
    counts. Names, cohorts and the ledger's reason only: no notes, no goal text.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    cohorts: dict[int, dict] = {}
    at_risk: list[dict] = []
    active = 0
    for batch in _pair_batches(_running_pairs(today).with_people(), batch_size):
        ledgers = ledgers_for(batch, now=now)
        for match in batch:
            active += 1
            ledger = ledgers[match.pk]
            counts = cohorts.setdefault(
                match.cohort_id,
                {"name": match.cohort.name, "pairs": 0, "at_risk": 0, "behind": 0},
            )
            counts["pairs"] += 1
            if ledger.status == LedgerStatus.BEHIND:
                counts["behind"] += 1
            elif ledger.status == LedgerStatus.AT_RISK:
                counts["at_risk"] += 1
                at_risk.append(
                    {
                        "cohort": match.cohort.name,
                        "mentor": match.mentor.member.display_name,
                        "mentee": match.mentee.member.display_name,
                        "reason": ledger.reason,
                        "total_label": duration_short_text(ledger.total_minutes),
                        "url": settings.SITE_URL
                        + reverse("admin:meetings_pair_change", args=[match.pk]),
                    }
                )
    at_risk.sort(key=lambda row: (row["cohort"], row["mentee"], row["mentor"]))

    approvals = _pending_by_cohort(
        Match.objects.proposed(),
        reverse("admin:matching_match_changelist"),
        "status__exact=proposed",
    )
    applications = _pending_by_cohort(
        Application.objects.filter(status=Application.Status.SUBMITTED),
        reverse("admin:applications_application_changelist"),
        "status__exact=submitted",
    )
    cohort_rows = sorted(cohorts.values(), key=lambda row: row["name"])
    return {
        "week": staff_digest_week(now),
        "week_of_label": day_text(today - timedelta(days=today.weekday())),
        "active_pairs": active,
        "at_risk_count": len(at_risk),
        "behind_count": sum(row["behind"] for row in cohort_rows),
        "at_risk": at_risk[:DIGEST_LIST_LIMIT],
        "at_risk_more": max(0, len(at_risk) - DIGEST_LIST_LIMIT),
        "cohorts": cohort_rows,
        "approvals": approvals,
        "approvals_total": sum(row["count"] for row in approvals),
        "applications": applications,
        "applications_total": sum(row["count"] for row in applications),
        "pairs_url": settings.SITE_URL + reverse("admin:meetings_pair_changelist"),
    }


def _pending_by_cohort(queryset: QuerySet, changelist: str, status_filter: str) -> list[dict]:
    rows = (
        queryset.values("cohort_id", "cohort__name")
        .annotate(count=Count("pk"))
        .order_by("cohort__name")
    )
    return [
        {
            "cohort": row["cohort__name"],
            "count": row["count"],
            "url": f"{settings.SITE_URL}{changelist}?cohort__id__exact={row['cohort_id']}"
            f"&{status_filter}",
        }
        for row in rows
    ]


def staff_digest_is_empty(digest: dict) -> bool:
    """Nothing running and nothing waiting: between cohorts, staff get no digest."""
    return not (digest["active_pairs"] or digest["approvals"] or digest["applications"])


def staff_digest_send(*, user_id: int, digest: dict) -> Notification | None:
    """One staff member's copy of the week's digest; None when they are no longer staff or
    turned reminders off."""
    user = get_user_model().objects.filter(pk=user_id, is_staff=True, is_active=True).first()
    if user is None:
        return None
    return notify(
        kind=STAFF_DIGEST,
        key=f"staff-digest:{digest['week']}:{user.pk}",
        recipient=user,
        context=digest,
        optional=True,
    )
