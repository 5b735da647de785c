"""The demo's surveys: the completed cohort's answered, the active cohort's midpoint open.

Every cohort gets the standard surveys. The completed cohort's members answered both (through
the same service members use, at the time they would have); in the active cohort the midpoint
check-in is open now, some members have answered (one unhappy with the match, which flags the
pair for staff), and `mentee@demo.test` has not.
"""

from datetime import datetime, timedelta

from cohorts.models import Cohort
from matching.models import Match
from outcomes.models import Invitation, Question, Response, Survey
from outcomes.surveys import (
    invitations_to_email,
    survey_invitation_send,
    survey_invitations_create,
    survey_opens_at,
    survey_response_save,
    surveys_add_standard,
)

TEXTS = [
    "Meeting by video made it easy to keep to the schedule.",
    "More structure for the first meeting would help.",
    "My mentor's advice on residency interviews was invaluable.",
    "",
    "A shared calendar reminder for both of us each month.",
]


def _answers(questions: list[Question], index: int, *, unhappy: bool = False) -> dict:
    """Varied, deterministic answers for the `index`-th member."""
    answers = {}
    for question in questions:
        if question.kind == Question.Kind.SCALE:
            answers[question.pk] = 2 if unhappy else [5, 4, 4, 3, 5][index % 5]
        elif question.kind == Question.Kind.RECOMMEND:
            answers[question.pk] = [10, 9, 8, 7, 9, 6][index % 6]
        elif question.kind == Question.Kind.SINGLE:
            choices = question.choice_list
            answers[question.pk] = choices[index % min(3, len(choices))]
        elif question.kind == Question.Kind.MULTIPLE:
            choices = question.choice_list
            answers[question.pk] = sorted({choices[index % len(choices)], choices[0]})
        else:
            answers[question.pk] = TEXTS[index % len(TEXTS)]
    return answers


def _answered_invitations(survey: Survey, pairs: list[Match]) -> None:
    """Every member of the pairs invited to the (past) survey, and all but one answered."""
    opens_at = survey_opens_at(survey)
    closes_at = opens_at + timedelta(days=survey.open_days)
    questions = list(survey.questions.all())
    if not Invitation.objects.filter(survey=survey).exists():
        # Seeding again made the cohort's pairs afresh, and their invitations went with them;
        # an anonymous survey's answers, tied to no invitation, stayed behind. Start over.
        Response.objects.filter(survey=survey, invitation=None).delete()
    people = [
        (role, application.member, match)
        for match in pairs
        for role, application in (("mentee", match.mentee), ("mentor", match.mentor))
    ]
    for index, (role, user, match) in enumerate(people):
        invitation, _ = Invitation.objects.get_or_create(
            survey=survey,
            user=user,
            meeting=None,
            defaults={
                "match": match,
                "role": role,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "invited_at": opens_at,
            },
        )
        if invitation.responded_at is None and index != len(people) - 1:
            survey_response_save(
                invitation_id=invitation.pk,
                answers=_answers(questions, index),
                now=opens_at + timedelta(days=1 + index % 5),
            )


def seed_surveys(cohorts: dict[str, Cohort], *, now: datetime, demo_mentee) -> None:
    for cohort in cohorts.values():
        surveys_add_standard(cohort=cohort)

    completed = cohorts["pilot-completed"]
    pairs = list(Match.objects.for_cohort(completed).released().approved().with_people())
    for survey in Survey.objects.filter(cohort=completed, point__in=["midpoint", "end"]):
        _answered_invitations(survey, pairs)

    # The active cohort's check-in opened a few days ago (staff brought it forward).
    active = cohorts["active"]
    midpoint = Survey.objects.get(cohort=active, point="midpoint", title="Midpoint check-in")
    if midpoint.opens_on != (now - timedelta(days=3)).date():
        midpoint.opens_on = (now - timedelta(days=3)).date()
        midpoint.save(update_fields=["opens_on"])
    survey_invitations_create(now=now)
    for invitation_id in invitations_to_email(now=now):
        survey_invitation_send(invitation_id=invitation_id, now=now)
    questions = list(midpoint.questions.all())
    others = (
        Invitation.objects.filter(survey=midpoint)
        .exclude(match__mentee__member=demo_mentee)
        .exclude(match__mentor__member=demo_mentee)
        .order_by("pk")
    )
    for index, invitation in enumerate(others):
        if index % 3 == 2 or invitation.responded_at is not None:
            continue  # some have not answered yet
        survey_response_save(
            invitation_id=invitation.pk,
            answers=_answers(questions, index, unhappy=index == 0),
            now=now - timedelta(days=1),
        )
