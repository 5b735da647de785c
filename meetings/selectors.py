"""Reads of a pair's workspace: who is who, the hour ledger, staff oversight counts, calendars.

Nothing here writes. The ledger's rules are in `ledger.py`; this module feeds it the minutes of
held meetings, grouped by month, in one query for one pair or for many.
"""

import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cohorts.calendar import CalendarEvent, orientation_event
from cohorts.models import Cohort, Resource
from core.dates import member_zone, months_between
from matching.models import Match

from .ledger import Ledger, hours_to_minutes, ledger_compute
from .models import Expectations, Goal, Meeting

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


def attach_own_profile(match: Match, viewer) -> None:
    """The viewer's own profile, which the request has read already (its time zone), on the
    pair's member who is the viewer; the partner's is read when needed, or joined in."""
    cache = get_user_model().profile.related  # caches "no profile" too, unlike assigning
    for member in (match.mentor.member, match.mentee.member):
        if member.pk == viewer.pk and not cache.is_cached(member):
            cache.set_cached_value(member, getattr(viewer, "profile", None))


MEETING_PEOPLE = ("created_by", "logged_by", "confirmed_by")


def attach_people(match: Match, rows: Iterable, fields: Iterable[str] = MEETING_PEOPLE) -> list:
    """The rows (meetings by default, or a goal's comments, the expectations) with the people
    their `fields` name, taken from the pair's two members rather than joined in; anyone else
    (staff who planned a meeting) in one more query."""
    rows = list(rows)
    people = {member.pk: member for member in (match.mentor.member, match.mentee.member)}
    others = {getattr(row, f"{field}_id") for row in rows for field in fields}
    others -= {None, *people}
    if others:
        people.update(get_user_model().objects.in_bulk(others))
    for row in rows:
        for field in fields:
            setattr(row, field, people.get(getattr(row, f"{field}_id")))
    return rows


def pair_expectations(match: Match) -> Expectations | None:
    """The pair's expectations, if written, with who acknowledged them. Read with the pair
    when it was selected with them."""
    expectations = getattr(match, "expectations", None)
    if expectations is not None:
        attach_people(match, [expectations], fields=("acknowledged_by",))
    return expectations


def pair_today(match: Match, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), pair_zone(match))


def meeting_editable_until(meeting: Meeting) -> datetime | None:
    """Until when the member who logged a meeting may change or delete the log."""
    if meeting.logged_at is None:
        return None
    return meeting.logged_at + timedelta(days=settings.MEETING_LOG_EDIT_DAYS)


# ---------------------------------------------------------------------------------------------
# The hour ledger
# ---------------------------------------------------------------------------------------------


def _minutes_by_match_and_month(
    match_ids: Iterable[int] | QuerySet, *, confirmed_only: bool = False
) -> dict[int, dict[date, int]]:
    """Held minutes per pair and month. `match_ids` may be a queryset of ids: a subquery then,
    so that any number of pairs stays within the database's parameter limit. With
    `confirmed_only`, only the meetings the partner confirmed count (what a certificate uses)."""
    if not isinstance(match_ids, QuerySet):
        match_ids = list(match_ids)
    meetings = Meeting.objects.confirmed() if confirmed_only else Meeting.objects.held()
    rows = (
        meetings.filter(match_id__in=match_ids)
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


def _ledger(match: Match, minutes_by_month: dict[date, int], now: datetime | None) -> Ledger:
    cohort = match.cohort
    ended_on = (
        timezone.localdate(match.ended_at, pair_zone(match))
        if match.status == Match.Status.ENDED and match.ended_at
        else None
    )
    start, required_total = ledger_start(match)
    return ledger_compute(
        period_start=start,
        period_end=cohort.period_end,
        required_total_minutes=required_total,
        required_monthly_minutes=hours_to_minutes(cohort.min_monthly_hours),
        minutes_by_month=minutes_by_month,
        today=pair_today(match, now),
        ended_on=ended_on,
    )


def ledger_start(match: Match) -> tuple[date, int]:
    """Where a pair's ledger starts, and the total minutes it asks for.

    A pair made mid-period (a rematch: `Match.starts_on`) counts from that day: its months are
    those left, and the total commitment shrinks in proportion (rounded up to the minute), so it
    is judged on the time it had. The hours of the pair before it stay in that pair's record.
    """
    cohort = match.cohort
    total = hours_to_minutes(cohort.min_total_hours)
    if match.starts_on is None or match.starts_on <= cohort.period_start:
        return cohort.period_start, total
    start = min(match.starts_on, cohort.period_end)
    months = len(months_between(cohort.period_start, cohort.period_end))
    left = len(months_between(start, cohort.period_end))
    return start, math.ceil(total * left / months)


def ledger_for(match: Match, *, now: datetime | None = None, through: date | None = None) -> Ledger:
    """The ledger of one pair: one query.

    With `through` (the first day of a month), only the minutes of that month and the months
    before it count: the ledger as it stood when that month ended, whatever was logged since.
    """
    minutes = _minutes_by_match_and_month([match.pk]).get(match.pk, {})
    if through is not None:
        minutes = {month: total for month, total in minutes.items() if month <= through}
    return _ledger(match, minutes, now)


def ledger_of_meetings(
    match: Match, meetings: Iterable[Meeting], *, now: datetime | None = None
) -> Ledger:
    """The ledger of one pair from its meetings already read (the workspace reads them all for
    its lists): the sums `ledger_for` asks the database for, without the query."""
    minutes: dict[date, int] = defaultdict(int)
    for meeting in meetings:
        if meeting.status == Meeting.Status.HELD:
            minutes[meeting.held_on.replace(day=1)] += meeting.duration_minutes
    return _ledger(match, dict(minutes), now)


def ledgers_for(
    matches: Iterable[Match] | QuerySet[Match],
    *,
    now: datetime | None = None,
    confirmed_only: bool = False,
    through: date | None = None,
) -> dict[int, Ledger]:
    """The ledgers of many pairs in two queries at most (the matches need cohort and mentee
    profile). A queryset's minutes are read through a subquery, however many pairs it holds.
    With `confirmed_only`, only meetings the partner confirmed count; `through` as in
    `ledger_for`."""
    if isinstance(matches, QuerySet):
        minutes = _minutes_by_match_and_month(matches.values("pk"), confirmed_only=confirmed_only)
    else:
        matches = list(matches)
        minutes = _minutes_by_match_and_month(
            (m.pk for m in matches), confirmed_only=confirmed_only
        )
    if through is not None:
        minutes = {
            pk: {month: total for month, total in months.items() if month <= through}
            for pk, months in minutes.items()
        }
    return {m.pk: _ledger(m, minutes.get(m.pk, {}), now) for m in matches}


# ---------------------------------------------------------------------------------------------
# Staff oversight
# ---------------------------------------------------------------------------------------------


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
# Resources, orientation and calendars
# ---------------------------------------------------------------------------------------------


RESOURCE_LISTS_SECONDS = 24 * 60 * 60


def resources_for(match: Match, role: str) -> list[Resource]:
    """The cohort's resources for the member's role; staff viewing a pair see the mentee's.

    Kept in the cache per cohort and role under the cohort's `resources_changed_at`, which
    every change to a resource moves on: a list is never served after a change, in any process.
    """
    role = role if role in {"mentor", "mentee"} else "mentee"
    cohort = match.cohort
    key = f"resources:{cohort.pk}:{role}:{cohort.resources_changed_at.timestamp()}"
    resources = cache.get(key)
    if resources is None:
        resources = Resource.objects.for_participant(cohort=cohort, role=role).in_program_order()
        cache.set(key, resources, RESOURCE_LISTS_SECONDS)
    return resources


def orientation_events(cohorts: Iterable[Cohort]) -> list[CalendarEvent]:
    return [orientation_event(cohort) for cohort in cohorts if cohort.orientation_at]


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
