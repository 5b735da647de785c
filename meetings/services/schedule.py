"""Writes to a pair's schedule: plan, reschedule, cancel, log, confirm and delete meetings, and
staff corrections of a meeting's facts.

Either member plans and logs; a meeting counts once in the ledger, so a second log of the same
time is refused and the partner confirms instead. Every change locks the pair's row first.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.text import day_in_year_and_time_text, day_text
from core.validators import is_program_date
from matching.models import Match

from ..models import MAX_MEETING_MINUTES, MIN_MEETING_MINUTES, Meeting
from ..selectors import meeting_editable_until, member_role, pair_zone, partner_of
from .guards import WorkspaceError, lock_match, require_active, require_role

# Meetings last at most a few hours (MAX_MEETING_MINUTES): the overlap check looks only at the
# meetings starting this long before a new one.
OVERLAP_WINDOW = timedelta(days=1)

# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


def _check_in_period(match: Match, starts_at: datetime) -> date:
    cohort = match.cohort
    # A date far outside the program's years may not even exist in the pair's zone (9999-12-31
    # in the evening in Los Angeles is year 10000 in Denver): refuse it before converting it.
    day = timezone.localdate(starts_at, pair_zone(match)) if is_program_date(starts_at) else None
    if day is None or not cohort.period_start <= day <= cohort.period_end:
        raise WorkspaceError(
            f"Meetings count between {day_text(cohort.period_start)} and "
            f"{day_text(cohort.period_end)}; pick a date in the mentorship period."
        )
    return day


def _check_no_overlap(
    match: Match,
    starts_at: datetime,
    minutes: int,
    exclude: int | None,
    *,
    user=None,
    planning: bool = False,
):
    """Refuse a second meeting at the same time: two logs of one meeting would count twice."""
    ends_at = starts_at + timedelta(minutes=minutes)
    nearby = (
        Meeting.objects.for_match(match)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(starts_at__lt=ends_at, starts_at__gt=starts_at - OVERLAP_WINDOW)
        .exclude(pk=exclude)
        .select_related("logged_by", "created_by")
    )
    for other in nearby:
        if other.ends_at > starts_at:
            raise _meeting_exists_error(match, other, user, planning=planning)


def _meeting_exists_error(match: Match, other: Meeting, user, *, planning: bool) -> WorkspaceError:
    """The refusal for a meeting already in the schedule at that time, saying who does what.

    A member cannot confirm a meeting they logged themselves: they are told it is logged and
    that their partner confirms it. The partner of whoever logged it is sent to confirm it.
    """
    when = day_in_year_and_time_text(other.starts_at)
    role = member_role(match, user) if user is not None else None
    if other.status == Meeting.Status.PLANNED:
        if planning:
            message = (
                f"A meeting is already planned on {when}. Open it to reschedule it, or pick "
                "another time."
            )
        else:
            message = (
                f"A meeting is already planned on {when}. If it is the same meeting, open it "
                "and log it as held instead."
            )
        return WorkspaceError(message, meeting=other)
    by = other.logged_by.display_name if other.logged_by else "A member of the pair"
    if role is None:
        message = f"{by} already logged a meeting on {when}."
    elif other.logged_by_id == user.pk:
        partner = partner_of(match, user).display_name
        message = f"You already logged a meeting on {when}; it counts once. " + (
            f"{partner} has confirmed it."
            if other.is_confirmed
            else f"{partner} confirms it; there is nothing more for you to do."
        )
    elif other.is_confirmed:
        message = (
            f"{by} already logged a meeting on {when}, and it is confirmed; it counts once. "
            "There is nothing to log again."
        )
    else:
        message = (
            f"{by} already logged a meeting on {when}. If it is the same meeting, open it and "
            "confirm it instead of logging it again."
        )
    return WorkspaceError(message, meeting=other)


def _check_held(match: Match, starts_at: datetime, now: datetime) -> date:
    """A held meeting has taken place, within the period; returns the day the ledger counts."""
    if starts_at > now:
        raise WorkspaceError("A meeting can be logged once it has taken place, not before.")
    return _check_in_period(match, starts_at)


def _write_log(
    match: Match,
    user,
    meeting: Meeting | None,
    *,
    now: datetime,
    prepare: Callable[[Meeting | None], Meeting],
    log: dict,
) -> Meeting:
    """What logging a meeting and changing a log share. The day it counts on is checked; then,
    under the pair lock, `prepare` readies the meeting (finds it, checks it may be written), no
    other meeting may overlap it, and `log` (starts_at, duration_minutes, format and the shared
    topics, notes, next_steps) is validated and saved as held."""
    starts_at, duration_minutes = log["starts_at"], log["duration_minutes"]
    held_on = _check_held(match, starts_at, now)
    with transaction.atomic():
        lock_match(match)
        meeting = prepare(meeting)
        _check_no_overlap(match, starts_at, duration_minutes, exclude=meeting.pk, user=user)
        meeting.status = Meeting.Status.HELD
        meeting.held_on = held_on
        for name, value in log.items():
            setattr(meeting, name, value)
        meeting.full_clean(exclude=["match", "created_by"])
        meeting.save()
    return meeting


def meeting_plan(
    *,
    match: Match,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str = Meeting.Format.VIDEO,
    agenda: str = "",
    video_link: str = "",
    meeting: Meeting | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Plan a meeting (or change a planned one). Either member may; the mentee usually does."""
    now = now or timezone.now()
    require_active(match)
    require_role(match, user, "mentor", "mentee")
    if starts_at <= now:
        raise WorkspaceError(
            "A planned meeting must be in the future. To record one that took "
            "place, log it instead."
        )
    _check_in_period(match, starts_at)
    with transaction.atomic():
        lock_match(match)
        if meeting is not None:
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk, match=match)
            if meeting.status != Meeting.Status.PLANNED:
                raise WorkspaceError("Only a planned meeting can be rescheduled.")
        _check_no_overlap(
            match,
            starts_at,
            duration_minutes,
            exclude=meeting and meeting.pk,
            user=user,
            planning=True,
        )
        if meeting is None:
            meeting = Meeting(match=match, created_by=user)
        meeting.starts_at = starts_at
        meeting.duration_minutes = duration_minutes
        meeting.format = format
        meeting.agenda = agenda
        meeting.video_link = video_link
        meeting.full_clean(exclude=["match", "created_by"])
        meeting.save()
    return meeting


def meeting_cancel(*, meeting: Meeting, user) -> Meeting:
    require_active(meeting.match)
    require_role(meeting.match, user, "mentor", "mentee")
    updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.PLANNED).update(
        status=Meeting.Status.CANCELLED, updated_at=timezone.now()
    )
    if not updated:
        raise WorkspaceError("Only a planned meeting can be cancelled.")
    meeting.refresh_from_db()
    return meeting


def meeting_log(
    *,
    match: Match,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    topics: str = "",
    notes: str = "",
    next_steps: str = "",
    meeting: Meeting | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Log a held meeting: a new one, or a planned one marked as held.

    The meeting counts once in the ledger; the partner confirms it rather than logging it again.
    """
    now = now or timezone.now()
    require_active(match)
    require_role(match, user, "mentor", "mentee")

    def prepare(meeting: Meeting | None) -> Meeting:
        if meeting is None:
            meeting = Meeting(match=match, created_by=user)
        else:
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk, match=match)
            if meeting.status == Meeting.Status.CANCELLED:
                raise WorkspaceError(
                    "This meeting was cancelled. If you met after all, log it as a new meeting."
                )
            if meeting.status != Meeting.Status.PLANNED:
                raise _meeting_exists_error(match, meeting, user, planning=False)
        meeting.logged_at = now
        meeting.logged_by = user
        return meeting

    log = {"starts_at": starts_at, "duration_minutes": duration_minutes, "format": format}
    log |= {"topics": topics, "notes": notes, "next_steps": next_steps}
    return _write_log(match, user, meeting, now=now, prepare=prepare, log=log)


def _require_log_author_in_window(meeting: Meeting, user, now: datetime) -> None:
    if meeting.status != Meeting.Status.HELD or meeting.logged_by_id != user.pk:
        raise WorkspaceError("Only the member who logged this meeting can change it.")
    if now > meeting_editable_until(meeting):
        raise WorkspaceError(
            f"Logs can be changed for {settings.MEETING_LOG_EDIT_DAYS} days. Ask program staff "
            f"at {settings.PROGRAM_OFFICE_EMAIL} to correct this one."
        )


def meeting_log_update(
    *,
    meeting: Meeting,
    user,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    topics: str = "",
    notes: str = "",
    next_steps: str = "",
    now: datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    match = meeting.match
    require_active(match)
    _require_log_author_in_window(meeting, user, now)

    def prepare(meeting: Meeting) -> Meeting:
        if (meeting.starts_at, meeting.duration_minutes, meeting.format) != (
            starts_at,
            duration_minutes,
            format,
        ):
            # The partner confirmed the date and length, not what they have become.
            meeting.confirmed_at = None
            meeting.confirmed_by = None
        return meeting

    log = {"starts_at": starts_at, "duration_minutes": duration_minutes, "format": format}
    log |= {"topics": topics, "notes": notes, "next_steps": next_steps}
    return _write_log(match, user, meeting, now=now, prepare=prepare, log=log)


def meeting_delete(*, meeting: Meeting, user, now: datetime | None = None) -> None:
    now = now or timezone.now()
    match = meeting.match
    require_active(match)
    with transaction.atomic():
        lock_match(match)
        # Re-read under the pair's lock: the partner may have logged this meeting as held since
        # the page was shown, and a held meeting is only its author's to delete.
        meeting = Meeting.objects.select_for_update().filter(pk=meeting.pk, match=match).first()
        if meeting is None:
            return  # already deleted
        if meeting.status == Meeting.Status.HELD:
            _require_log_author_in_window(meeting, user, now)
        else:
            require_role(match, user, "mentor", "mentee")
        meeting.delete()


def meeting_confirm(*, meeting: Meeting, user, now: datetime | None = None) -> Meeting:
    """The partner of the member who logged a meeting confirms that it took place."""
    require_active(meeting.match)
    require_role(meeting.match, user, "mentor", "mentee")
    if meeting.status != Meeting.Status.HELD:
        raise WorkspaceError("Only a logged meeting can be confirmed.")
    if meeting.logged_by_id == user.pk:
        raise WorkspaceError("Your partner confirms the meetings you log, not you.")
    updated = Meeting.objects.filter(
        pk=meeting.pk, status=Meeting.Status.HELD, confirmed_at=None
    ).update(confirmed_at=now or timezone.now(), confirmed_by=user)
    if not updated:
        raise WorkspaceError("This meeting is already confirmed.")
    meeting.refresh_from_db()
    return meeting


# ---------------------------------------------------------------------------------------------
# Staff corrections
# ---------------------------------------------------------------------------------------------


def meeting_correct(
    *,
    meeting: Meeting,
    corrected_by,
    starts_at: datetime,
    duration_minutes: int,
    format: str,
    status: str,
    now: datetime | None = None,
) -> Meeting:
    """Program staff correct a meeting's facts: when, how long, how, and whether it took place.

    Staff are not members of the pair, so the members' rules (who may edit, the edit window, an
    active pair) do not apply; the ledger's do. The private text is never read or written here.
    A log and a confirmation are kept when a meeting stops being held, so that a correction can
    be undone; the ledger counts held meetings only.
    """
    now = now or timezone.now()
    if not MIN_MEETING_MINUTES <= duration_minutes <= MAX_MEETING_MINUTES:
        raise WorkspaceError(
            f"A meeting lasts between {MIN_MEETING_MINUTES} and {MAX_MEETING_MINUTES} minutes."
        )
    if status not in Meeting.Status.values:
        raise WorkspaceError("Choose whether the meeting is planned, held or cancelled.")
    if format not in Meeting.Format.values:
        raise WorkspaceError("Choose how the pair met.")
    match = Match.objects.with_people().get(pk=meeting.match_id)
    if status == Meeting.Status.HELD and starts_at > now:
        raise WorkspaceError("A meeting can be marked as held once it has taken place, not before.")
    # A cancelled meeting counts nowhere, so only the others need a day in the period.
    held_on = _check_in_period(match, starts_at) if status != Meeting.Status.CANCELLED else None
    with transaction.atomic():
        lock_match(match)
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if status != Meeting.Status.CANCELLED:
            _check_no_overlap(match, starts_at, duration_minutes, exclude=meeting.pk)
        meeting.starts_at = starts_at
        meeting.duration_minutes = duration_minutes
        meeting.format = format
        meeting.status = status
        meeting.held_on = held_on if status == Meeting.Status.HELD else None
        if status == Meeting.Status.HELD and meeting.logged_at is None:
            # Staff record a meeting nobody logged: the ledger needs someone answerable for it.
            meeting.logged_at = now
            meeting.logged_by = corrected_by
        # Only the facts: a member editing the private text at the same time keeps their words.
        meeting.save(
            update_fields=[
                "starts_at",
                "duration_minutes",
                "format",
                "status",
                "held_on",
                "logged_at",
                "logged_by",
                "updated_at",
            ]
        )
    return meeting
