"""The program dashboard's numbers: one cohort's, or many cohorts' side by side.

`cohort_reports` computes everything the staff dashboard and `manage.py program_report` show,
in the same few queries whatever the number of cohorts, pairs or answers:

- the funnel: people (applications: one per member and cohort) by role who started an
  application, submitted it, were accepted, matched (an approved match, released or not),
  released (told of their match), are active (in a released match that has not ended) and
  completed (hold a certificate that is not revoked);
- released pairs: their hour ledgers, computed by `meetings.selectors.ledgers_for` (minutes per
  pair and month summed by the database), so each pair's status is the one the pair list in
  admin shows; hours by month and the status counts come from those ledgers;
- match scores of the released pairs, and their distribution in bands of ten points;
- surveys: invited and responded (from invitations, by role), and the mean answer to the
  questions that measure satisfaction with the match, an aggregate only; for an anonymous survey
  the mean is withheld until enough people answered that no one answer can be told apart;
- certificates issued and revoked.

`CohortReport.as_json()` is the shape `program_report --json` prints (see PRODUCT.md).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from applications.models import Application
from cohorts.models import Cohort
from core.dates import months_between
from matching.models import Match
from meetings.ledger import LedgerStatus
from meetings.selectors import ledgers_for, pair_zone

from .models import Answer, Certificate, Invitation, Question, Role, Survey

FUNNEL_STAGES = [
    ("started", "Started an application"),
    ("submitted", "Submitted it"),
    ("accepted", "Accepted"),
    ("matched", "Matched"),
    ("released", "Told of their match"),
    ("active", "In a pair now"),
    ("completed", "Completed (certificate)"),
]
ROLES = [Role.MENTEE, Role.MENTOR]
SCORE_BAND = 10
# An anonymous survey's mean answer is shown only once this many people answered: with fewer,
# the mean and the list of who responded could tell one person's answer.
ANONYMOUS_MIN_ANSWERS = 5


@dataclass
class MonthHours:
    month: date  # the first day of the month
    pairs: int = 0  # released pairs in the program that month
    met_minimum: int = 0
    short: int = 0  # met, but less than the monthly minimum
    none: int = 0  # no meeting at all
    minutes: int = 0
    in_progress: bool = False  # this month, not over yet

    def as_json(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "pairs": self.pairs,
            "met_minimum": self.met_minimum,
            "short": self.short,
            "none": self.none,
            "minutes": self.minutes,
            "in_progress": self.in_progress,
        }


@dataclass
class ScoreSummary:
    count: int = 0
    mean: float | None = None
    min: float | None = None
    max: float | None = None
    # (lowest score of the band, pairs): 0-10, 10-20, ..., 90-100 (100 counts in the last).
    bands: list[tuple[int, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "mean": self.mean,
            "min": self.min,
            "max": self.max,
            "histogram": [
                {"from": low, "to": low + SCORE_BAND, "pairs": n} for low, n in self.bands
            ],
        }


@dataclass
class SurveyResult:
    title: str
    audience: str
    privacy: str
    point: str
    invited: dict[str, int]  # by role
    responded: dict[str, int]
    # The mean answer to its match-satisfaction questions and how many answers it averages.
    satisfaction_mean: float | None = None
    satisfaction_answers: int = 0
    satisfaction_out_of: int = 5
    satisfaction_withheld: bool = False  # anonymous and too few answers to show a mean

    @property
    def invited_total(self) -> int:
        return sum(self.invited.values())

    @property
    def responded_total(self) -> int:
        return sum(self.responded.values())

    @property
    def response_rate(self) -> int | None:
        """Percent, rounded down; None when nobody was invited."""
        if not self.invited_total:
            return None
        return self.responded_total * 100 // self.invited_total

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "audience": self.audience,
            "privacy": self.privacy,
            "point": self.point,
            "invited": self.invited_total,
            "responded": self.responded_total,
            "by_role": {
                role: {"invited": self.invited[role], "responded": self.responded[role]}
                for role in Role.values
            },
            "satisfaction": None
            if self.satisfaction_mean is None
            else {
                "mean": self.satisfaction_mean,
                "answers": self.satisfaction_answers,
                "out_of": self.satisfaction_out_of,
            },
            "satisfaction_withheld": self.satisfaction_withheld,
        }


@dataclass
class CohortReport:
    cohort: Cohort
    funnel: dict[str, dict[str, int]]  # role -> stage -> people
    hours_by_month: list[MonthHours]
    pair_status: dict[str, int]  # LedgerStatus value -> released pairs
    match_scores: ScoreSummary
    surveys: list[SurveyResult]
    certificates: dict[str, int]

    @property
    def pairs(self) -> int:
        return sum(self.pair_status.values())

    def as_json(self) -> dict:
        return {
            "cohort": self.cohort.slug,
            "name": self.cohort.name,
            "period": {
                "start": self.cohort.period_start.isoformat(),
                "end": self.cohort.period_end.isoformat(),
            },
            "funnel": self.funnel,
            "hours_by_month": [month.as_json() for month in self.hours_by_month],
            "pair_status": self.pair_status,
            "match_scores": self.match_scores.as_json(),
            "surveys": [survey.as_json() for survey in self.surveys],
            "certificates": self.certificates,
        }


def cohort_report(cohort: Cohort, *, now: datetime | None = None) -> CohortReport:
    return cohort_reports([cohort], now=now)[0]


def cohort_reports(cohorts: Iterable[Cohort], *, now: datetime | None = None) -> list[CohortReport]:
    """The reports of the cohorts given, in their order: nine queries however many."""
    cohorts = list(cohorts)
    now = now or timezone.now()
    ids = [cohort.pk for cohort in cohorts]
    funnels = _funnels(ids)
    pairs = _pairs(cohorts, now)
    surveys = _surveys(ids)
    certificates = _certificates(ids)
    return [
        CohortReport(
            cohort=cohort,
            funnel=funnels[cohort.pk],
            hours_by_month=pairs[cohort.pk]["hours"],
            pair_status=pairs[cohort.pk]["status"],
            match_scores=pairs[cohort.pk]["scores"],
            surveys=surveys.get(cohort.pk, []),
            certificates=certificates[cohort.pk],
        )
        for cohort in cohorts
    ]


# ---------------------------------------------------------------------------------------------
# The funnel
# ---------------------------------------------------------------------------------------------


def _funnels(ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    funnels = {pk: {role: {stage: 0 for stage, _ in FUNNEL_STAGES} for role in ROLES} for pk in ids}
    applications = (
        Application.objects.filter(cohort_id__in=ids)
        .values("cohort_id", "role")
        .annotate(
            started=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            accepted=Count("pk", filter=Q(status=Application.Status.ACCEPTED)),
        )
        .order_by()
    )
    for row in applications:
        if row["role"] in Role.values:
            funnel = funnels[row["cohort_id"]][row["role"]]
            for stage in ("started", "submitted", "accepted"):
                funnel[stage] = row[stage]

    # People, not pairs: a mentor with two mentees counts once.
    paired = Q(status=Match.Status.APPROVED) | Q(
        status=Match.Status.ENDED, notified_at__isnull=False
    )
    released = Q(status__in=[Match.Status.APPROVED, Match.Status.ENDED], notified_at__isnull=False)
    active = Q(status=Match.Status.APPROVED, notified_at__isnull=False)
    stages = {"matched": paired, "released": released, "active": active}
    matches = (
        Match.objects.filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(
            **{
                f"{role}_{stage}": Count(role, filter=condition, distinct=True)
                for role in Role.values
                for stage, condition in stages.items()
            }
        )
        .order_by()
    )
    for row in matches:
        for role in Role.values:
            for stage in stages:
                funnels[row["cohort_id"]][role][stage] = row[f"{role}_{stage}"]

    completed = (
        Certificate.objects.valid()
        .filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(
            mentor=Count("match__mentor", filter=Q(role=Role.MENTOR), distinct=True),
            mentee=Count("match__mentee", filter=Q(role=Role.MENTEE), distinct=True),
        )
        .order_by()
    )
    for row in completed:
        for role in Role.values:
            funnels[row["cohort_id"]][role]["completed"] = row[role]
    return funnels


# ---------------------------------------------------------------------------------------------
# Released pairs: hours by month, statuses, match scores
# ---------------------------------------------------------------------------------------------


def _pairs(cohorts: list[Cohort], now: datetime) -> dict[int, dict]:
    """Hours by month, status counts and scores of each cohort's released pairs: two queries,
    the pairs and their minutes per month (a subquery of the same pairs)."""
    today = timezone.localdate(now)
    result: dict[int, dict] = {}
    months: dict[int, dict[date, MonthHours]] = {}
    scores: dict[int, list[float]] = {}
    for cohort in cohorts:
        this_month = today.replace(day=1)
        period = months_between(cohort.period_start, cohort.period_end)
        months[cohort.pk] = {
            month: MonthHours(month=month, in_progress=month == this_month)
            for month in period
            if month <= this_month
        }
        scores[cohort.pk] = []
        result[cohort.pk] = {"status": dict.fromkeys(LedgerStatus.values, 0)}

    pairs = (
        Match.objects.released()
        .filter(cohort__in=cohorts)
        .select_related("cohort", "mentee__member__profile")
        .only(
            "cohort",
            "status",
            "score",
            "notified_at",
            "ended_at",
            "starts_on",
            "mentee",
            "cohort__period_start",
            "cohort__period_end",
            "cohort__min_total_hours",
            "cohort__min_monthly_hours",
            "mentee__member",
            "mentee__member__profile__time_zone",
        )
        .order_by()
    )
    ledgers = ledgers_for(pairs, now=now)
    for pair in pairs:
        ledger = ledgers[pair.pk]
        result[pair.cohort_id]["status"][ledger.status] += 1
        scores[pair.cohort_id].append(float(pair.score))
        zone = pair_zone(pair)
        first = timezone.localdate(pair.notified_at, zone).replace(day=1)
        last = (
            timezone.localdate(pair.ended_at, zone).replace(day=1)
            if pair.status == Match.Status.ENDED and pair.ended_at
            else None
        )
        for row in ledger.months:
            counted = months[pair.cohort_id].get(row.month)
            # A pair counts in the months it existed: from its release to its end.
            if counted is None or row.month < first or (last and row.month > last):
                continue
            counted.pairs += 1
            counted.minutes += row.minutes
            if row.minutes == 0:
                counted.none += 1
            elif row.minutes >= row.required:
                counted.met_minimum += 1
            else:
                counted.short += 1

    for pk, data in result.items():
        data["hours"] = list(months[pk].values())
        data["scores"] = _score_summary(scores[pk])
    return result


def _score_summary(scores: list[float]) -> ScoreSummary:
    bands = [[low, 0] for low in range(0, 100, SCORE_BAND)]
    for score in scores:
        bands[min(int(score // SCORE_BAND), len(bands) - 1)][1] += 1
    if not scores:
        return ScoreSummary(bands=[tuple(band) for band in bands])
    return ScoreSummary(
        count=len(scores),
        mean=round(sum(scores) / len(scores), 2),
        min=min(scores),
        max=max(scores),
        bands=[tuple(band) for band in bands],
    )


# ---------------------------------------------------------------------------------------------
# Surveys and certificates
# ---------------------------------------------------------------------------------------------


def _surveys(ids: list[int]) -> dict[int, list[SurveyResult]]:
    """Response counts and satisfaction per survey: three queries, aggregates only."""
    surveys = Survey.objects.filter(cohort_id__in=ids).only(
        "cohort", "title", "audience", "privacy", "point", "opens_on"
    )
    participation: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: {stage: dict.fromkeys(Role.values, 0) for stage in ("invited", "responded")}
    )
    rows = (
        Invitation.objects.filter(survey__cohort_id__in=ids)
        .values("survey_id", "role")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    )
    for row in rows:
        if row["role"] in Role.values:
            counts = participation[row["survey_id"]]
            counts["invited"][row["role"]] = row["invited"]
            counts["responded"][row["role"]] = row["responded"]

    # Sums and counts by survey and kind of scale, never a row per answer.
    satisfaction: dict[tuple[int, str], tuple[int, int]] = {}
    for row in (
        Answer.objects.filter(
            question__survey__cohort_id__in=ids,
            question__measures_match_satisfaction=True,
            question__kind__in=[Question.Kind.SCALE, Question.Kind.RECOMMEND],
            number__isnull=False,
        )
        .values("question__survey_id", "question__kind", "number")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (row["question__survey_id"], row["question__kind"])
        total, n = satisfaction.get(key, (0, 0))
        satisfaction[key] = (total + row["number"] * row["n"], n + row["n"])

    result: dict[int, list[SurveyResult]] = defaultdict(list)
    for survey in surveys:
        counts = participation[survey.pk]
        item = SurveyResult(
            title=survey.title,
            audience=survey.audience,
            privacy=survey.privacy,
            point=survey.point,
            invited=counts["invited"],
            responded=counts["responded"],
        )
        # The 1-5 scale when the survey asks on it, else the 0-10 one.
        for kind, out_of in ((Question.Kind.SCALE, 5), (Question.Kind.RECOMMEND, 10)):
            total, n = satisfaction.get((survey.pk, kind), (0, 0))
            if not n:
                continue
            if survey.is_anonymous and n < ANONYMOUS_MIN_ANSWERS:
                item.satisfaction_withheld = True
            else:
                item.satisfaction_mean = round(total / n, 2)
                item.satisfaction_answers = n
                item.satisfaction_out_of = out_of
            break
        result[survey.cohort_id].append(item)
    return result


def _certificates(ids: list[int]) -> dict[int, dict[str, int]]:
    counts = {pk: {"issued": 0, "revoked": 0, "valid": 0} for pk in ids}
    for row in (
        Certificate.objects.filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(issued=Count("pk"), revoked=Count("pk", filter=Q(revoked_at__isnull=False)))
        .order_by()
    ):
        counts[row["cohort_id"]] = {
            "issued": row["issued"],
            "revoked": row["revoked"],
            "valid": row["issued"] - row["revoked"],
        }
    return counts
