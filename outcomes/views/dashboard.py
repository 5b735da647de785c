"""The program dashboard for staff: every cohort side by side, and one cohort in detail."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohorts.models import Cohort
from core.text import hours_text, moment_text, period_text

from ..dashboard import cohort_report, cohort_reports
from ..dashboard_figures import cohort_figures, overview_figures

# The dashboard adds up applications, pairs and surveys: whoever may read all three may read it.
DASHBOARD_PERMISSIONS = (
    "applications.view_application",
    "meetings.view_pair",
    "outcomes.view_survey",
)


def can_view_dashboard(user) -> bool:
    return user.is_active and user.is_staff and user.has_perms(DASHBOARD_PERMISSIONS)


def _check_dashboard_access(request: HttpRequest) -> None:
    # Members never learn the page exists: "not found", as for other staff pages on the site.
    if not can_view_dashboard(request.user):
        raise Http404


def _cohorts():
    return Cohort.objects.order_by("-period_start", "-pk")


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _check_dashboard_access(request)
    now = timezone.now()
    reports = cohort_reports(_cohorts(), now=now)
    return render(
        request,
        "outcomes/dashboard.html",
        {"reports": reports, "figures": overview_figures(reports), "as_of": moment_text(now)},
    )


@login_required
@require_GET
def cohort_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    _check_dashboard_access(request)
    cohort = get_object_or_404(Cohort, slug=slug)
    now = timezone.now()
    report = cohort_report(cohort, now=now)
    return render(
        request,
        "outcomes/dashboard_cohort.html",
        {
            "cohort": cohort,
            "report": report,
            "figures": cohort_figures(report),
            "cohorts": _cohorts().only("name", "slug"),
            "as_of": moment_text(now),
            "period": period_text(cohort.period_start, cohort.period_end),
            "commitment": f"{hours_text(cohort.min_total_hours)} in total and "
            f"{hours_text(cohort.min_monthly_hours)} each month",
        },
    )
