"""Writes to a pair's workspace, and the reads that feed the hour ledger.

Each write checks who may make it (the mentee owns expectations, goals and action items; the
mentor acknowledges and comments; either member plans and logs meetings) and raises
`WorkspaceError` with a message the page shows as is.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import dateformat, timezone
from django.utils.formats import date_format

from cohorts.calendar import CalendarEvent, ics_calendar, orientation_event
from cohorts.models import Cohort, Resource
from core.dates import member_zone
from core.text import day_text, duration_text, first_name, moment_with_weekday_text
from core.validators import is_program_date
from matching.models import Match
from notifications.models import Notification, ReminderPreference
from notifications.services import notify

from .ledger import Ledger, hours_to_minutes, ledger_compute
from .models import (
    MAX_MEETING_MINUTES,
    MIN_MEETING_MINUTES,
    ActionItem,
    CalendarFeed,
    Expectations,
    Goal,
    GoalComment,
    Meeting,
)


class WorkspaceError(Exception):
    """A rule of the program refused the change; the message is shown to the member as is.

    `meeting` is the existing meeting a refusal is about (one already logged or planned at that
    time), so the page can link to it.
    """

    def __init__(self, message: str, *, meeting: "Meeting | None" = None):
        super().__init__(message)
        self.meeting = meeting


# ---------------------------------------------------------------------------------------------
# Who is who in a pair
# ---------------------------------------------------------------------------------------------


def member_role(match: Match, user) -> str | None:
    """'mentor' or 'mentee' when the user is one of the pair, else None."""
    if user.pk == match.mentee.member_id:
        return "mentee"
    if user.pk == match.mentor.member_id:
        return "mentor"
    return None


def partner_of(match: Match, user):
    return match.mentor.member if member_role(match, user) == "mentee" else match.mentee.member


def pair_zone(match: Match) -> zoneinfo.ZoneInfo:
    """The pair's zone for the ledger: the mentee's, since the mentee leads the meetings."""
    return member_zone(match.mentee.member)


def _require_active(match: Match) -> None:
    if match.status != Match.Status.APPROVED:
        raise WorkspaceError("This mentorship has ended; its workspace can no longer be changed.")


def _require_role(match: Match, user, *roles: str) -> str:
    role = member_role(match, user)
    if role not in roles:
        who = " or ".join(roles)
        raise WorkspaceError(f"Only the {who} of this pair can do that.")
    return role


# ---------------------------------------------------------------------------------------------
# Expectations, goals, action items, comments
# ---------------------------------------------------------------------------------------------


def expectations_save(
    *, match: Match, user, meeting_plan: str, communication: str, other: str = ""
) -> Expectations:
    """The mentee writes the pair's expectations; a change asks the mentor to acknowledge again."""
    _require_active(match)
    _require_role(match, user, "mentee")
    now = timezone.now()
    expectations, created = Expectations.objects.get_or_create(
        match=match,
        defaults={
            "meeting_plan": meeting_plan,
            "communication": communication,
            "other": other,
            "updated_at": now,
            "updated_by": user,
        },
    )
    if created:
        return expectations
    changed = (expectations.meeting_plan, expectations.communication, expectations.other) != (
        meeting_plan,
        communication,
        other,
    )
    if changed:
        expectations.meeting_plan = meeting_plan
        expectations.communication = communication
        expectations.other = other
        expectations.updated_at = now
        expectations.updated_by = user
        expectations.acknowledged_at = None
        expectations.acknowledged_by = None
        expectations.save()
    return expectations


def expectations_acknowledge(*, match: Match, user) -> Expectations:
    _require_active(match)
    _require_role(match, user, "mentor")
    # Conditional update: an acknowledgement of text the mentee has since changed is refused.
    expectations = Expectations.objects.filter(match=match).first()
    if expectations is None:
        raise WorkspaceError("Your mentee has not written the expectations yet.")
    updated = Expectations.objects.filter(
        pk=expectations.pk, updated_at=expectations.updated_at, acknowledged_at=None
    ).update(acknowledged_at=timezone.now(), acknowledged_by=user)
    if not updated and expectations.acknowledged_at is None:
        raise WorkspaceError("Your mentee changed the expectations just now; read them again.")
    expectations.refresh_from_db()
    return expectations


def goal_save(
    *,
    match: Match,
    user,
    title: str,
    description: str = "",
    target_date: date | None = None,
    status: str = Goal.Status.NOT_STARTED,
    goal: Goal | None = None,
) -> Goal:
    _require_active(match)
    _require_role(match, user, "mentee")
    if goal is None:
        goal = Goal(match=match)
    elif goal.match_id != match.pk:
        raise WorkspaceError("That goal belongs to another pair.")
    goal.title = title
    goal.description = description
    goal.target_date = target_date
    goal.status = status
    goal.full_clean()
    goal.save()
    return goal


def goal_delete(*, goal: Goal, user) -> None:
    _require_active(goal.match)
    _require_role(goal.match, user, "mentee")
    goal.delete()


def action_item_add(*, goal: Goal, user, title: str, due_date: date | None = None) -> ActionItem:
    _require_active(goal.match)
    _require_role(goal.match, user, "mentee")
    title = title.strip()
    if not title:
        raise WorkspaceError("Describe the step in a few words.")
    return ActionItem.objects.create(goal=goal, title=title, due_date=due_date)


def action_item_set_done(*, item: ActionItem, user, done: bool) -> ActionItem:
    _require_active(item.goal.match)
    _require_role(item.goal.match, user, "mentee")
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    return item


def action_item_delete(*, item: ActionItem, user) -> None:
    _require_active(item.goal.match)
    _require_role(item.goal.match, user, "mentee")
    item.delete()


def goal_comment_add(*, goal: Goal, user, body: str) -> GoalComment:
    _require_active(goal.match)
    _require_role(goal.match, user, "mentor", "mentee")
    body = body.strip()
    if not body:
        raise WorkspaceError("Write a comment before sending it.")
    return GoalComment.objects.create(goal=goal, author=user, body=body)


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
    # Meetings last at most a few hours: look only at those starting in a window around this one.
    nearby = (
        Meeting.objects.for_match(match)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(starts_at__lt=ends_at, starts_at__gt=starts_at - timedelta(days=1))
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
    when = dateformat.format(timezone.localtime(other.starts_at), r"F j \a\t g:i A")
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


def _write_log(meeting: Meeting, *, held_on: date, **log) -> None:
    """Set a held meeting's facts (starts_at, duration_minutes, format) and its shared text
    (topics, notes, next_steps), then validate and save it."""
    meeting.status = Meeting.Status.HELD
    meeting.held_on = held_on
    for name, value in log.items():
        setattr(meeting, name, value)
    meeting.full_clean(exclude=["match", "created_by"])
    meeting.save()


def _lock_match(match: Match) -> Match:
    # Every change to a pair's meetings locks the pair's row first, so two members logging the
    # same meeting at once are serialised and the second sees the first one's log.
    return Match.objects.select_for_update().get(pk=match.pk)


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
    _require_active(match)
    _require_role(match, user, "mentor", "mentee")
    if starts_at <= now:
        raise WorkspaceError(
            "A planned meeting must be in the future. To record one that took "
            "place, log it instead."
        )
    _check_in_period(match, starts_at)
    with transaction.atomic():
        _lock_match(match)
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
    _require_active(meeting.match)
    _require_role(meeting.match, user, "mentor", "mentee")
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
    _require_active(match)
    _require_role(match, user, "mentor", "mentee")
    held_on = _check_held(match, starts_at, now)
    with transaction.atomic():
        _lock_match(match)
        if meeting is not None:
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk, match=match)
            if meeting.status == Meeting.Status.CANCELLED:
                raise WorkspaceError(
                    "This meeting was cancelled. If you met after all, log it as a new meeting."
                )
            if meeting.status != Meeting.Status.PLANNED:
                raise _meeting_exists_error(match, meeting, user, planning=False)
        _check_no_overlap(
            match, starts_at, duration_minutes, exclude=meeting and meeting.pk, user=user
        )
        if meeting is None:
            meeting = Meeting(match=match, created_by=user)
        meeting.logged_at = now
        meeting.logged_by = user
        _write_log(
            meeting,
            held_on=held_on,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            format=format,
            topics=topics,
            notes=notes,
            next_steps=next_steps,
        )
    return meeting


def meeting_editable_until(meeting: Meeting) -> datetime | None:
    if meeting.logged_at is None:
        return None
    return meeting.logged_at + timedelta(days=settings.MEETING_LOG_EDIT_DAYS)


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
    _require_active(match)
    _require_log_author_in_window(meeting, user, now)
    held_on = _check_held(match, starts_at, now)
    with transaction.atomic():
        _lock_match(match)
        _check_no_overlap(match, starts_at, duration_minutes, exclude=meeting.pk, user=user)
        if (meeting.starts_at, meeting.duration_minutes, meeting.format) != (
            starts_at,
            duration_minutes,
            format,
        ):
            # The partner confirmed the date and length, not what they have become.
            meeting.confirmed_at = None
            meeting.confirmed_by = None
        _write_log(
            meeting,
            held_on=held_on,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            format=format,
            topics=topics,
            notes=notes,
            next_steps=next_steps,
        )
    return meeting


def meeting_delete(*, meeting: Meeting, user, now: datetime | None = None) -> None:
    now = now or timezone.now()
    match = meeting.match
    _require_active(match)
    with transaction.atomic():
        _lock_match(match)
        # Re-read under the pair's lock: the partner may have logged this meeting as held since
        # the page was shown, and a held meeting is only its author's to delete.
        meeting = Meeting.objects.select_for_update().filter(pk=meeting.pk, match=match).first()
        if meeting is None:
            return  # already deleted
        if meeting.status == Meeting.Status.HELD:
            _require_log_author_in_window(meeting, user, now)
        else:
            _require_role(match, user, "mentor", "mentee")
        meeting.delete()


def meeting_confirm(*, meeting: Meeting, user, now: datetime | None = None) -> Meeting:
    """The partner of the member who logged a meeting confirms that it took place."""
    _require_active(meeting.match)
    _require_role(meeting.match, user, "mentor", "mentee")
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
# The hour ledger
# ---------------------------------------------------------------------------------------------


def _minutes_by_match_and_month(match_ids: Iterable[int]) -> dict[int, dict[date, int]]:
    rows = (
        Meeting.objects.held()
        .filter(match_id__in=list(match_ids))
        .annotate(month=TruncMonth("held_on"))
        .values("match_id", "month")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by()
    )
    result: dict[int, dict[date, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):  # some backends return a datetime for a date field
            month = month.date()
        result[row["match_id"]][month] = row["minutes"]
    return result


def pair_today(match: Match, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), pair_zone(match))


def _ledger(match: Match, minutes_by_month: dict[date, int], now: datetime | None) -> Ledger:
    cohort = match.cohort
    ended_on = (
        timezone.localdate(match.ended_at, pair_zone(match))
        if match.status == Match.Status.ENDED and match.ended_at
        else None
    )
    return ledger_compute(
        period_start=cohort.period_start,
        period_end=cohort.period_end,
        required_total_minutes=hours_to_minutes(cohort.min_total_hours),
        required_monthly_minutes=hours_to_minutes(cohort.min_monthly_hours),
        minutes_by_month=minutes_by_month,
        today=pair_today(match, now),
        ended_on=ended_on,
    )


def ledger_for(match: Match, *, now: datetime | None = None, through: date | None = None) -> Ledger:
    """The ledger of one pair: one query.

    With `through` (the first day of a month), only the minutes of that month and the months
    before it count: the ledger as it stood when that month ended, whatever was logged since.
    """
    minutes = _minutes_by_match_and_month([match.pk]).get(match.pk, {})
    if through is not None:
        minutes = {month: total for month, total in minutes.items() if month <= through}
    return _ledger(match, minutes, now)


def ledgers_for(matches: Iterable[Match], *, now: datetime | None = None) -> dict[int, Ledger]:
    """The ledgers of many pairs in one query (the matches need cohort and mentee profile)."""
    matches = list(matches)
    minutes = _minutes_by_match_and_month(m.pk for m in matches)
    return {m.pk: _ledger(m, minutes.get(m.pk, {}), now) for m in matches}


@dataclass(frozen=True)
class PairActivity:
    last_meeting_on: date | None
    meetings_held: int
    open_goals: int
    goals_achieved: int


def pair_activity(match_ids: Iterable[int]) -> dict[int, PairActivity]:
    """Counts for staff oversight: no notes, no goal text."""
    match_ids = list(match_ids)
    meetings = {
        row["match_id"]: row
        for row in Meeting.objects.held()
        .filter(match_id__in=match_ids)
        .values("match_id")
        .annotate(last=Max("held_on"), count=Count("pk"))
        .order_by()
    }
    goals = {
        row["match_id"]: row
        for row in Goal.objects.filter(match_id__in=match_ids)
        .values("match_id")
        .annotate(
            open=Count(
                "pk", filter=Q(status__in=[Goal.Status.NOT_STARTED, Goal.Status.IN_PROGRESS])
            ),
            achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)),
        )
        .order_by()
    }
    return {
        pk: PairActivity(
            last_meeting_on=meetings.get(pk, {}).get("last"),
            meetings_held=meetings.get(pk, {}).get("count", 0),
            open_goals=goals.get(pk, {}).get("open", 0),
            goals_achieved=goals.get(pk, {}).get("achieved", 0),
        )
        for pk in match_ids
    }


# ---------------------------------------------------------------------------------------------
# Resources, orientation and calendar feeds
# ---------------------------------------------------------------------------------------------


def resources_for(match: Match, role: str) -> list[Resource]:
    """The cohort's resources for the member's role; staff viewing a pair see the mentee's."""
    role = role if role in {"mentor", "mentee"} else "mentee"
    return list(Resource.objects.for_participant(cohort=match.cohort, role=role))


def orientation_events(cohorts: Iterable[Cohort]) -> list[CalendarEvent]:
    return [orientation_event(cohort) for cohort in cohorts if cohort.orientation_at]


def calendar_feed_for(user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user)


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
        _lock_match(match)
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


# ---------------------------------------------------------------------------------------------
# Meeting reminders
# ---------------------------------------------------------------------------------------------

MEETING_REMINDER_AHEAD = timedelta(hours=24)
# Keys looked up per query when skipping reminders already recorded: the finder's query
# count grows by one per this many reminders, not per reminder.
MEETING_REMINDER_BATCH = 500


def meeting_reminder_key(*, meeting_id: int, starts_at: datetime, user_id: int) -> str:
    # The start time is part of the key: a rescheduled meeting is a new event to remind of.
    return f"meeting-reminder:{meeting_id}:{starts_at.astimezone(UTC).isoformat()}:{user_id}"


def meeting_calendar_event(meeting: Meeting, partner_name: str) -> CalendarEvent:
    """The meeting as a calendar event; the UID is the workspace's, so calendars update it."""
    description = [f"Mentorship meeting with {partner_name}."]
    if meeting.agenda:
        description.append(f"Agenda:\n{meeting.agenda}")
    return CalendarEvent(
        uid=f"meeting-{meeting.pk}",
        start=meeting.starts_at,
        duration=meeting.ends_at - meeting.starts_at,
        summary=f"Mentorship meeting with {partner_name}",
        description="\n\n".join(description),
        url=meeting.video_link,
        updated=meeting.updated_at,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
    )


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
            meeting_reminder_key(meeting_id=meeting_id, starts_at=starts_at, user_id=user_id),
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
        members = {person.member_id: person.member for person in (match.mentor, match.mentee)}
        user = members.get(user_id)
        if user is None:
            return None
        role = member_role(match, user)
        partner = partner_of(match, user)
        zone = member_zone(user)
        starts_local = timezone.localtime(meeting.starts_at, zone)
        days_ahead = (starts_local.date() - timezone.localdate(now, zone)).days
        context = {
            "first_name": first_name(user),
            "role": role,
            "partner_name": str(partner),
            "partner_first_name": first_name(partner),
            "partner_role": "mentee" if role == "mentor" else "mentor",
            "day": {0: "today", 1: "tomorrow"}.get(days_ahead, date_format(starts_local, "l")),
            "when": moment_with_weekday_text(meeting.starts_at, zone),
            "time": date_format(starts_local, "g:i A T"),
            "duration": duration_text(meeting.duration_minutes),
            "format": meeting.format,
            "format_label": meeting.get_format_display(),
            # The agenda, the video link and the calendar file (which holds both) are the
            # pair's own: read when the email is sent (`meeting_reminder_private_parts`), never
            # stored in the notification staff read in admin.
            "meeting_id": meeting.pk,
            "meeting_url": settings.SITE_URL + meeting.get_absolute_url(),
        }
        return notify(
            kind="meeting_reminder",
            key=meeting_reminder_key(
                meeting_id=meeting.pk, starts_at=meeting.starts_at, user_id=user.pk
            ),
            recipient=user,
            context=context,
            optional=True,
        )


def meeting_reminder_private_parts(notification: Notification) -> tuple[dict, list[dict]]:
    """What a meeting reminder shows of the pair's own words, read as it is sent: the agenda
    and video link, and the calendar file with both. Nothing when the meeting is gone."""
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
