import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Avg, Count, DecimalField, F, Min, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import admin_privacy
from applications.models import Application, Interest, PracticeArea
from applications.services import cohort_capacity_refusals
from cohorts.admin import CohortAdmin as BaseCohortAdmin
from cohorts.models import Cohort
from core.validators import id_or_none

from .forms import EndMatchForm, ManualMatchForm, RunStartForm
from .models import Match, MatchRun
from .scoring import COMPONENT_LABELS, COMPONENTS, public_reasons
from .services import (
    MatchingError,
    Proposal,
    match_create,
    match_end,
    match_preview,
    match_run_compare,
    match_run_start,
    matches_approve,
    matches_reject,
    matches_release,
)

PAIRS_PER_PAGE = 100
SELF_IDENTIFICATION_PERMISSION = "applications.view_self_identification"
UNMATCHED_SHOWN = 300
RELEASE_PERMISSION = "matching.change_match"
RELEASE_PAIRS_SHOWN = 100
# A pair's reasons and score components carry what self-identification contributed.
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, Match, ["reasons", "components"])


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def _cohort_from_query(request: HttpRequest) -> Cohort | None:
    pk = id_or_none(request.GET.get("cohort"))
    return get_object_or_404(Cohort, pk=pk) if pk else None


def _choose_cohort(model_admin: admin.ModelAdmin, request: HttpRequest, *, title: str):
    """The first step of a per-cohort page: which cohort?"""
    return TemplateResponse(
        request,
        "admin/matching/matchrun/choose_cohort.html",
        _context(
            model_admin,
            request,
            title=title,
            cohorts=Cohort.objects.not_finished().order_by("period_start"),
        ),
    )


def _components_and_reasons(match: "Match | Proposal", user) -> tuple[list, list[str]]:
    """What a staff member may read of a pair's score: the shared-background part and its
    reason only with the permission to see self-identification."""
    private = not user.has_perm(SELF_IDENTIFICATION_PERMISSION)
    components = [
        (COMPONENT_LABELS[name], match.components.get(name, {}))
        for name in COMPONENTS
        if match.components.get(name, {}).get("max")
        and not (private and name == "shared_background")
    ]
    return components, public_reasons(match.reasons) if private else list(match.reasons)


# Scores and the shared-background component
# ---------------------------------------------
# Staff without the self-identification permission are not shown the shared-background part of
# a score; if they were shown the total, the total minus the parts they see would be exactly that
# part. So everything they see of scores leaves it out: each pair's score, its order in lists,
# a run's totals and the best scores quoted in unmatched reasons.

_SCORE = DecimalField(max_digits=5, decimal_places=2)
_BEST_SCORES = re.compile(r" ?\(the best scores [0-9.]+\)")
_CAPACITY_DETAIL = re.compile(r"^(capacity used by better-fitting pairs):.*$")


def _hundredths(value) -> Decimal | None:
    # Database arithmetic on decimals comes back as 110 or 55.0 on SQLite: show 110.00.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _sees_background(user) -> bool:
    return user.has_perm(SELF_IDENTIFICATION_PERMISSION)


def _shown_score(match: "Match | Proposal", user) -> Decimal:
    """The score `user` may read: without the shared-background points unless they may see them."""
    score = Decimal(str(match.score)).quantize(Decimal("0.01"))
    if _sees_background(user):
        return score
    points = (match.components.get("shared_background") or {}).get("points") or 0
    return score - Decimal(str(points)).quantize(Decimal("0.01"))


def _with_shown_score(queryset: QuerySet, user) -> QuerySet:
    """`shown_score` on each match, as `_shown_score` reads it, to order by in the database."""
    if _sees_background(user):
        return queryset.annotate(shown_score=F("score"))
    background = Cast(KT("components__shared_background__points"), _SCORE)
    return queryset.annotate(
        shown_score=F("score") - Coalesce(background, Value(Decimal(0)), output_field=_SCORE)
    )


def _shown_unmatched_reason(reason: str, user) -> str:
    """An unmatched applicant's reason without the scores and counts it quotes: they are of
    pairs whose parts nobody is shown, shared-background points included."""
    if _sees_background(user):
        return reason
    return _CAPACITY_DETAIL.sub(r"\1", _BEST_SCORES.sub("", reason))


def _decide(request: HttpRequest, match_ids: list[int], decision: str) -> bool:
    """Approve or reject, putting the outcome in a message. True when it went through."""
    try:
        if decision == "approve":
            changed = matches_approve(match_ids=match_ids, approved_by=request.user)
            text = f"{len(changed)} match{'es' if len(changed) != 1 else ''} approved."
            text += " Members see them once notifications are released."
        else:
            changed = matches_reject(match_ids=match_ids, rejected_by=request.user)
            text = (
                f"{len(changed)} proposal{'s' if len(changed) != 1 else ''} rejected; "
                "rejected pairs are not proposed again."
            )
    except MatchingError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, text)
    return True


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
        if _sees_background(request.user):
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
        cohort = _cohort_from_query(request)
        if cohort is None:
            return _choose_cohort(self, request, title="Run matching")
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
            _context(
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
                _decide(request, ids, decision)
            else:
                ids = [pk for pk in map(id_or_none, request.POST.getlist("match")) if pk]
                if not ids:
                    messages.error(request, "Select at least one pair.")
                else:
                    _decide(request, ids, decision)
            return redirect(request.get_full_path())
        return TemplateResponse(
            request, "admin/matching/matchrun/result.html", self._result_context(request, run)
        )

    def _result_context(self, request: HttpRequest, run: MatchRun) -> dict:
        areas = dict(PracticeArea.objects.values_list("pk", "name"))
        interests = dict(Interest.objects.values_list("pk", "name"))
        matches = (
            _with_shown_score(Match.objects.filter(run=run), request.user)
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
            components, reasons = _components_and_reasons(match, request.user)
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
                    "score": _hundredths(match.shown_score),
                    "components": components,
                    "reasons": reasons,
                    "change": comparison.change_by_mentee.get(match.mentee_id)
                    if comparison and comparison.previous
                    else None,
                }
            )
        unmatched = run.unmatched[:UNMATCHED_SHOWN]
        people = Application.objects.select_related("member").in_bulk(
            [u["applicant"] for u in unmatched]
        )
        if _sees_background(request.user):
            totals = {"total": run.total_score, "mean": run.mean_score, "lowest": run.min_score}
        else:
            totals = matches.order_by().aggregate(
                total=Sum("shown_score"), mean=Avg("shown_score"), lowest=Min("shown_score")
            )
            totals = {name: _hundredths(value) for name, value in totals.items()}
        return _context(
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
                    "reason": _shown_unmatched_reason(u["reason"], request.user),
                    "application": people.get(u["applicant"]),
                }
                for u in unmatched
            ],
            unmatched_hidden=max(len(run.unmatched) - UNMATCHED_SHOWN, 0),
            proposed_left=Match.objects.filter(run=run).proposed().count(),
            weights=[(COMPONENT_LABELS[name], run.weights.get(name)) for name in COMPONENTS],
            can_decide=request.user.has_perm("matching.change_match"),
        )


class ReleasedFilter(admin.SimpleListFilter):
    title = "released to members"
    parameter_name = "released"

    def lookups(self, request, model_admin):
        return [("yes", "Released"), ("no", "Not released")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(notified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(notified_at__isnull=True)
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "made by"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [("run", "A matching run"), ("hand", "Staff, by hand")]

    def queryset(self, request, queryset):
        if self.value() == "run":
            return queryset.filter(run__isnull=False)
        if self.value() == "hand":
            return queryset.filter(run__isnull=True)
        return queryset


@admin.register(Match)
class MatchAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "mentor_name",
        "mentee_name",
        "cohort",
        "shown_score",
        "status",
        "released",
        "run",
        "decided_by",
    ]
    list_filter = ["cohort", "status", ReleasedFilter, SourceFilter]
    list_select_related = ["cohort", "mentor__member", "mentee__member", "run", "decided_by"]
    search_fields = [
        "mentor__member__email",
        "mentor__member__last_name",
        "mentee__member__email",
        "mentee__member__last_name",
    ]
    actions = ["approve", "reject"]
    readonly_fields = [
        "cohort",
        "run",
        "mentor",
        "mentee",
        "status",
        "shown_score",
        "mentor_slot",
        "mentor_capacity",
        "created_at",
        "decided_at",
        "decided_by",
        "notified_at",
        "ended_at",
        "ended_by",
        "end_reason",
        "below_minimum_reason",
    ]
    fields = readonly_fields
    change_form_template = "admin/matching/match/change_form.html"

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # end a match instead: its history stays on record

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _with_shown_score(super().get_queryset(request), request.user)

    def get_urls(self):
        return [
            path(
                "<int:pk>/end/",
                self.admin_site.admin_view(self.end_view),
                name="matching_match_end",
            ),
            path(
                "release/",
                self.admin_site.admin_view(self.release_view),
                name="matching_match_release",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Mentor", ordering="mentor__member__last_name")
    def mentor_name(self, obj: Match) -> str:
        return str(obj.mentor.member)

    @admin.display(description="Mentee", ordering="mentee__member__last_name")
    def mentee_name(self, obj: Match) -> str:
        return str(obj.mentee.member)

    @admin.display(description="Score", ordering="shown_score")
    def shown_score(self, obj: Match) -> Decimal | None:
        return _hundredths(obj.shown_score)

    @admin.display(description="Released", boolean=True, ordering="notified_at")
    def released(self, obj: Match) -> bool:
        return obj.notified_at is not None

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        match = self.get_object(request, object_id)
        if match is not None:
            components, reasons = _components_and_reasons(match, request.user)
            extra_context = {
                **(extra_context or {}),
                "match_components": components,
                "match_reasons": reasons,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _selected(self, queryset: QuerySet) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description="Approve selected proposed matches", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        _decide(request, self._selected(queryset), "approve")

    @admin.action(description="Reject selected proposed matches", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        _decide(request, self._selected(queryset), "reject")

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        """Make a match by hand: pick the cohort, then the two people; preview, then create."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        cohort = _cohort_from_query(request)
        if cohort is None:
            return _choose_cohort(self, request, title="Make a match by hand")
        form = ManualMatchForm(request.POST or None, cohort=cohort)
        preview = None
        if request.method == "POST" and form.is_valid():
            mentor, mentee = form.cleaned_data["mentor"], form.cleaned_data["mentee"]
            try:
                if "create" in request.POST:
                    match = match_create(
                        mentor=mentor,
                        mentee=mentee,
                        created_by=request.user,
                        below_minimum_reason=form.confirmed_reason,
                    )
                    messages.success(
                        request,
                        f"{match} are matched (score {_shown_score(match, request.user)}). "
                        "Members see it once "
                        "notifications are released.",
                    )
                    return redirect("admin:matching_match_change", match.pk)
                preview = match_preview(mentor=mentor, mentee=mentee)
            except MatchingError as exc:
                form.add_error(None, str(exc))
        preview_parts = _components_and_reasons(preview, request.user) if preview else ([], [])
        return TemplateResponse(
            request,
            "admin/matching/match/add.html",
            _context(
                self,
                request,
                title=f"Make a match by hand in {cohort.name}",
                cohort=cohort,
                form=form,
                preview=preview,
                preview_score=_shown_score(preview, request.user) if preview else None,
                preview_components=preview_parts[0],
                preview_reasons=preview_parts[1],
            ),
        )

    def end_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("matching.change_match"):
            raise PermissionDenied
        match = get_object_or_404(
            Match.objects.select_related("cohort", "mentor__member", "mentee__member"), pk=pk
        )
        form = EndMatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                match_end(match=match, ended_by=request.user, reason=form.cleaned_data["reason"])
            except MatchingError as exc:
                form.add_error(None, str(exc))
            else:
                told = (
                    "both members are emailed a note (the reason stays with staff)"
                    if match.notified_at
                    else "nobody had been told of this pair, so no member is emailed"
                )
                messages.success(
                    request,
                    f"The match of {match} has ended; {told}. Other staff are told a place is "
                    "free.",
                )
                return redirect("admin:matching_match_change", match.pk)
        return TemplateResponse(
            request,
            "admin/matching/match/end.html",
            _context(
                self,
                request,
                title=f"End the match of {match}",
                match=match,
                original=match,
                form=form,
                change_url=reverse("admin:matching_match_change", args=[match.pk]),
            ),
        )

    def release_view(self, request: HttpRequest) -> HttpResponse:
        """Confirm, then release the approved matches of one cohort."""
        if not request.user.has_perm(RELEASE_PERMISSION):
            raise PermissionDenied
        cohort = _cohort_from_query(request)
        if cohort is None:
            return _choose_cohort(self, request, title="Release approved matches")
        if request.method == "POST":
            _release(request, self, [cohort])
            return redirect("admin:cohorts_cohort_change", cohort.pk)
        waiting = (
            Match.objects.for_cohort(cohort)
            .approved()
            .filter(notified_at__isnull=True)
            .select_related("mentor__member", "mentee__member")
            .order_by("mentor__member__last_name", "mentor__member__first_name", "pk")
        )
        context = _release_context(
            self,
            request,
            [cohort],
            title=f"Release approved matches of {cohort.name}",
            cohort=cohort,
            pairs=_with_shown_score(waiting, request.user)[:RELEASE_PAIRS_SHOWN],
            released_before=Match.objects.released().for_cohort(cohort).count(),
            cancel_url=reverse("admin:cohorts_cohort_change", args=[cohort.pk]),
        )
        context["pairs_hidden"] = max(context["total"] - RELEASE_PAIRS_SHOWN, 0)
        return TemplateResponse(request, "admin/matching/match/release.html", context)


# ---------------------------------------------------------------------------------------------
# Releasing approved matches: from a cohort's page (MatchAdmin.release_view) or as an action on
# the list of cohorts (CohortAdmin below). Both confirm first and say who is emailed.
# ---------------------------------------------------------------------------------------------


def _waiting_by_cohort(cohorts) -> dict[int, int]:
    """Approved matches nobody has been told about yet, per cohort, in one query."""
    return dict(
        Match.objects.approved()
        .filter(cohort__in=cohorts, notified_at__isnull=True)
        .order_by()
        .values("cohort")
        .annotate(waiting=Count("pk"))
        .values_list("cohort", "waiting")
    )


def _release(request: HttpRequest, model_admin: admin.ModelAdmin, cohorts) -> int:
    """Release each cohort's approved matches, saying how many and who is emailed."""
    released = 0
    for cohort in cohorts:
        count = matches_release(cohort=cohort, released_by=request.user)
        if count:
            model_admin.log_change(
                request, cohort, f"Released {count} approved match{pluralize(count, 'es')}."
            )
        released += count
    if released:
        messages.success(
            request,
            f"{released} match{pluralize(released, 'es')} released; {2 * released} members are "
            "being emailed.",
        )
    else:
        messages.info(
            request, "No approved matches were waiting to be released; nobody was emailed."
        )
    return released


def _release_context(model_admin: admin.ModelAdmin, request: HttpRequest, cohorts, **extra):
    waiting = _waiting_by_cohort(cohorts)
    today = timezone.localdate()
    rows = [
        {
            "cohort": cohort,
            "waiting": waiting.get(cohort.pk, 0),
            "automatic_later": cohort.match_notification_date > today,
        }
        for cohort in cohorts
    ]
    total = sum(row["waiting"] for row in rows)
    return _context(model_admin, request, rows=rows, total=total, emails=2 * total, **extra)


# The cohort admin belongs to `cohorts`, which must not depend on matching; matching extends it
# with the release action, as its change page already links to matching's pages.
admin.site.unregister(Cohort)


class CohortForm(forms.ModelForm):
    """The cohort's own checks, and one the cohorts app cannot make (applications sit above
    it): a cohort never has fewer places than the people already accepted."""

    def clean(self):
        cleaned = super().clean()
        refusals = cohort_capacity_refusals(
            cohort=self.instance,
            mentee_capacity=cleaned.get("mentee_capacity"),
            mentor_capacity=cleaned.get("mentor_capacity"),
        )
        for field, message in refusals.items():
            if field in self.fields:
                self.add_error(field, message)
        return cleaned


@admin.register(Cohort)
class CohortAdmin(BaseCohortAdmin):
    form = CohortForm
    actions = [*(BaseCohortAdmin.actions or []), "release_matches"]

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RELEASE_PERMISSION)

    @admin.action(
        description="Release approved matches of the selected cohorts", permissions=["release"]
    )
    def release_matches(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        cohorts = list(queryset.order_by("pk"))
        if request.POST.get("post") == "yes":
            _release(request, self, cohorts)
            return None  # back to the list, showing the message
        return TemplateResponse(
            request,
            "admin/matching/match/release.html",
            _release_context(
                self,
                request,
                cohorts,
                title="Release approved matches of the selected cohorts",
                action="release_matches",
                cancel_url=reverse("admin:cohorts_cohort_changelist"),
            ),
        )
