"""Surveys for tests: the pilot cohort's midpoint survey, with one question of each kind."""

from datetime import date

import factory

from outcomes.models import Question, Survey
from tests.factories import ActiveCohortFactory

MIDPOINT_DAY = date(2026, 12, 15)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    cohort = factory.SubFactory(ActiveCohortFactory)
    title = "Midpoint check-in"
    point = Survey.Point.MIDPOINT
    opens_on = MIDPOINT_DAY
    open_days = 21
    audience = Survey.Audience.BOTH
    privacy = Survey.Privacy.CONFIDENTIAL


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    order = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.SCALE


def with_questions(survey: Survey) -> dict[str, Question]:
    """One question of each kind, by kind; the scale one measures match satisfaction."""
    return {
        "scale": QuestionFactory(
            survey=survey,
            text="How satisfied are you with your match?",
            kind="scale",
            measures_match_satisfaction=True,
        ),
        "recommend": QuestionFactory(
            survey=survey, text="How likely are you to recommend it?", kind="recommend"
        ),
        "single": QuestionFactory(
            survey=survey,
            text="How often have you met?",
            kind="single",
            choices="Monthly\nLess often",
        ),
        "multiple": QuestionFactory(
            survey=survey,
            text="What helped?",
            kind="multiple",
            choices="Goals\nMeetings\nResources",
            required=False,
        ),
        "text": QuestionFactory(survey=survey, text="Anything else?", kind="text", required=False),
    }
