"""A cohort's surveys, carried over to the cohort started from it (see
`cohorts.services.cohort_start_next`, which calls `surveys_copy` through its copier hook)."""

from cohorts.models import Cohort
from cohorts.services import a_year_later

from .models import Question, Survey


def surveys_copy(*, source: Cohort, target: Cohort, years: int = 1) -> list[Survey]:
    """Copy `source`'s surveys and their questions to `target`; a midpoint's day moves on by
    `years`. Invitations and answers stay with `source`."""
    copies = []
    for survey in Survey.objects.filter(cohort=source).prefetch_related("questions"):
        copy = Survey.objects.create(
            cohort=target,
            title=survey.title,
            introduction=survey.introduction,
            point=survey.point,
            opens_on=a_year_later(survey.opens_on, years),
            open_days=survey.open_days,
            audience=survey.audience,
            privacy=survey.privacy,
        )
        Question.objects.bulk_create(
            Question(
                survey=copy,
                order=question.order,
                text=question.text,
                help_text=question.help_text,
                kind=question.kind,
                choices=question.choices,
                required=question.required,
                measures_match_satisfaction=question.measures_match_satisfaction,
            )
            for question in survey.questions.all()
        )
        copies.append(copy)
    return copies
