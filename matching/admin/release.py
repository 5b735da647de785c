"""Releasing approved matches in admin: from a cohort's page (the match list's *Release* page)
or as an action on the list of cohorts. Both confirm first and say who is emailed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from applications.services import cohort_capacity_refusals
from cohorts.admin import CohortAdmin as BaseCohortAdmin
from cohorts.models import Cohort

from ..models import Match
from ..release import matches_release
from .carry_over import INVITE_PERMISSION, invite_to_next
from .common import choose_cohort, cohort_from_query, page_context, with_shown_score

RELEASE_PERMISSION = "matching.change_match"
RELEASE_PAIRS_SHOWN = 100
ANNOUNCEMENTS_PER_MATCH = 2  # one to the mentor, one to the mentee


def release_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Confirm, then release the approved matches of one cohort."""
    if not request.user.has_perm(RELEASE_PERMISSION):
        raise PermissionDenied
    cohort = cohort_from_query(request)
    if cohort is None:
        return choose_cohort(model_admin, request, title="Release approved matches")
    if request.method == "POST":
        _release(request, model_admin, [cohort])
        return redirect("admin:cohorts_cohort_change", cohort.pk)
    waiting = (
        Match.objects.for_cohort(cohort)
        .awaiting_release()
        .select_related("mentor__member", "mentee__member")
        .order_by("mentor__member__last_name", "mentor__member__first_name", "pk")
    )
    context = _release_context(
        model_admin,
        request,
        [cohort],
        title=f"Release approved matches of {cohort.name}",
        cohort=cohort,
        pairs=with_shown_score(waiting, request.user)[:RELEASE_PAIRS_SHOWN],
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
        Match.objects.awaiting_release()
        .filter(cohort__in=cohorts)
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
            f"{released} match{pluralize(released, 'es')} released; "
            f"{ANNOUNCEMENTS_PER_MATCH * released} members are being emailed.",
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
    emails = ANNOUNCEMENTS_PER_MATCH * total
    return page_context(model_admin, request, rows=rows, total=total, emails=emails, **extra)


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
    actions = [*(BaseCohortAdmin.actions or []), "release_matches", "invite_to_next_cohort"]

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RELEASE_PERMISSION)

    def has_invite_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(INVITE_PERMISSION)

    @admin.action(
        description="Invite the waitlisted and unmatched applicants of the selected cohorts to "
        "their next cohort",
        permissions=["invite"],
    )
    def invite_to_next_cohort(self, request: HttpRequest, queryset: QuerySet) -> None:
        invite_to_next(self, request, list(queryset.order_by("pk")))

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
