"""One pair's workspace and meeting history, written through the same services members use."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from core.dates import month_after
from matching.models import Match
from meetings.models import Goal, Meeting
from meetings.selectors import pair_zone
from meetings.services import (
    action_item_add,
    action_item_set_done,
    expectations_acknowledge,
    expectations_save,
    goal_comment_add,
    goal_save,
    meeting_confirm,
    meeting_log,
    meeting_plan,
)

DEMO_TOPICS = (
    "Introductions, goals for the mentorship, how we will work together.",
    "Residency programs: what to look for, how to read the match statistics.",
    "CV review and the letter of intent.",
    "A day in ambulatory care practice; precepting students.",
    "Interview preparation and questions to ask programs.",
    "Looking back on the six months; what comes next.",
)


def seed_meetings(
    match: Match,
    minutes: list[int],
    *,
    now: datetime,
    offset: int = 0,
    last_unconfirmed: bool = False,
) -> None:
    """One meeting a month with the given minutes, from the period's first month, never in the
    future; logged alternately by the mentee and the mentor, confirmed by the other."""
    zone = pair_zone(match)
    month = match.cohort.period_start
    logged = []
    for index, length in enumerate(minutes):
        day = month + timedelta(days=7 + offset % 14)
        starts_at = datetime.combine(day, time(17 + offset % 3), tzinfo=zone)
        if length and starts_at + timedelta(minutes=length) < now:
            author, partner = (
                (match.mentee.member, match.mentor.member)
                if index % 2 == 0
                else (match.mentor.member, match.mentee.member)
            )
            meeting = meeting_log(
                match=match,
                user=author,
                starts_at=starts_at,
                duration_minutes=length,
                format=Meeting.Format.VIDEO if index % 3 else Meeting.Format.PHONE,
                topics=DEMO_TOPICS[index % len(DEMO_TOPICS)],
                next_steps="Draft the next action items before the next meeting.",
                now=starts_at + timedelta(hours=length // 60 + 2),
            )
            logged.append((meeting, partner))
        month = month_after(month)
    for position, (meeting, partner) in enumerate(logged):
        if last_unconfirmed and position == len(logged) - 1:
            break
        meeting_confirm(meeting=meeting, user=partner, now=meeting.logged_at + timedelta(days=1))


def seed_planned_meeting(match: Match, *, now: datetime) -> None:
    """The mentee's next meeting, planned for six days from now if the period still runs."""
    starts_at = datetime.combine(
        timezone.localdate(now) + timedelta(days=6), time(18), tzinfo=pair_zone(match)
    )
    if starts_at.date() <= match.cohort.period_end:
        meeting_plan(
            match=match,
            user=match.mentee.member,
            starts_at=starts_at,
            duration_minutes=60,
            agenda="Review my CV before residency applications; plan the poster for the "
            "midyear meeting.",
            video_link="https://meet.example.org/demo-pair",
            now=now,
        )


def seed_workspace(match: Match) -> None:
    """The demo pair's expectations, goals, action plan and a comment from the mentor."""
    mentee, mentor = match.mentee.member, match.mentor.member
    expectations_save(
        match=match,
        user=mentee,
        meeting_plan="A one-hour video call in the second week of each month, planned a week "
        "ahead.",
        communication="Email between meetings; we answer within three working days.",
        other="What we discuss stays between us.",
    )
    expectations_acknowledge(match=match, user=mentor)
    cv = goal_save(
        match=match,
        user=mentee,
        title="Strengthen my residency application",
        description="A CV and letter of intent ready for the ASHP Midyear match.",
        target_date=match.cohort.period_start + timedelta(days=100),
        status=Goal.Status.IN_PROGRESS,
    )
    for title, done in (
        ("Send my CV draft", True),
        ("Rewrite the letter of intent", False),
        ("Mock interview", False),
    ):
        item = action_item_add(goal=cv, user=mentee, title=title)
        if done:
            action_item_set_done(item=item, user=mentee, done=True)
    goal_comment_add(
        goal=cv,
        user=mentor,
        body="Your CV reads well. Lead with the ambulatory care rotation; it is your strongest.",
    )
    goal_save(
        match=match,
        user=mentee,
        title="Choose a practice area to pursue",
        status=Goal.Status.NOT_STARTED,
    )
