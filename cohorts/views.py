from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import Cohort


def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    open_cohorts = list(Cohort.objects.open_for_applications(now).order_by("application_deadline"))
    next_cohort = None
    if not open_cohorts:
        next_cohort = Cohort.objects.upcoming(now).order_by("applications_open_at").first()
    return render(
        request,
        "cohorts/home.html",
        {"open_cohorts": open_cohorts, "next_cohort": next_cohort},
    )


def cohort_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    # The member's own application, through the user's reverse relation: this app stays below
    # the applications app and does not import it.
    own_application = (
        request.user.applications.filter(cohort=cohort).first()
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "cohorts/detail.html",
        {
            "cohort": cohort,
            "phase": cohort.phase,
            "Phase": Cohort.Phase,
            "own_application": own_application,
        },
    )
