from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import BackgroundGroup
from meetings.models import ActionItem, Expectations, Goal, GoalComment, PairConcern
from outcomes.models import Answer, Certificate, Invitation, Question, Response, Survey
from tests.factories import MeetingFactory, PairFactory


def _survey(cohort, privacy: str) -> Survey:
    survey = Survey.objects.create(
        cohort=cohort, title=f"{privacy} end survey", point="end", privacy=privacy
    )
    Question.objects.create(survey=survey, order=1, text="How was it?", kind="scale")
    Question.objects.create(survey=survey, order=2, text="Anything else?", kind="text")
    return survey


def _answer(survey: Survey, user, match, *, number: int, text: str) -> Response:
    now = timezone.now()
    invitation = Invitation.objects.create(
        survey=survey,
        user=user,
        match=match,
        role="mentee",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
        responded_at=now,
    )
    response = Response.objects.create(
        survey=survey, invitation=invitation if survey.privacy == "confidential" else None
    )
    scale, free = survey.questions.order_by("order")
    Answer.objects.create(response=response, question=scale, number=number)
    Answer.objects.create(response=response, question=free, text=text)
    return response


@pytest.fixture
def pair_with_history(db):
    """A pair of the pilot cohort with everything private the workspace holds: a logged and a
    planned meeting, expectations, a goal with a step and a comment, survey answers (one
    confidential, one anonymous), a certificate, and the mentee's self-identification."""
    pair = PairFactory()
    mentee, mentor = pair.mentee.member, pair.mentor.member
    MeetingFactory(
        match=pair,
        topics="Residency interviews",
        notes="Mentee worried about the match",
        next_steps="Draft a letter",
        agenda="Interviews",
        video_link="https://video.example.test/abc",
    )
    MeetingFactory(match=pair, duration_minutes=90, topics="CV review", notes="Went well")
    Expectations.objects.create(
        match=pair,
        meeting_plan="Monthly video call",
        communication="Email",
        other="Confidential between us",
        updated_at=timezone.now(),
        updated_by=mentee,
    )
    goal = Goal.objects.create(match=pair, title="Get a residency", description="PGY1 in Denver")
    ActionItem.objects.create(goal=goal, title="Write a personal statement")
    GoalComment.objects.create(goal=goal, author=mentor, body="Start with your why")
    PairConcern.objects.create(
        match=pair,
        raised_by=mentee,
        kind=PairConcern.Kind.NOT_RESPONDING,
        words="No answer to three emails",
        created_at=timezone.now(),
    )
    _answer(_survey(pair.cohort, "confidential"), mentee, pair, number=2, text="My mentor is late")
    _answer(_survey(pair.cohort, "anonymous"), mentee, pair, number=4, text="Anonymous words")
    Certificate.objects.create(
        cohort=pair.cohort,
        match=pair,
        user=mentee,
        role="mentee",
        name=mentee.get_full_name(),
        program="Mentorship",
        cohort_name=pair.cohort.name,
        period_start=pair.cohort.period_start,
        period_end=pair.cohort.period_end,
        confirmed_minutes=150,
        meetings=2,
        issued_at=timezone.now(),
    )
    group = BackgroundGroup.objects.order_by("pk").first()
    profile = mentee.profile
    profile.background_groups.set([group])
    profile.use_background_in_matching = True
    profile.save()
    application = pair.mentee
    application.profile_snapshot = {**application.profile_snapshot, "background_groups": [group.pk]}
    application.save()
    return pair
