import json

from django.core.management.base import BaseCommand, CommandError

from cohorts.models import Cohort
from core.text import duration_short_text, month_text, period_text
from meetings.ledger import LedgerStatus
from outcomes.dashboard import FUNNEL_STAGES, CohortReport, cohort_report
from outcomes.models import Role


class Command(BaseCommand):
    help = (
        "Print a cohort's program dashboard: the funnel, hours by month, pairs' progress, match "
        "scores, surveys and certificates, computed as the staff dashboard computes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("cohort", metavar="COHORT_SLUG")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        try:
            cohort = Cohort.objects.get(slug=options["cohort"])
        except Cohort.DoesNotExist:
            raise CommandError(f"No cohort with the slug {options['cohort']!r}.") from None
        report = cohort_report(cohort)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), indent=2))
        else:
            self.stdout.write(report_text(report))


def _table(headers: list[str], rows: list[list]) -> list[str]:
    cells = [headers, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        first, *rest = row
        lines.append(
            "  "
            + first.ljust(widths[0])
            + "".join(
                "  " + cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)
            )
        )
        if n == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return lines


def report_text(report: CohortReport) -> str:
    cohort = report.cohort
    lines = [
        f"{cohort.name} ({cohort.slug}). Phase: {cohort.phase.label.lower()}. "
        f"Mentorship period {period_text(cohort.period_start, cohort.period_end)}.",
        "",
        "People from application to completion",
        *_table(
            ["", "mentees", "mentors"],
            [
                [label, report.funnel[Role.MENTEE][stage], report.funnel[Role.MENTOR][stage]]
                for stage, label in FUNNEL_STAGES
            ],
        ),
        "",
        "Released pairs by hours met each month",
    ]
    if report.hours_by_month:
        lines += _table(
            ["", "pairs", "met minimum", "met for less", "did not meet", "hours"],
            [
                [
                    month_text(m.month) + (" (so far)" if m.in_progress else ""),
                    m.pairs,
                    m.met_minimum,
                    m.short,
                    m.none,
                    duration_short_text(m.minutes),
                ]
                for m in report.hours_by_month
            ],
        )
    else:
        lines.append("  The mentorship period has not started.")
    scores = report.match_scores
    lines += [
        "",
        f"Released pairs by progress ({report.pairs} in all)",
        *_table(
            ["", "pairs"],
            [[label, report.pair_status[status]] for status, label in LedgerStatus.choices],
        ),
        "",
        "Match scores of released pairs: "
        + (
            f"{scores.count} pairs, mean {scores.mean:g}, lowest {scores.min:g}, "
            f"highest {scores.max:g}"
            if scores.count
            else "none yet"
        ),
        "",
        "Surveys",
    ]
    if report.surveys:
        lines += _table(
            ["", "privacy", "invited", "answered", "satisfaction"],
            [
                [
                    survey.title,
                    survey.privacy,
                    survey.invited_total,
                    survey.responded_total,
                    "withheld (too few answers)"
                    if survey.satisfaction_withheld
                    else f"{survey.satisfaction_mean:g} of {survey.satisfaction_out_of}"
                    if survey.satisfaction_mean is not None
                    else "-",
                ]
                for survey in report.surveys
            ],
        )
    else:
        lines.append("  None.")
    certificates = report.certificates
    lines += [
        "",
        f"Certificates: {certificates['issued']} issued, {certificates['revoked']} revoked, "
        f"{certificates['valid']} valid.",
    ]
    return "\n".join(lines)
