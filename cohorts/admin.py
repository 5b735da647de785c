from django.contrib import admin

from .models import Cohort


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
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
                    "orientation_at",
                    ("period_start", "period_end"),
                )
            },
        ),
        ("Hour commitment", {"fields": (("min_total_hours", "min_monthly_hours"),)}),
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
                ),
            },
        ),
    )

    @admin.display(description="Phase")
    def phase_label(self, obj: Cohort) -> str:
        return obj.phase.label
