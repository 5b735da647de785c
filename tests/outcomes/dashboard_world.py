"""A cohort with something in every corner of the dashboard, for the dashboard's tests.

The pilot calendar (October 2026 to March 2027), on December 10, 2026: October and November
are over, December is under way. Built with the shared factories plus a few rows of our own.
"""

import zoneinfo
from datetime import date, datetime, timedelta

from django.utils import timezone

from outcomes.models import Answer, Certificate, Invitation, Question, Response, Survey
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ActiveCohortFactory,
    ApplicationFactory,
    MeetingFactory,
    PairFactory,
)

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = datetime(2026, 12, 10, 12, tzinfo=DENVER)
RELEASED = datetime(2026, 9, 28, 9, tzinfo=DENVER)


def meeting(pair, day: date, minutes: int = 60, **extra):
    return MeetingFactory(
        match=pair,
        starts_at=datetime(day.year, day.month, day.day, 17, tzinfo=DENVER),
        duration_minutes=minutes,
        **extra,
    )


def survey(cohort, *, title: str, privacy: str = "confidential", point: str = "end"):
    made = Survey.objects.create(cohort=cohort, title=title, point=point, privacy=privacy)
    question = Question.objects.create(
        survey=made,
        text="How satisfied are you with your match?",
        kind=Question.Kind.SCALE,
        measures_match_satisfaction=True,
    )
    return made, question


def invite(survey_, application, *, answer: int | None = None, question=None):
    """An invitation; with `answer`, answered (for an anonymous survey, apart from it)."""
    invitation = Invitation.objects.create(
        survey=survey_,
        user=application.member,
        role=application.role,
        opens_at=NOW - timedelta(days=5),
        closes_at=NOW + timedelta(days=10),
        responded_at=NOW if answer is not None else None,
    )
    if answer is not None:
        response = Response.objects.create(
            survey=survey_, invitation=None if survey_.is_anonymous else invitation
        )
        Answer.objects.create(response=response, question=question, number=answer)
    return invitation


def certificate(pair, role: str, *, revoked: bool = False) -> Certificate:
    application = pair.mentor if role == "mentor" else pair.mentee
    return Certificate.objects.create(
        cohort=pair.cohort,
        match=pair,
        user=application.member,
        role=role,
        name=str(application.member),
        program="Guided Mentorship Program",
        cohort_name=pair.cohort.name,
        period_start=pair.cohort.period_start,
        period_end=pair.cohort.period_end,
        confirmed_minutes=360,
        meetings=6,
        issued_at=timezone.now(),
        revoked_at=timezone.now() if revoked else None,
    )


def build_world(cohort=None, *, extra_pairs: int = 0) -> dict:
    """Every state the funnel, the ledger and the surveys know, in one cohort."""
    cohort = cohort or ActiveCohortFactory()
    mentor = AcceptedMentorFactory(cohort=cohort, mentee_capacity=2)
    on_track = PairFactory(
        cohort=cohort, mentor=mentor, mentor_capacity=2, score=81.5, notified_at=RELEASED
    )
    at_risk = PairFactory(
        cohort=cohort,
        mentor=mentor,
        mentor_slot=2,
        mentor_capacity=2,
        score=64,
        notified_at=RELEASED,
    )
    ended = PairFactory(
        cohort=cohort,
        status="ended",
        ended_at=datetime(2026, 11, 15, 12, tzinfo=DENVER),
        score=43.25,
        notified_at=RELEASED,
        mentor_slot=None,
        mentor_capacity=None,
    )
    unreleased = PairFactory(cohort=cohort, notified_at=None, score=99)
    # A proposal nobody approved, and a rejected one: no one is matched by them.
    PairFactory(cohort=cohort, status="proposed", mentor_slot=None, mentor_capacity=None)
    PairFactory(cohort=cohort, status="rejected", mentor_slot=None, mentor_capacity=None)
    # Accepted and unmatched, a draft, a withdrawn one that was submitted, a declined one.
    AcceptedFactory(cohort=cohort)
    AcceptedMentorFactory(cohort=cohort)
    ApplicationFactory(cohort=cohort, status="draft", submitted_at=None)
    ApplicationFactory(cohort=cohort, role="mentor", status="withdrawn")
    ApplicationFactory(cohort=cohort, status="declined")
    ApplicationFactory(cohort=cohort, status="waitlisted")

    for day in (date(2026, 10, 8), date(2026, 11, 5), date(2026, 12, 3)):
        meeting(on_track, day)
    meeting(at_risk, date(2026, 10, 20), minutes=30)
    meeting(at_risk, date(2026, 11, 20), status="planned")  # planned, never held: not counted
    meeting(ended, date(2026, 10, 9), minutes=90)
    meeting(ended, date(2026, 11, 2), minutes=45)

    extra = []
    for i in range(extra_pairs):
        pair = PairFactory(cohort=cohort, score=50 + i % 50, notified_at=RELEASED)
        meeting(pair, date(2026, 10, 1 + i % 28), minutes=60 + i % 3 * 15)
        extra.append(pair)

    midpoint, satisfied = survey(cohort, title="Midpoint check-in", point="end")
    invite(midpoint, on_track.mentee, answer=4, question=satisfied)
    invite(midpoint, on_track.mentor, answer=2, question=satisfied)
    invite(midpoint, at_risk.mentee)
    anonymous, anonymous_question = survey(cohort, title="End of program", privacy="anonymous")
    for application, answer in ((on_track.mentee, 5), (at_risk.mentee, 3), (mentor, 4)):
        invite(anonymous, application, answer=answer, question=anonymous_question)

    certificate(on_track, "mentee")
    certificate(on_track, "mentor", revoked=True)
    return {
        "cohort": cohort,
        "on_track": on_track,
        "at_risk": at_risk,
        "ended": ended,
        "unreleased": unreleased,
        "midpoint": midpoint,
        "anonymous": anonymous,
        "anonymous_question": anonymous_question,
        "extra": extra,
    }
