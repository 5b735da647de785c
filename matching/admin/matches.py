"""The match list and a match's page in admin: filters, approve/reject actions, ending a match.
Making a match by hand and releasing are pages of their own (`add_match`, `release`)."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import admin_privacy
from accounts.admin_filters import ReferenceListFilter
from accounts.models import User
from applications.models import Application
from cohorts.models import Cohort

from ..ending import match_end
from ..exceptions import MatchingError
from ..forms import EndMatchForm
from ..models import Match
from .add_match import match_add_view
from .common import (
    components_and_reasons,
    decide,
    hundredths,
    page_context,
    shown_score_expression,
    with_shown_score,
)
from .release import release_view

NAME_AND_EMAIL = ["first_name", "last_name", "email"]


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
        "run_name",
        "decided_by",
    ]
    list_filter = [("cohort", ReferenceListFilter), "status", ReleasedFilter, SourceFilter]
    # Not the run (see `run_name`): two tables fewer in a query whose planning, with nine, took
    # longer than running it.
    list_select_related = ["cohort", "mentor__member", "mentee__member", "decided_by"]
    # Staff without the background permission see the list ordered by a score computed from
    # each pair's JSON (see `get_ordering`).
    list_keys_first = True
    # What the columns show and nothing else.
    list_defer = (
        *admin_privacy.columns_but(Match, keep=["status", "score", "notified_at"]),
        *admin_privacy.columns_but(Cohort, "cohort", keep=["name"]),
        *admin_privacy.columns_but(Application, "mentor"),
        *admin_privacy.columns_but(Application, "mentee"),
        *(
            column
            for user in ("mentor__member", "mentee__member", "decided_by")
            for column in admin_privacy.columns_but(User, user, keep=NAME_AND_EMAIL)
        ),
    )
    # A count of every match besides the filtered one, on each page view.
    show_full_result_count = False
    # Staff narrow the list by cohort and status rather than scroll it; each row costs about a
    # quarter of a millisecond to render in Django's list, so 100 a page was most of the page.
    list_per_page = 50
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
        return with_shown_score(super().get_queryset(request), request.user)

    def get_ordering(self, request: HttpRequest) -> list:
        # Best first by the score this member of staff may read: the model's order (the full
        # score) would show staff without the permission which pairs have shared-background
        # points. An expression, not the annotation: the admin orders before annotating.
        return [shown_score_expression(request.user).desc(), "pk"]

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
        return hundredths(obj.shown_score)

    @admin.display(description="Run", ordering="run")
    def run_name(self, obj: Match) -> str | None:
        # What str(obj.run) says, without loading the run: a run's proposals are of its own
        # cohort (`runs._save_result`), which the row has already.
        return None if obj.run_id is None else f"Run {obj.run_id} of {obj.cohort}"

    @admin.display(description="Released", boolean=True, ordering="notified_at")
    def released(self, obj: Match) -> bool:
        return obj.notified_at is not None

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        match = self.get_object(request, object_id)
        if match is not None:
            components, reasons = components_and_reasons(match, request.user)
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
        decide(request, self._selected(queryset), "approve")

    @admin.action(description="Reject selected proposed matches", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        decide(request, self._selected(queryset), "reject")

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        """Make a match by hand (see `add_match`)."""
        return match_add_view(self, request)

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
            page_context(
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
        """Confirm, then release the approved matches of one cohort (see `release`)."""
        return release_view(self, request)
