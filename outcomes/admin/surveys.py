"""Surveys in admin: staff build a survey with its questions inline, attach it to a cohort at a
point, add the standard surveys to a cohort, and read the results (a page and a CSV).

Answers are reached only through the results page and its CSV, never through a change list:
invitations, responses and answers have no admin of their own, and the survey list accepts only
the lookups its filters offer (`admin_privacy`), so no query string joins an answer to a person.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts import admin_privacy
from cohorts.models import Cohort
from core.access import access_record
from core.models import AccessRecord
from core.spreadsheets import csv_response
from core.validators import id_or_none

from ..models import Question, Survey
from ..selectors import response_rates, survey_export_rows, survey_results
from ..surveys import surveys_add_standard


class QuestionInline(admin.StackedInline):
    """The survey's questions; locked once anyone has answered, so that every answer stays
    an answer to the question as it was asked (and deleting a question cannot delete answers).
    """

    model = Question
    extra = 0
    fields = [
        ("order", "kind", "required"),
        "text",
        "help_text",
        "choices",
        "measures_match_satisfaction",
    ]

    def _answered(self, survey: Survey | None) -> bool:
        return survey is not None and survey.pk is not None and survey.responses.exists()

    def get_readonly_fields(self, request, obj=None):
        if self._answered(obj):
            return ["order", "kind", "required", *self.fields[1:]]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._answered(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._answered(obj) and super().has_delete_permission(request, obj)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "cohort",
            "title",
            "introduction",
            "point",
            "opens_on",
            "open_days",
            "audience",
            "privacy",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("point") == Survey.Point.MIDPOINT and not cleaned.get("opens_on"):
            self.add_error("opens_on", "A midpoint survey needs the day it opens.")
        return cleaned


class AddStandardForm(forms.Form):
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.order_by("-period_start"),
        help_text="The midpoint check-in (confidential) and the end-of-program survey "
        "(anonymous), as copies you can then edit.",
    )


@admin.register(Survey)
class SurveyAdmin(admin_privacy.ModelAdmin):
    form = SurveyForm
    inlines = [QuestionInline]
    list_display = [
        "title",
        "cohort",
        "point",
        "opens_on",
        "audience",
        "privacy",
        "invited",
        "responded",
        "results_link",
    ]
    list_filter = [("cohort", admin.RelatedOnlyFieldListFilter), "point", "privacy"]
    search_fields = ["title", "cohort__name"]
    fieldsets = [
        (None, {"fields": ["cohort", "title", "introduction"]}),
        ("When", {"fields": ["point", "opens_on", "open_days"]}),
        ("Who and how", {"fields": ["audience", "privacy"]}),
    ]
    change_list_template = "admin/outcomes/survey/change_list.html"
    change_form_template = "admin/outcomes/survey/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("cohort")
            .annotate(
                invited_count=Count("invitations", distinct=True),
                responded_count=Count(
                    "invitations",
                    filter=Q(invitations__responded_at__isnull=False),
                    distinct=True,
                ),
            )
        )

    @admin.display(description="Invited", ordering="invited_count")
    def invited(self, survey: Survey) -> int:
        return survey.invited_count

    @admin.display(description="Answered", ordering="responded_count")
    def responded(self, survey: Survey) -> int:
        return survey.responded_count

    @admin.display(description="Results")
    def results_link(self, survey: Survey) -> str:
        return format_html(
            '<a href="{}">Results</a>', reverse("admin:outcomes_survey_results", args=[survey.pk])
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<str:object_id>/results/", view(self.results_view), name="outcomes_survey_results"
            ),
            path(
                "<str:object_id>/results/csv/",
                view(self.export_view),
                name="outcomes_survey_export",
            ),
            path("add-standard/", view(self.add_standard_view), name="outcomes_survey_standard"),
            *super().get_urls(),
        ]

    def _get_survey(self, request: HttpRequest, object_id: str) -> Survey:
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        survey = get_object_or_404(Survey.objects.select_related("cohort"), pk=pk)
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        return survey

    def results_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        survey = self._get_survey(request, object_id)
        return TemplateResponse(
            request,
            "admin/outcomes/survey/results.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": survey,
                "title": f"Results: {survey.title}",
                "survey": survey,
                "rates": response_rates(survey),
                "results": survey_results(survey),
            },
        )

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        survey = self._get_survey(request, object_id)
        if not survey.is_anonymous:
            # A confidential survey's answers come with the names of who gave them.
            access_record(
                request=request,
                kind=AccessRecord.Kind.MEMBER_EXPORT,
                description=f"Answers CSV of the confidential survey {survey.pk} ({survey})",
            )
        return csv_response(f"survey-{survey.pk}-answers", survey_export_rows(survey))

    def add_standard_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AddStandardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            cohort = form.cleaned_data["cohort"]
            added = surveys_add_standard(cohort=cohort)
            if added:
                messages.success(
                    request,
                    f"Added {len(added)} standard survey{'s' if len(added) != 1 else ''} to "
                    f"{cohort.name}. Check their dates and questions below.",
                )
            else:
                messages.info(request, f"{cohort.name} already has the standard surveys.")
            return redirect(
                reverse("admin:outcomes_survey_changelist") + f"?cohort__id__exact={cohort.pk}"
            )
        return TemplateResponse(
            request,
            "admin/outcomes/survey/add_standard.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Add the standard surveys to a cohort",
                "form": form,
            },
        )
