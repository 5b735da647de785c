"""Every email matching sends. For each kind: its key, who is due it, its context, how it is sent.

Services decide (a match is released, a match ends); this module tells. It is the only caller of
`notify()` for these kinds, and anything that looks for an email already recorded builds or reads
its key with the functions here, never by hand.

- The match announcement (`match_announcement`), to each member of a pair when it is released.
- The orientation reminder (`orientation_reminder`), to each member of a released pair, once,
  in the day before the orientation.
- The match-ended note (`match_ended`), to each member of a released pair that ends.
- The place-freed note to staff is the applications app's kind; matching gives it its key.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from applications.emails import place_freed_key as applications_place_freed_key
from applications.emails import staff_tell_place_freed
from applications.models import Application, Role
from cohorts.calendar import ics_calendar, orientation_event
from cohorts.models import Cohort
from core.dates import member_zone
from core.text import (
    day_text,
    first_name,
    hours_text,
    moment_with_weekday_text,
    month_text,
    time_text,
)
from notifications.models import Notification
from notifications.services import notification_still_due_register, notifications_cancel, notify

from .models import Match
from .reasons import public_reasons

# The reasons for a pair an announcement quotes, best first.
ANNOUNCEMENT_REASONS_SHOWN = 3
# Members of a cohort's pairs read from the database this many pairs at a time.
PARTICIPANTS_CHUNK = 2000


def _partner_role(role: str) -> str:
    return Role.MENTEE.value if role == Role.MENTOR else Role.MENTOR.value


def _workspace_url(match: Match) -> str:
    return settings.SITE_URL + reverse("meetings:workspace", kwargs={"pk": match.pk})


# ---------------------------------------------------------------------------------------------
# The orientation, as announcements and reminders show it
# ---------------------------------------------------------------------------------------------


def _orientation_context(cohort: Cohort, zone: zoneinfo.ZoneInfo) -> dict | None:
    if cohort.orientation_at is None:
        return None
    return {
        "when": moment_with_weekday_text(cohort.orientation_at, zone),
        "day": day_text(cohort.orientation_at, zone),
        "duration": cohort.orientation_duration_label,
        "link": cohort.orientation_link,
        "details": cohort.orientation_details.strip(),
        "is_over": cohort.orientation_is_over,
    }


def _orientation_attachment(cohort: Cohort) -> dict:
    content = ics_calendar([orientation_event(cohort)], name=f"{cohort.name} orientation")
    return {
        "filename": "orientation.ics",
        "content": content.decode("utf-8"),
        "mimetype": "text/calendar",
    }


# ---------------------------------------------------------------------------------------------
# The match announcement
# ---------------------------------------------------------------------------------------------

ANNOUNCEMENT_KIND = "match_announcement"
ANNOUNCEMENT_KEY_PREFIX = "match-announcement"


def announcement_key(match_id: int, role: str) -> str:
    """`match-announcement:<match>:<role>`: one announcement per member of a pair."""
    return f"{ANNOUNCEMENT_KEY_PREFIX}:{match_id}:{Role(role).value}"


def announcement_match_id(key: str) -> int:
    """The match an announcement's key names (the inverse of `announcement_key`)."""
    prefix, match_id, _role = key.split(":")
    if prefix != ANNOUNCEMENT_KEY_PREFIX:
        raise ValueError(f"Not a match announcement's key: {key!r}")
    return int(match_id)


def _announcement_context(match: Match, role: str, *, now: datetime) -> dict:
    cohort = match.cohort
    member, partner = (
        (match.mentor.member, match.mentee.member)
        if role == Role.MENTOR
        else (match.mentee.member, match.mentor.member)
    )
    partner_profile = getattr(partner, "profile", None)
    zone = member_zone(member)
    # The first meeting belongs in the period's first month, or this month once it has begun.
    first_month = max(cohort.period_start, now.astimezone(zone).date())
    return {
        "first_name": first_name(member),
        "role": Role(role).value,
        "partner_role": _partner_role(role),
        "partner_name": str(partner),
        "partner_first_name": first_name(partner),
        "partner_email": partner.email,
        "partner_credentials": getattr(partner_profile, "credentials", "") or "",
        "partner_institution": getattr(partner_profile, "institution", "") or "",
        "reasons": public_reasons(match.reasons)[:ANNOUNCEMENT_REASONS_SHOWN],
        "workspace_url": _workspace_url(match),
        "cohort_name": cohort.name,
        "period_start": day_text(cohort.period_start),
        "period_end": day_text(cohort.period_end),
        "first_meeting_month": month_text(first_month),
        "min_total_hours": hours_text(cohort.min_total_hours),
        "min_monthly_hours": hours_text(cohort.min_monthly_hours),
        "orientation": _orientation_context(cohort, zone),
    }


def announcements_record(match: Match, *, now: datetime) -> list[Notification]:
    """Record the two announcement emails of a released match (with its people loaded), in the
    caller's transaction: they are sent once it commits."""
    cohort = match.cohort
    invite = cohort.orientation_at is not None and not cohort.orientation_is_over
    attachments = [_orientation_attachment(cohort)] if invite else []
    return [
        notify(
            kind=ANNOUNCEMENT_KIND,
            key=announcement_key(match.pk, role),
            recipient=application.member,
            context=_announcement_context(match, role, now=now),
            attachments=attachments,
        )
        for role, application in ((Role.MENTOR, match.mentor), (Role.MENTEE, match.mentee))
    ]


def match_announcement_still_due(notification: Notification) -> bool:
    """Checked just before an announcement is sent (see `notification_still_due_register`):
    the match is still approved and released and both its people still accepted. Ending a
    match cancels its pending announcements; this also covers one claimed at that moment."""
    return (
        Match.objects.approved()
        .released()
        .filter(
            pk=announcement_match_id(notification.idempotency_key),
            mentor__status=Application.Status.ACCEPTED,
            mentee__status=Application.Status.ACCEPTED,
        )
        .exists()
    )


# ---------------------------------------------------------------------------------------------
# The orientation reminder
# ---------------------------------------------------------------------------------------------

ORIENTATION_REMINDER_KIND = "orientation_reminder"
ORIENTATION_REMINDER_AHEAD = timedelta(hours=24)


def orientation_reminder_key(cohort_id: int, user_id: int) -> str:
    """`orientation-reminder:<cohort>:<user>`: once per member, whatever their pairs."""
    return f"orientation-reminder:{cohort_id}:{user_id}"


def _orientation_soon(now: datetime) -> Q:
    return Q(orientation_at__gt=now, orientation_at__lte=now + ORIENTATION_REMINDER_AHEAD)


def orientation_cohorts_due(*, now: datetime) -> list[int]:
    """Cohorts whose orientation starts within the next 24 hours."""
    return list(
        Cohort.objects.filter(_orientation_soon(now)).order_by("pk").values_list("pk", flat=True)
    )


def orientation_participant_ids(*, cohort_id: int) -> list[int]:
    """The members of a cohort's released, approved pairs: each once, whatever their pairs."""
    rows = (
        Match.objects.approved()
        .released()
        .filter(cohort_id=cohort_id)
        .values_list("mentor__member_id", "mentee__member_id")
        .order_by("pk")
        .iterator(chunk_size=PARTICIPANTS_CHUNK)
    )
    return sorted({member_id for pair in rows for member_id in pair})


def orientation_remind(
    *, cohort_id: int, user_id: int, now: datetime | None = None
) -> Notification | None:
    """Record a member's orientation reminder, if the orientation is still within the next
    24 hours and they are still in a released pair of the cohort. An optional email: nothing
    is recorded for a member who turned reminders off. Safe to run twice (the key
    `orientation_reminder_key`)."""
    now = now or timezone.now()
    cohort = Cohort.objects.filter(_orientation_soon(now), pk=cohort_id).first()
    if cohort is None:
        return None
    match = (
        Match.objects.approved()
        .released()
        .filter(Q(mentor__member_id=user_id) | Q(mentee__member_id=user_id))
        .filter(cohort=cohort)
        .with_people()
        .order_by("pk")
        .first()
    )
    if match is None:
        return None
    is_mentor = match.mentor.member_id == user_id
    member = match.mentor.member if is_mentor else match.mentee.member
    zone = member_zone(member)
    starts = cohort.orientation_at.astimezone(zone)
    days_ahead = (starts.date() - now.astimezone(zone).date()).days
    return notify(
        kind=ORIENTATION_REMINDER_KIND,
        key=orientation_reminder_key(cohort.pk, member.pk),
        recipient=member,
        context={
            "first_name": first_name(member),
            "role": Role.MENTOR.value if is_mentor else Role.MENTEE.value,
            "cohort_name": cohort.name,
            "orientation": _orientation_context(cohort, zone),
            "day": "today" if days_ahead == 0 else "tomorrow",
            "time": time_text(starts, zone),
            "workspace_url": _workspace_url(match),
        },
        attachments=[_orientation_attachment(cohort)],
        optional=True,
    )


# ---------------------------------------------------------------------------------------------
# The match-ended note, and staff told that a place is free
# ---------------------------------------------------------------------------------------------

MATCH_ENDED_KIND = "match_ended"


def match_ended_key(match_id: int, role: str) -> str:
    """`match-ended:<match>:<role>`: one note per member of a pair."""
    return f"match-ended:{match_id}:{Role(role).value}"


def match_ended_tell(match: Match) -> list[str]:
    """Tell both members kindly that their pair has ended (the match ended in the caller's
    transaction, with its people loaded), if they had been told of the pair. A member whose
    announcement was not sent yet gets neither: it is cancelled, and they hear nothing of a pair
    that no longer exists. Returns the names of the members told."""
    told = []
    if match.notified_at is None:
        return told  # they never heard of this pair: nothing to take back
    for role, application, partner in (
        (Role.MENTOR, match.mentor, match.mentee),
        (Role.MENTEE, match.mentee, match.mentor),
    ):
        announcement_cancelled = notifications_cancel(
            keys=[announcement_key(match.pk, role)],
            reason="The match ended before its announcement was sent.",
        )
        if announcement_cancelled:
            continue  # their announcement never left: better no news than "it has ended"
        notify(
            kind=MATCH_ENDED_KIND,
            key=match_ended_key(match.pk, role),
            recipient=application.member,
            context={
                "first_name": first_name(application.member),
                "partner_name": str(partner.member),
                "partner_first_name": first_name(partner.member),
                "partner_role": _partner_role(role),
                "cohort_name": match.cohort.name,
            },
        )
        told.append(str(application.member))
    return told


def place_freed_key(match_id: int) -> str:
    """The key of the staff note about a match that ended (`staff_tell_place_freed` adds the
    recipient): one note per match, whether staff ended it or the release refused it."""
    return applications_place_freed_key(event=f"match:{match_id}")


def staff_tell_match_ended(match: Match, *, summary: str, notes: list[str], actor) -> None:
    """Tell the other staff that an approved match ended and its places are free."""
    staff_tell_place_freed(
        cohort=match.cohort,
        key=place_freed_key(match.pk),
        summary=summary,
        notes=notes,
        actor=actor,
    )


def register_hooks() -> None:
    """What matching's emails plug into notifications (called from matching/apps.py)."""
    notification_still_due_register(kind=ANNOUNCEMENT_KIND, check=match_announcement_still_due)
