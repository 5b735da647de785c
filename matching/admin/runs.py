"""Match runs in admin: *Run matching* (the cohort's weights, then a run) and a run's result page,
where staff read each proposed pair's reasons and approve or reject them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Avg, Min, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import admin_privacy
from applications.models import Application, Interest, PracticeArea
from core.validators import id_or_none

from ..exceptions import MatchingError
from ..forms import RunStartForm
from ..models import Algorithm, Match, MatchRun
from ..runs import match_run_start
from ..scoring import COMPONENT_LABELS, COMPONENTS
from ..selectors import match_run_compare
from .common import (
    choose_cohort,
    cohort_from_query,
    components_and_reasons,
    decide,
    hundredths,
    page_context,
    sees_background,
    shown_unmatched_reason,
    with_shown_score,
)

PAIRS_PER_PAGE = 100
UNMATCHED_SHOWN = 300


class _Person:
    """One side of a pair as the review page shows it, from the application's snapshot."""

    def __init__(self, application: Application, areas: dict, interests: dict, desired=()):
        snap = application.profile_snapshot or {}
        self.application = application
        self.name = str(application.member)
        self.email = application.member.email
        self.place = snap.get("location_name") or "-"
        self.time_zone = snap.get("time_zone") or ""
        self.stage = snap.get("career_stage_name") or "-"
        self.credentials = snap.get("credentials") or ""
        self.institution = snap.get("institution") or ""
        self.practice_areas = [areas.get(a, "?") for a in snap.get("practice_areas") or ()]
        self.interests = [interests.get(i, "?") for i in snap.get("interests") or ()]
        self.desired = [areas.get(a, "?") for a in desired]


@admin.register(MatchRun)
class MatchRunAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "__str__",
        "algorithm",
        "status",
        "started_by",
        "created_at",
        "pairs_proposed",
        "total_score",
        "mean_score",
        "min_score",
        "unmatched_mentees",
        "unmatched_mentors",
    ]
    list_filter = ["cohort", "status", "algorithm"]
    list_select_related = ["cohort", "started_by"]
    change_list_template = "admin/matching/matchrun/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started from the "Run matching" page

    def get_list_display(self, request: HttpRequest):
        if sees_background(request.user):
            return self.list_display
        # A run's totals include the shared-background points its pairs' scores leave out.
        return [
            name
            for name in self.list_display
            if name not in {"total_score", "mean_score", "min_score"}
        ]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a run is the record of what was proposed and why

    def get_urls(self):
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="matching_matchrun_start",
            ),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("matching.add_matchrun"):
            raise PermissionDenied
        cohort = cohort_from_query(request)
        if cohort is None:
            return choose_cohort(self, request, title="Run matching")
        form = RunStartForm(request.POST or None, instance=cohort)
        if request.method == "POST" and form.is_valid():
            try:
                # One decision: staff told the run is refused have changed no weights either.
                with transaction.atomic():
                    form.save()
                    run = match_run_start(
                        cohort=cohort,
                        started_by=request.user,
                        algorithm=form.cleaned_data["algorithm"],
                    )
            except MatchingError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("admin:matching_matchrun_change", run.pk)
        accepted = Application.objects.for_cohort(cohort).accepted()
        return TemplateResponse(
            request,
            "admin/matching/matchrun/start.html",
            page_context(
                self,
                request,
                title=f"Run matching for {cohort.name}",
                cohort=cohort,
                form=form,
                accepted_mentors=accepted.mentors().count(),
                accepted_mentees=accepted.mentees().count(),
                approved=Match.objects.for_cohort(cohort).approved().count(),
                last_run=MatchRun.objects.for_cohort(cohort).first(),
            ),
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """A run's result page: its pairs with reasons, the unmatched, totals, decisions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        run = get_object_or_404(MatchRun.objects.select_related("cohort", "started_by"), pk=pk)
        if request.method == "POST":
            if not request.user.has_perm("matching.change_match"):
                raise PermissionDenied
            decision = request.POST.get("decision")
            if decision not in {"approve", "reject"}:
                messages.error(request, "Choose approve or reject.")
            elif request.POST.get("scope") == "all":
                ids = list(Match.objects.filter(run=run).proposed().values_list("pk", flat=True))
                decide(request, ids, decision)
            else:
                ids = [pk for pk in map(id_or_none, request.POST.getlist("match")) if pk]
                if not ids:
                    messages.error(request, "Select at least one pair.")
                else:
                    decide(request, ids, decision)
            return redirect(request.get_full_path())
        return TemplateResponse(
            request, "admin/matching/matchrun/result.html", self._result_context(request, run)
        )

    def _result_context(self, request: HttpRequest, run: MatchRun) -> dict:
        areas = dict(PracticeArea.objects.values_list("pk", "name"))
        interests = dict(Interest.objects.values_list("pk", "name"))
        matches = (
            with_shown_score(Match.objects.filter(run=run), request.user)
            .select_related("mentor__member", "mentee__member", "decided_by")
            .prefetch_related("mentee__desired_practice_areas")
            .order_by("-shown_score", "pk")
        )
        if request.GET.get("order") == "weakest":
            matches = matches.order_by("shown_score", "pk")
        page = Paginator(matches, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
        comparison = match_run_compare(run) if run.status == MatchRun.Status.DONE else None
        rows = []
        for match in page:
            components, reasons = components_and_reasons(match, request.user)
            mentor = _Person(match.mentor, areas, interests)
            mentee = _Person(
                match.mentee,
                areas,
                interests,
                desired=[a.pk for a in match.mentee.desired_practice_areas.all()],
            )
            rows.append(
                {
                    "match": match,
                    "mentor": mentor,
                    "mentee": mentee,
                    "people": (mentor, mentee),
                    "score": hundredths(match.shown_score),
                    "components": components,
                    "reasons": reasons,
                    "change": comparison.change_by_mentee.get(match.mentee_id)
                    if comparison and comparison.previous
                    else None,
                }
            )
        unmatched = run.unmatched[:UNMATCHED_SHOWN]
        # Their names only, each linked to its application: up to 300 rows.
        people = (
            Application.objects.select_related("member")
            .only("member__first_name", "member__last_name", "member__email")
            .in_bulk([u["applicant"] for u in unmatched])
        )
        applications_url = reverse("admin:applications_application_changelist")
        show_scores = sees_background(request.user)
        if show_scores:
            totals = {"total": run.total_score, "mean": run.mean_score, "lowest": run.min_score}
        else:
            totals = matches.order_by().aggregate(
                total=Sum("shown_score"), mean=Avg("shown_score"), lowest=Min("shown_score")
            )
            totals = {name: hundredths(value) for name, value in totals.items()}
        return page_context(
            self,
            request,
            title=str(run),
            run=run,
            original=run,
            rows=rows,
            page=page,
            totals=totals,
            comparison=comparison,
            unmatched=[
                {
                    **u,
                    "reason": shown_unmatched_reason(u["reason"], request.user),
                    "application": people.get(u["applicant"]),
                    # The admin's change page of an application, without a reverse() a row.
                    "url": f"{applications_url}{u['applicant']}/change/",
                }
                for u in unmatched
            ],
            unmatched_hidden=max(len(run.unmatched) - UNMATCHED_SHOWN, 0),
            proposed_left=Match.objects.filter(run=run).proposed().count(),
            weights=[(COMPONENT_LABELS[name], run.weights.get(name)) for name in COMPONENTS],
            can_decide=request.user.has_perm("matching.change_match"),
            show_scores=show_scores,
            objectives=_objectives_side_by_side(run) if show_scores else [],
        )


def _objectives_side_by_side(run: MatchRun) -> list[MatchRun]:
    """This run and the cohort's latest finished optimal run with the other objective, when
    there is one: their lowest scores and totals side by side (one query)."""
    if run.status != MatchRun.Status.DONE or run.algorithm != Algorithm.OPTIMAL:
        return []
    other = (
        MatchRun.objects.for_cohort(run.cohort)
        .done()
        .filter(algorithm=Algorithm.OPTIMAL)
        .exclude(objective=run.objective)
        .first()
    )
    if other is None:
        return []
    return sorted([run, other], key=lambda r: r.objective != "total")
