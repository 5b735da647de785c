"""Making a match by hand in admin: pick the cohort, then the two people; preview the score and
its reasons, then make it (approved at once, within the program's rules)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from ..decisions import match_create, match_preview
from ..exceptions import MatchingError
from ..forms import ManualMatchForm
from .common import (
    choose_cohort,
    cohort_from_query,
    components_and_reasons,
    page_context,
    score_shown_to,
)


def match_add_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Make a match by hand: pick the cohort, then the two people; preview, then create."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    cohort = cohort_from_query(request)
    if cohort is None:
        return choose_cohort(model_admin, request, title="Make a match by hand")
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
                    f"{match} are matched (score {score_shown_to(match, request.user)}). "
                    "Members see it once "
                    "notifications are released.",
                )
                return redirect("admin:matching_match_change", match.pk)
            preview = match_preview(mentor=mentor, mentee=mentee)
        except MatchingError as exc:
            form.add_error(None, str(exc))
    preview_parts = components_and_reasons(preview, request.user) if preview else ([], [])
    return TemplateResponse(
        request,
        "admin/matching/match/add.html",
        page_context(
            model_admin,
            request,
            title=f"Make a match by hand in {cohort.name}",
            cohort=cohort,
            form=form,
            preview=preview,
            preview_score=score_shown_to(preview, request.user) if preview else None,
            preview_components=preview_parts[0],
            preview_reasons=preview_parts[1],
        ),
    )
