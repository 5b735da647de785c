import logging

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.pagecache import cached_public_page

from .calendar import ics_calendar, ics_response, orientation_event
from .models import Cohort, Resource

logger = logging.getLogger(__name__)


@cached_public_page
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


@cached_public_page
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


def _is_participant(request: HttpRequest, *, cohort_id: int | None, roles: list[str]) -> bool:
    """Whether the user has an accepted application in the role(s), in that cohort (any cohort
    when cohort_id is None). Through the user's reverse relation, as in cohort_detail."""
    if not request.user.is_authenticated:
        return False
    accepted = request.user.applications.filter(status="accepted", role__in=roles)
    if cohort_id is not None:
        accepted = accepted.filter(cohort_id=cohort_id)
    return accepted.exists()


def _get_resource_file_for_user(request: HttpRequest, pk: int) -> Resource:
    # Every refusal is a 404, for visitors too (no login redirect): the URL tells nobody
    # whether the file exists.
    resource = get_object_or_404(Resource.objects.exclude(file=""), pk=pk)
    if request.user.is_authenticated and request.user.is_staff:
        return resource
    roles = (
        ["mentor", "mentee"] if resource.audience == Resource.Audience.ALL else [resource.audience]
    )
    if not _is_participant(request, cohort_id=resource.cohort_id, roles=roles):
        raise Http404
    return resource


def _get_orientation_cohort_for_user(request: HttpRequest, slug: str) -> Cohort:
    cohort = get_object_or_404(Cohort, slug=slug, orientation_at__isnull=False)
    if request.user.is_authenticated and request.user.is_staff:
        return cohort
    if not _is_participant(request, cohort_id=cohort.pk, roles=["mentor", "mentee"]):
        raise Http404
    return cohort


@require_safe
def resource_file(request: HttpRequest, pk: int) -> FileResponse:
    resource = _get_resource_file_for_user(request, pk)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        logger.error("Resource %s: its file %s is missing from storage", pk, resource.file.name)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=resource.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def orientation_ics(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = _get_orientation_cohort_for_user(request, slug)
    content = ics_calendar([orientation_event(cohort)], name=f"{cohort.name} orientation")
    return ics_response(content, filename=f"{cohort.slug}-orientation.ics")
