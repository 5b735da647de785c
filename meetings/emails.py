"""Every email the meetings app sends, each kind declared in one place: its kind, its idempotency
key, who is due it, its context and the one call to `notify()` that records it.

The services decide that an email is due (`reminders.py`: a meeting in the next day, a month that
ended; `digest.py`: the week's digest) and call the `<kind>_notify` functions here, which tell.
Code that looks for an email already recorded builds its key with the key function here, never by
hand. Templates are `templates/emails/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`.
"""

import functools
from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from cohorts.calendar import ics_calendar
from core.dates import member_zone, month_after
from core.text import (
    day_text,
    duration_short_text,
    duration_text,
    first_name,
    moment_with_weekday_text,
    month_name_text,
    month_text,
    time_text,
    upcoming_moment_text,
    weekday_text,
)
from matching.models import Match
from notifications.models import Notification
from notifications.services import Draft, notify, notify_many

from .ledger import FINAL_STATUSES, Ledger
from .models import Meeting
from .selectors import meeting_calendar_event, member_role, pair_zone, partner_of

MEETING_REMINDER = "meeting_reminder"
HOURS_NUDGE = "hours_nudge"
HOURS_BEHIND = "hours_behind"
PROGRESS_SUMMARY = "progress_summary"
STAFF_DIGEST = "staff_digest"

# ---------------------------------------------------------------------------------------------
# Meeting reminder: to each member of the pair, a day before a planned meeting
# ---------------------------------------------------------------------------------------------


def meeting_reminder_key(*, meeting_id: int, starts_at: datetime, user_id: int) -> str:
    # The start time is part of the key: a rescheduled meeting is a new event to remind of.
    # Migration 0005 carries a frozen copy of this shape; change both or neither.
    return f"meeting-reminder:{meeting_id}:{starts_at.astimezone(UTC).isoformat()}:{user_id}"


def meeting_reminder_recipients(match: Match) -> dict:
    """Who is due a meeting's reminder: both members of the pair, by user id."""
    return {person.member_id: person.member for person in (match.mentor, match.mentee)}


def meeting_reminder_context(*, meeting: Meeting, match: Match, user, now: datetime) -> dict:
    role = member_role(match, user)
    partner = partner_of(match, user)
    zone = member_zone(user)
    starts_local = timezone.localtime(meeting.starts_at, zone)
    days_ahead = (starts_local.date() - timezone.localdate(now, zone)).days
    return {
        "first_name": first_name(user),
        "role": role,
        "partner_name": str(partner),
        "partner_first_name": first_name(partner),
        "partner_role": "mentee" if role == "mentor" else "mentor",
        "day": {0: "today", 1: "tomorrow"}.get(days_ahead, weekday_text(starts_local, zone)),
        "when": moment_with_weekday_text(meeting.starts_at, zone),
        "time": time_text(starts_local, zone),
        "duration": duration_text(meeting.duration_minutes),
        "format": meeting.format,
        "format_label": meeting.get_format_display(),
        # The agenda, the video link and the calendar file (which holds both) are the pair's
        # own: read when the email is sent (`meeting_reminder_private_parts`), never stored in
        # the notification staff read in admin.
        "meeting_id": meeting.pk,
        "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
    }


def meeting_reminder_notify(
    *, meeting: Meeting, match: Match, user, now: datetime
) -> Notification | None:
    return notify(
        kind=MEETING_REMINDER,
        key=meeting_reminder_key(
            meeting_id=meeting.pk, starts_at=meeting.starts_at, user_id=user.pk
        ),
        recipient=user,
        context=meeting_reminder_context(meeting=meeting, match=match, user=user, now=now),
        optional=True,
    )


def meeting_reminder_private_parts(notification: Notification) -> tuple[dict, list[dict]]:
    """What a meeting reminder shows of the pair's own words, read as it is sent: the agenda
    and video link, and the calendar file with both. Nothing when the meeting is gone.

    Registered with `send_time_parts_register` in `apps.py`."""
    context = notification.context
    meeting = Meeting.objects.filter(pk=context.get("meeting_id")).first()
    if meeting is None:
        return {}, []
    ics = ics_calendar(
        [meeting_calendar_event(meeting, context.get("partner_name", ""))],
        name="Mentorship meeting",
    )
    attachment = {
        "filename": f"mentorship-meeting-{meeting.pk}.ics",
        "content": ics.decode(),
        "mimetype": "text/calendar",
    }
    return {"agenda": meeting.agenda, "video_link": meeting.video_link}, [attachment]


# ---------------------------------------------------------------------------------------------
# The month's emails to a pair: a progress summary to each member, and a nudge (under the
# monthly minimum) or a firmer note (behind pace or at risk) to both, the mentee leading
# ---------------------------------------------------------------------------------------------

HOUR_REMINDERS = (HOURS_NUDGE, HOURS_BEHIND)
_HOUR_REMINDER_KEY_PREFIX = {HOURS_NUDGE: "hours-nudge", HOURS_BEHIND: "hours-behind"}


def month_key(month: date) -> str:
    """'2026-11': a month in keys and in task arguments."""
    return f"{month:%Y-%m}"


def pair_month_key(kind: str, *, match_id: int, month: date, role: str, user_id: int) -> str:
    """A summary's key names its reader; a reminder's names the role it goes to."""
    if kind == PROGRESS_SUMMARY:
        return f"progress-summary:{match_id}:{month_key(month)}:{user_id}"
    return f"{_HOUR_REMINDER_KEY_PREFIX[kind]}:{match_id}:{month_key(month)}:{role}"


def pair_month_recipients(match: Match) -> list[tuple[str, object, object]]:
    """Who is due the month's emails: (role, member, partner), the mentee first."""
    return [
        ("mentee", match.mentee.member, match.mentor.member),
        ("mentor", match.mentor.member, match.mentee.member),
    ]


def pair_month_keys(match: Match, month: date) -> dict[tuple[str, str], str]:
    """Every key the month's emails to a pair may carry, by (kind, role)."""
    return {
        (kind, role): pair_month_key(
            kind, match_id=match.pk, month=month, role=role, user_id=user.pk
        )
        for kind in (PROGRESS_SUMMARY, *HOUR_REMINDERS)
        for role, user, _ in pair_month_recipients(match)
    }


# The month's emails go to thousands of pairs at once: what is the same for every pair (the
# month's names, a cohort's end) is formatted once, and the links are built from one reversed
# pattern rather than by resolving the URL configuration three times a pair.
_PK_MARKER = 2_147_483_647


@functools.lru_cache(maxsize=64)
def _month_labels(month: date) -> dict:
    return {
        "month_label": month_name_text(month),
        "month_year_label": month_text(month),
        "next_month_label": month_name_text(month_after(month)),
    }


@functools.lru_cache(maxsize=64)
def _day_label(day: date) -> str:
    return day_text(day)


@functools.lru_cache(maxsize=8)
def _pair_link_parts(name: str) -> tuple[str, str]:
    head, _, tail = reverse(name, kwargs={"pk": _PK_MARKER}).partition(str(_PK_MARKER))
    return settings.SITE_URL + head, tail


def _pair_link(name: str, pk: int) -> str:
    head, tail = _pair_link_parts(name)
    return f"{head}{pk}{tail}"


def pair_month_contexts(
    *, match: Match, ledger: Ledger, month: date, next_meeting_at: datetime | None
) -> dict[str, dict]:
    """What the three pair emails show (JSON), by role: numbers as words, links absolute."""
    cohort = match.cohort
    row = ledger.month_row(month)
    finished = [r for r in ledger.months if r.month <= month]
    months_left = len(ledger.months) - len(finished)
    remaining = ledger.remaining_minutes
    per_month_needed = -(-remaining // months_left) if months_left else 0
    next_in_next_month = False
    if next_meeting_at is not None:
        # The ledger's month is the mentee's, whoever reads the email.
        held_month = timezone.localdate(next_meeting_at, pair_zone(match)).replace(day=1)
        next_in_next_month = held_month == month_after(month)
    shared = {
        "mentee_name": match.mentee.member.display_name,
        "cohort_name": cohort.name,
        **_month_labels(month),
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
        "final": ledger.status in FINAL_STATUSES,
        "period_end_label": _day_label(cohort.period_end),
        "next_meeting_in_next_month": next_in_next_month,
        "workspace_url": _pair_link("meetings:workspace", match.pk),
        "plan_url": _pair_link("meetings:meeting_plan", match.pk),
        "log_url": _pair_link("meetings:meeting_log", match.pk),
    }
    return {
        role: {
            "role": role,
            "partner_name": partner.display_name,
            **shared,
            # The next meeting in the reader's own zone.
            "next_meeting_label": (
                upcoming_moment_text(next_meeting_at, member_zone(user))
                if next_meeting_at is not None
                else ""
            ),
        }
        for role, user, partner in pair_month_recipients(match)
    }


def pair_month_draft(
    *, kind: str, match: Match, month: date, role: str, user, context: dict
) -> Draft:
    """One of the month's emails to one member; all are optional."""
    return Draft(
        kind=kind,
        key=pair_month_key(kind, match_id=match.pk, month=month, role=role, user_id=user.pk),
        recipient=user,
        context=context,
        optional=True,
    )


def pair_month_notify(drafts: list[Draft]) -> list[Notification]:
    """Record the month's emails to many pairs at once (see `notify_many`)."""
    return notify_many(drafts)


# ---------------------------------------------------------------------------------------------
# The weekly staff digest: to every active staff member
# ---------------------------------------------------------------------------------------------


def staff_digest_key(*, week: str, user_id: int) -> str:
    return f"staff-digest:{week}:{user_id}"


def _staff():
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def staff_digest_recipient_ids() -> list[int]:
    """Who is due the digest: every active staff member."""
    return list(_staff().order_by("pk").values_list("pk", flat=True))


def staff_digest_notify(*, user_id: int, digest: dict) -> Notification | None:
    """One staff member's copy of the week's digest; None when they are no longer staff or
    turned reminders off."""
    user = _staff().filter(pk=user_id).first()
    if user is None:
        return None
    return notify(
        kind=STAFF_DIGEST,
        key=staff_digest_key(week=digest["week"], user_id=user.pk),
        recipient=user,
        context=digest,
        optional=True,
    )
