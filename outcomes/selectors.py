"""Reads of the outcomes app: survey participation, results and the pairs a low answer flags.

Results never join an anonymous survey's answers to invitations: participation (who was asked,
who answered, by role) comes from `Invitation`, the answers from `Response`/`Answer` alone.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .charts import Chart, rows_chart
from .models import Answer, Invitation, Question, Response, Role, Survey

LOW_SATISFACTION = 2  # 1 or 2 on the 1-to-5 scale


def invitations_for_user(user, *, now: datetime | None = None) -> QuerySet[Invitation]:
    """A member's own invitations that have opened, the open ones first."""
    now = now or timezone.now()
    return (
        Invitation.objects.filter(user=user, opens_at__lte=now)
        .select_related("survey__cohort", "meeting")
        .order_by("-closes_at", "-pk")
    )


# ---------------------------------------------------------------------------------------------
# Results for staff
# ---------------------------------------------------------------------------------------------


@dataclass
class RoleRate:
    role: str
    invited: int
    responded: int

    @property
    def percent(self) -> int:
        return round(100 * self.responded / self.invited) if self.invited else 0


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    mean: float | None = None
    chart: Chart | None = None
    texts: list[str] = field(default_factory=list)


def response_rates(survey: Survey) -> list[RoleRate]:
    rows = {
        role: (invited, responded)
        for role, invited, responded in survey.invitations.values_list("role")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    }
    rates = [RoleRate(label, *rows.get(value, (0, 0))) for value, label in Role.choices]
    rates.append(RoleRate("All", sum(r.invited for r in rates), sum(r.responded for r in rates)))
    return rates


def _number_rows(question: Question, counts: Counter) -> list[tuple[str, int]]:
    low, high = (1, 5) if question.kind == Question.Kind.SCALE else (0, 10)
    return [(str(n), counts[n]) for n in range(low, high + 1)]


def survey_results(survey: Survey) -> list[QuestionResult]:
    """Each question's distribution (a chart and its numbers), the mean of a scale or a
    recommend question, and the free-text answers, in an order that says nothing of who wrote
    them (by the responses' random ids). Two queries whatever the number of answers."""
    questions = list(survey.questions.all())
    answers = Answer.objects.filter(question__survey=survey).order_by("response_id", "question_id")
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers.only("question_id", "number", "choices", "text"):
        by_question[answer.question_id].append(answer)
    results = []
    for question in questions:
        given = by_question[question.pk]
        result = QuestionResult(question=question, answered=len(given))
        if question.kind in {Question.Kind.SCALE, Question.Kind.RECOMMEND}:
            numbers = [a.number for a in given if a.number is not None]
            result.mean = round(sum(numbers) / len(numbers), 1) if numbers else None
            result.chart = rows_chart(
                title=question.text, rows=_number_rows(question, Counter(numbers))
            )
        elif question.kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE}:
            counts = Counter(choice for a in given for choice in a.choices)
            labels = question.choice_list + sorted(set(counts) - set(question.choice_list))
            result.chart = rows_chart(
                title=question.text, rows=[(label, counts[label]) for label in labels]
            )
        else:
            result.texts = [a.text for a in given if a.text]
        results.append(result)
    return results


def survey_export_rows(survey: Survey) -> list[list]:
    """The answers as spreadsheet rows, one per response. Confidential: who answered, by name.
    Anonymous: no name, no time, in the order of the responses' random ids."""
    questions = list(survey.questions.all())
    responses = Response.objects.filter(survey=survey).prefetch_related("answers").order_by("id")
    if not survey.is_anonymous:
        responses = responses.select_related("invitation__user").order_by(
            "invitation__user__last_name", "invitation__user__first_name", "id"
        )
    people = [] if survey.is_anonymous else ["name", "email", "role", "answered_at"]
    rows: list[list] = [[*people, *(q.text for q in questions)]]
    for response in responses:
        answers = {a.question_id: a for a in response.answers.all()}
        row: list = []
        if not survey.is_anonymous:
            invitation = response.invitation
            row = [
                invitation.user.display_name,
                invitation.user.email,
                invitation.role,
                timezone.localtime(invitation.responded_at).isoformat(timespec="minutes"),
            ]
        for question in questions:
            answer = answers.get(question.pk)
            row.append(_cell(answer))
        rows.append(row)
    return rows


def _cell(answer: Answer | None) -> object:
    if answer is None:
        return ""
    if answer.number is not None:
        return answer.number
    if answer.choices:
        return "; ".join(answer.choices)
    return answer.text


# ---------------------------------------------------------------------------------------------
# Flags: a low "how satisfied are you with your match?" in a confidential survey
# ---------------------------------------------------------------------------------------------


def low_satisfaction_answers() -> QuerySet[Answer]:
    return Answer.objects.filter(
        question__measures_match_satisfaction=True,
        question__kind=Question.Kind.SCALE,
        number__lte=LOW_SATISFACTION,
        response__survey__privacy=Survey.Privacy.CONFIDENTIAL,
        response__invitation__match__isnull=False,
    )


def low_satisfaction_pair_ids() -> QuerySet:
    """The flagged pairs' ids, as a subquery (`pk__in=`)."""
    return low_satisfaction_answers().values("response__invitation__match_id")
