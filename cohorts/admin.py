from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget, AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts import admin_privacy
from core.text import day_text

from .models import RESOURCE_FILE_EXTENSIONS, Cohort, Resource
from .services import cohort_next_initial, cohort_start_next, resource_delete, resource_save


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with a label of its own.

    Django's field label points at the date input only; its "Date:" and "Time:" are plain
    text, so the time input had no name for a screen reader (WCAG 1.3.1, 4.1.2).
    """

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        for key, subwidget in zip(
            ("date_label", "time_label"), context["widget"]["subwidgets"], strict=True
        ):
            if subwidget["attrs"].get("id"):
                context[key] = format_html(
                    '<label for="{}">{}</label>', subwidget["attrs"]["id"], context[key]
                )
        return context


@admin.register(Cohort)
class CohortAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "name",
        "phase_label",
        "applications_open_at",
        "application_deadline",
        "match_notification_date",
        "period_start",
        "period_end",
    ]
    search_fields = ["name", "slug"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.DateTimeField: {"widget": LabelledSplitDateTime},
    }
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = (
        (None, {"fields": ("name", "slug", "description")}),
        (
            "Dates",
            {
                "fields": (
                    "applications_open_at",
                    "application_deadline",
                    "match_notification_date",
                    ("period_start", "period_end"),
                )
            },
        ),
        (
            "Orientation",
            {
                "description": "The training orientation that starts the mentorship period. "
                "Accepted mentors and mentees see it, with a calendar file, in their workspace.",
                "fields": (
                    ("orientation_at", "orientation_duration"),
                    "orientation_link",
                    "orientation_details",
                ),
            },
        ),
        ("Hour commitment", {"fields": (("min_total_hours", "min_monthly_hours"),)}),
        (
            "Retention",
            {
                "description": "On the retention date the private parts of the cohort's "
                "records are removed: notes, goal text, comments, confidential survey free "
                "text and self-identification. Dates, hours, statuses and certificates stay.",
                "fields": ("retention_date", "retention_status"),
            },
        ),
        (
            "Capacity",
            {
                "fields": (
                    ("mentee_capacity", "mentor_capacity"),
                    ("default_mentees_per_mentor", "max_mentees_per_mentor"),
                )
            },
        ),
        (
            "Matching",
            {
                "description": "Relative weight of each part of a pair's score, and the lowest "
                "score worth proposing.",
                "fields": (
                    ("weight_background", "weight_region"),
                    ("weight_interests", "weight_shared_background"),
                    "min_match_score",
                    "matching_objective",
                ),
            },
        ),
    )

    readonly_fields = ["retention_status"]

    @admin.display(description="Private data")
    def retention_status(self, obj: Cohort) -> str:
        if obj.pk is None:
            return "Set the period first."
        # The privacy app records each removal under this reverse name; cohorts cannot import
        # it (privacy sits above cohorts), and without it installed there is no record.
        purges = getattr(obj, "retention_purges", None)
        first = purges.order_by("ran_at").first() if purges is not None else None
        due = day_text(obj.retention_due_on)
        if first is not None:
            return f"Due on {due}. Private data removed on {day_text(first.ran_at)}."
        return f"Private data will be removed on {due}."

    @admin.display(description="Phase")
    def phase_label(self, obj: Cohort) -> str:
        return obj.phase.label

    # Matching's admin adds its own (release, invite the waitlist to the next cohort).
    actions = ["start_next_cohort"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/next/",
                self.admin_site.admin_view(self.next_cohort_view),
                name="cohorts_cohort_next",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Start the next cohort from the selected cohort", permissions=["add"])
    def start_next_cohort(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        cohorts = list(queryset[:2])
        if len(cohorts) != 1:
            self.message_user(
                request, "Select exactly one cohort to start the next one from.", messages.ERROR
            )
            return None
        return redirect("admin:cohorts_cohort_next", cohorts[0].pk)

    def next_cohort_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The next cohort's dates (a year on, editable), then everything else copied."""
        from .forms import NextCohortForm

        if not self.has_add_permission(request):
            raise PermissionDenied
        cohort = get_object_or_404(Cohort, pk=pk)
        form = NextCohortForm(request.POST or None, initial=cohort_next_initial(cohort))
        if request.method == "POST" and form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                follower = cohort_start_next(cohort=cohort, fields=fields)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"{follower.name} is started from {cohort.name}: capacity, hour commitment, "
                    "matching weights, resources and surveys are copied. Invite "
                    f"{cohort.name}'s waitlist from the cohorts list when you are ready.",
                    messages.SUCCESS,
                )
                return redirect("admin:cohorts_cohort_change", follower.pk)
        return TemplateResponse(
            request,
            "admin/cohorts/cohort/next.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"Start the cohort after {cohort.name}",
                "cohort": cohort,
                "form": form,
                "media": self.media + form.media,
            },
        )


@dataclass(frozen=True)
class _CurrentFile:
    """What the file input shows for the stored file: its original name, linking to the
    access-checked download, since uploads have no public URL."""

    url: str
    name: str

    def __str__(self) -> str:
        return self.name


class ResourceFileWidget(AdminFileWidget):
    """The admin's file input, offering only the allowed types and showing the stored file
    under its original name."""

    def __init__(self, attrs: dict | None = None) -> None:
        # A hint for the browser's file picker; the model's validators are what enforce it.
        accept = ",".join(f".{extension}" for extension in RESOURCE_FILE_EXTENSIONS)
        super().__init__({"accept": accept, **(attrs or {})})

    def get_context(self, name: str, value, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            resource = value.instance
            context["widget"]["value"] = _CurrentFile(
                url=reverse("cohorts:resource_file", kwargs={"pk": resource.pk}),
                name=resource.original_filename or value.name,
            )
        return context


@admin.register(Resource)
class ResourceAdmin(admin_privacy.ModelAdmin):
    list_display = ["title", "audience", "phase", "cohort", "order", "kind"]
    list_editable = ["order"]
    list_filter = ["cohort", "audience", "phase"]
    list_select_related = ["cohort"]
    search_fields = ["title"]
    # An empty cohort means the resource is for every cohort, in the list and in its filter.
    empty_value_display = "Every cohort"
    fieldsets = (
        (None, {"fields": ("title", "description")}),
        (
            "Link or file",
            {"description": "Give exactly one of the two.", "fields": ("url", "file")},
        ),
        (
            "Who and when",
            {
                "description": "Within a phase, lower order numbers come first.",
                "fields": ("audience", "phase", "cohort", "order"),
            },
        ),
    )
    formfield_overrides = {
        models.FileField: {"widget": ResourceFileWidget},
        models.URLField: {"assume_scheme": "https"},
    }

    @admin.display(description="Kind")
    def kind(self, obj: Resource) -> str:
        return "File" if obj.is_file else "Link"

    # Writes go through the services, which also remove files no longer used.
    def save_model(self, request: HttpRequest, obj: Resource, form, change: bool) -> None:
        resource_save(resource=obj)

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        resource_delete(resource=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            resource_delete(resource=resource)
