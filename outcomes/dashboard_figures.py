"""What the dashboard page makes of the numbers in `dashboard.py`: for each figure a chart, the
same numbers in words and in a table, so the page reads the same without the picture (a screen
reader, a printout, a browser without SVG)."""

from dataclasses import dataclass, field

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.safestring import SafeString

from core.text import duration_short_text, hours_text, join_words, month_text
from meetings.ledger import LedgerStatus

from . import charts
from .dashboard import FUNNEL_STAGES, SCORE_BAND, CohortReport, SurveyResult
from .models import Role, Survey

NONE_YET = "\N{EN DASH}"  # a table cell with nothing to show
ROLE_PLURALS = {Role.MENTEE: "Mentees", Role.MENTOR: "Mentors"}
HOURS_SERIES = [
    ("met_minimum", "Met the minimum"),
    ("short", "Met for less"),
    ("none", "Did not meet"),
]


@dataclass
class Cell:
    """A table cell that links somewhere."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class Figure:
    key: str  # the section's id on the page
    title: str
    summary: str
    chart: SafeString | None
    headers: list[str]
    rows: list[list[Cell | str | int]] = field(default_factory=list)
    note: str = ""


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else NONE_YET


# ---------------------------------------------------------------------------------------------
# One cohort
# ---------------------------------------------------------------------------------------------


def cohort_figures(report: CohortReport) -> list[Figure]:
    return [
        funnel_figure(report),
        hours_figure(report),
        status_figure(report),
        scores_figure(report),
        surveys_figure(report),
    ]


def funnel_figure(report: CohortReport) -> Figure:
    funnel = report.funnel
    sentences = []
    for role in (Role.MENTEE, Role.MENTOR):
        n = funnel[role]
        sentences.append(
            f"{ROLE_PLURALS[role]}: {n['started']} started an application, "
            f"{n['submitted']} submitted it, {n['accepted']} were accepted, {n['matched']} "
            f"matched and {n['released']} told of their match; {n['active']} are in a pair now "
            f"and {n['completed']} completed with a certificate."
        )
    labels = [label for _, label in FUNNEL_STAGES]
    return Figure(
        key="funnel",
        title="From application to completion",
        summary=" ".join(sentences),
        chart=charts.bar_chart(
            title="People at each stage, by role",
            description=" ".join(sentences),
            labels=labels,
            series={
                ROLE_PLURALS[role]: [funnel[role][stage] for stage, _ in FUNNEL_STAGES]
                for role in (Role.MENTEE, Role.MENTOR)
            },
            horizontal=True,
            variant="roles",
        ),
        headers=["Stage", "Mentees", "Mentors"],
        rows=[
            [label, funnel[Role.MENTEE][stage], funnel[Role.MENTOR][stage]]
            for stage, label in FUNNEL_STAGES
        ],
        note="People, not pairs: a mentor with two mentees counts once.",
    )


def hours_figure(report: CohortReport) -> Figure:
    months = report.hours_by_month
    minimum = hours_text(report.cohort.min_monthly_hours)
    if not months:
        summary = "The mentorship period has not started: there are no hours yet."
    else:
        finished = [m for m in months if not m.in_progress] or months
        last = finished[-1]
        summary = (
            f"In {month_text(last.month)}, {last.met_minimum} of {last.pairs} "
            f"pair{pluralize(last.pairs)} met the monthly minimum of {minimum}, {last.short} met "
            f"for less and {last.none} did not meet. Over the {len(months)} "
            f"month{pluralize(len(months))} shown, pairs met for "
            f"{duration_short_text(sum(m.minutes for m in months))} in all."
        )
        if months[-1].in_progress:
            summary += f" {month_text(months[-1].month)} is not over yet."
    labels = [month_text(m.month) + (" (so far)" if m.in_progress else "") for m in months]
    return Figure(
        key="hours",
        title="Hours by month",
        summary=summary,
        chart=charts.bar_chart(
            title="Pairs by hours met each month",
            description=summary,
            labels=labels,
            series={label: [getattr(m, key) for m in months] for key, label in HOURS_SERIES},
            stacked=True,
            horizontal=True,
            variant="hours",
        )
        if months
        else None,
        headers=["Month", "Pairs", *(label for _, label in HOURS_SERIES), "Hours met"],
        rows=[
            [
                label,
                m.pairs,
                m.met_minimum,
                m.short,
                m.none,
                duration_short_text(m.minutes),
            ]
            for label, m in zip(labels, months, strict=True)
        ],
        note=f"Released pairs of the month, from the month they were told of their match to the "
        f"month they ended; a meeting counts in the month of its date in the mentee's time "
        f"zone. The monthly minimum is {minimum}.",
    )


def status_figure(report: CohortReport) -> Figure:
    counts = report.pair_status
    total = report.pairs
    parts = [
        f"{counts[status]} {label.lower()}"
        for status, label in LedgerStatus.choices
        if counts[status]
    ]
    summary = (
        f"Of {total} released pair{pluralize(total)}: {join_words(parts)}."
        if total
        else "No pair has been released yet."
    )
    pair_list = reverse("admin:meetings_pair_changelist")
    return Figure(
        key="status",
        title="Pairs by progress",
        summary=summary,
        chart=charts.bar_chart(
            title="Released pairs by progress",
            description=summary,
            labels=[label for _, label in LedgerStatus.choices],
            series={"Pairs": [counts[status] for status in LedgerStatus.values]},
            horizontal=True,
            variant="status",
        )
        if total
        else None,
        headers=["Progress", "Pairs", "Share"],
        rows=[
            [
                label,
                Cell(
                    str(counts[status]),
                    f"{pair_list}?cohort__id__exact={report.cohort.pk}&progress={status}",
                ),
                _percent(counts[status], total),
            ]
            for status, label in LedgerStatus.choices
        ],
        note="The statuses of the pair list in admin, by the same rules; each number opens "
        "those pairs there.",
    )


def scores_figure(report: CohortReport) -> Figure:
    scores = report.match_scores
    bands = [(f"{low} to {low + SCORE_BAND}", n) for low, n in scores.bands]
    if scores.count:
        label, most = max(bands, key=lambda band: band[1])
        summary = (
            f"{scores.count} released pair{pluralize(scores.count)} scored from {scores.min:g} "
            f"to {scores.max:g}, {scores.mean:g} on average; the most ({most}) scored "
            f"{label}."
        )
    else:
        summary = "No pair has been released yet: there are no match scores to show."
    return Figure(
        key="scores",
        title="Match scores",
        summary=summary,
        chart=charts.histogram(
            title="Released pairs by match score (0 to 100)",
            description=summary,
            bands=bands,
            series_name="Pairs",
        )
        if scores.count
        else None,
        headers=["Score", "Pairs"],
        rows=[[label, n] for label, n in bands],
        note="A band includes its lower score; 100 counts in the last one.",
    )


def _satisfaction_text(survey: SurveyResult) -> str:
    if survey.satisfaction_withheld:
        return "withheld (too few answers)"
    if survey.satisfaction_mean is None:
        return NONE_YET
    return f"{survey.satisfaction_mean:g} of {survey.satisfaction_out_of}"


def surveys_figure(report: CohortReport) -> Figure:
    surveys = report.surveys
    invited = sum(s.invited_total for s in surveys)
    responded = sum(s.responded_total for s in surveys)
    if surveys:
        summary = (
            f"{len(surveys)} survey{pluralize(len(surveys))}: {responded} of {invited} "
            f"invitation{pluralize(invited)} answered ({_percent(responded, invited)})."
        )
        rated = [s for s in surveys if s.satisfaction_mean is not None]
        if rated:
            summary += (
                " Satisfaction with the match: "
                + join_words([f"{_satisfaction_text(s)} in “{s.title}”" for s in rated])
                + "."
            )
    else:
        summary = "This cohort has no surveys."
    privacy = dict(Survey.Privacy.choices)
    return Figure(
        key="surveys",
        title="Surveys",
        summary=summary,
        chart=charts.bar_chart(
            title="Invitations answered, by survey",
            description=summary,
            labels=[s.title for s in surveys],
            series={
                "Answered": [s.responded_total for s in surveys],
                "Not answered": [s.invited_total - s.responded_total for s in surveys],
            },
            stacked=True,
            horizontal=True,
            variant="surveys",
        )
        if invited
        else None,
        headers=[
            "Survey",
            "Kind",
            "Mentees answered",
            "Mentors answered",
            "Response rate",
            "Satisfaction with the match",
        ],
        rows=[
            [
                s.title,
                privacy.get(s.privacy, s.privacy).split(":")[0],
                f"{s.responded[Role.MENTEE]} of {s.invited[Role.MENTEE]}",
                f"{s.responded[Role.MENTOR]} of {s.invited[Role.MENTOR]}",
                _percent(s.responded_total, s.invited_total),
                _satisfaction_text(s),
            ]
            for s in surveys
        ],
        note="Aggregates only. An anonymous survey's mean is shown once at least "
        "five people answered it.",
    )


# ---------------------------------------------------------------------------------------------
# Cohorts side by side
# ---------------------------------------------------------------------------------------------


def overview_figures(reports: list[CohortReport]) -> list[Figure]:
    return [_side_by_side(reports), _statuses_by_cohort(reports)]


def _side_by_side(reports: list[CohortReport]) -> Figure:
    rows = []
    for report in reports:
        mentees = report.funnel[Role.MENTEE]
        mentors = report.funnel[Role.MENTOR]
        invited = sum(s.invited_total for s in report.surveys)
        responded = sum(s.responded_total for s in report.surveys)
        status = report.pair_status
        rows.append(
            [
                Cell(
                    report.cohort.name,
                    reverse("outcomes:cohort_dashboard", args=[report.cohort.slug]),
                ),
                report.cohort.phase.label,
                f"{mentees['accepted']} / {mentors['accepted']}",
                report.pairs,
                status[LedgerStatus.ON_TRACK],
                status[LedgerStatus.BEHIND] + status[LedgerStatus.AT_RISK],
                status[LedgerStatus.MET],
                status[LedgerStatus.ENDED],
                f"{report.match_scores.mean:g}" if report.match_scores.count else NONE_YET,
                _percent(responded, invited),
                f"{mentees['completed']} / {mentors['completed']}",
            ]
        )
    return Figure(
        key="cohorts",
        title="Cohorts side by side",
        summary=f"{len(reports)} cohort{pluralize(len(reports))}, the latest first.",
        chart=None,
        headers=[
            "Cohort",
            "Phase",
            "Accepted (mentees / mentors)",
            "Released pairs",
            "On track",
            "Behind or at risk",
            "Commitment met",
            "Ended early",
            "Mean match score",
            "Survey response rate",
            "Completed (mentees / mentors)",
        ],
        rows=rows,
    )


def _statuses_by_cohort(reports: list[CohortReport]) -> Figure:
    shown = [r for r in reports if r.pairs]
    summary = (
        " ".join(
            f"{r.cohort.name}: {r.pairs} pair{pluralize(r.pairs)}, "
            f"{r.pair_status[LedgerStatus.ON_TRACK] + r.pair_status[LedgerStatus.MET]} on track "
            "or done."
            for r in shown
        )
        or "No cohort has released pairs yet."
    )
    return Figure(
        key="statuses",
        title="Pairs by progress, per cohort",
        summary=summary,
        chart=charts.bar_chart(
            title="Released pairs by progress, per cohort",
            description=summary,
            labels=[r.cohort.name for r in shown],
            series={
                label: [r.pair_status[status] for r in shown]
                for status, label in LedgerStatus.choices
            },
            stacked=True,
            horizontal=True,
            variant="status-stacked",
        )
        if shown
        else None,
        headers=["Cohort", *(label for _, label in LedgerStatus.choices)],
        rows=[
            [r.cohort.name, *(r.pair_status[status] for status in LedgerStatus.values)]
            for r in shown
        ],
    )
