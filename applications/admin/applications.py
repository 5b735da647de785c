"""Applications in the staff admin: the list with its cohort counts, filters, decisions and the
CSV export."""

from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts import admin_privacy
from accounts.admin_filters import ReferenceListFilter
from accounts.models import User
from cohorts.models import Cohort
from core.access import access_record
from core.models import AccessRecord
from core.spreadsheets import csv_response
from core.validators import id_or_none

from ..models import Application, CensusRegion, Role
from ..selectors import capacity_counters
from ..services import ApplicationError, application_decide


class RegionFilter(admin.SimpleListFilter):
    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return CensusRegion.choices

    def queryset(self, request, queryset):
        if self.value() in CensusRegion.values:
            return queryset.filter(member__profile__location__region=self.value())
        return queryset


EXPORT_COLUMNS = [
    "application_id",
    "cohort",
    "role",
    "status",
    "email",
    "first_name",
    "last_name",
    "state",
    "region",
    "career_stage",
    "practice_areas",
    "mentees_offered",
    "submitted_at",
]


def _export_row(application: Application) -> list:
    profile = getattr(application.member, "profile", None)
    location = profile.location if profile else None
    return [
        application.pk,
        application.cohort.slug,
        application.role,
        application.status,
        application.member.email,
        application.member.first_name,
        application.member.last_name,
        location.code if location else "",
        location.get_region_display() if location else "",
        str(profile.career_stage) if profile and profile.career_stage else "",
        "; ".join(str(a) for a in profile.practice_areas.all()) if profile else "",
        application.mentee_capacity if application.role == Role.MENTOR else "",
        application.submitted_at.isoformat() if application.submitted_at else "",
    ]


@admin.register(Application)
class ApplicationAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "member_name",
        "member_email",
        "cohort",
        "role",
        "status",
        "state",
        "career_stage",
        "priority",
        "submitted_at",
    ]
    list_filter = [
        ("cohort", ReferenceListFilter),
        "role",
        "status",
        "priority",
        RegionFilter,
        # Every state, area and stage (short reference lists, kept in the cache), not only
        # those some applicant has: "related only" scanned every application three times on
        # each page view.
        ("member__profile__location", ReferenceListFilter),
        ("member__profile__practice_areas", ReferenceListFilter),
        ("member__profile__career_stage", ReferenceListFilter),
        # Today, the past 7 days, this month, this year: what a coordinator looks for when
        # applications come in, without the date hierarchy's two scans of every application
        # (earliest and latest, then every day with one) on each page view.
        ("submitted_at", admin.DateFieldListFilter),
    ]
    search_fields = ["member__email", "member__first_name", "member__last_name", "goals", "offer"]
    list_select_related = ["cohort", "member"]
    # The state and the career stage, rather than a profile, a state and a stage a row.
    list_annotations = {
        "state_code": F("member__profile__location__code"),
        "career_stage_name": F("member__profile__career_stage__name"),
    }
    # What the columns show and nothing else (answers, snapshots, the cohort's texts and dates).
    list_defer = (
        *admin_privacy.columns_but(
            Application, keep=["role", "status", "priority", "submitted_at"]
        ),
        *admin_privacy.columns_but(Cohort, "cohort", keep=["name"]),
        *admin_privacy.columns_but(User, "member", keep=["first_name", "last_name", "email"]),
    )
    # A count of every application besides the filtered one, on each page view.
    show_full_result_count = False
    # Fifty a page: each row costs the admin about 0.4 ms to draw, and a coordinator looks
    # for applicants by filter and search, not by paging through hundreds.
    list_per_page = 50
    actions = ["accept", "waitlist", "decline", "export_csv"]
    change_list_template = "admin/applications/application/change_list.html"
    readonly_fields = [
        "cohort",
        "member",
        "role",
        "status",
        "priority",
        "profile_summary",
        "goals",
        "desired_practice_areas_list",
        "background_importance",
        "region_importance",
        "interests_importance",
        "wants_shared_background",
        "offer",
        "mentee_capacity",
        "availability",
        "agrees_to_commitment",
        "agrees_to_confidentiality",
        "created_at",
        "submitted_at",
        "decided_at",
        "decided_by",
    ]
    fieldsets = (
        (
            None,
            {"fields": ("cohort", "member", "role", "status", "priority", "profile_summary")},
        ),
        (
            "Mentee",
            {
                "classes": ("collapse",),
                "fields": (
                    "goals",
                    "desired_practice_areas_list",
                    "background_importance",
                    "region_importance",
                    "interests_importance",
                    "wants_shared_background",
                ),
            },
        ),
        ("Mentor", {"classes": ("collapse",), "fields": ("offer", "mentee_capacity")}),
        (
            "Both",
            {"fields": ("availability", "agrees_to_commitment", "agrees_to_confidentiality")},
        ),
        ("History", {"fields": ("created_at", "submitted_at", "decided_at", "decided_by")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Applications come from members; staff decide them with the actions.
        return False

    def view_on_site(self, obj: Application) -> str:
        # The member's own page is theirs alone (404 for staff); staff read and decide here.
        return reverse("applications:review", kwargs={"pk": obj.pk})

    def get_fieldsets(self, request: HttpRequest, obj: Application | None = None):
        # Only the answers of the role applied for: the other role's fields are empty defaults.
        hidden = {Role.MENTEE: "Mentor", Role.MENTOR: "Mentee"}.get(obj.role if obj else None)
        return [fs for fs in super().get_fieldsets(request, obj) if fs[0] != hidden]

    @admin.display(description="Name", ordering="member__last_name")
    def member_name(self, obj: Application) -> str:
        return obj.member.get_full_name() or "-"

    @admin.display(description="Email", ordering="member__email")
    def member_email(self, obj: Application) -> str:
        return obj.member.email

    @admin.display(description="State")
    def state(self, obj: Application) -> str:
        return obj.state_code or "-"

    @admin.display(description="Career stage")
    def career_stage(self, obj: Application) -> str:
        return obj.career_stage_name or "-"

    @admin.display(description="Mentor practice areas wanted")
    def desired_practice_areas_list(self, obj: Application) -> str:
        return ", ".join(str(a) for a in obj.desired_practice_areas.all()) or "-"

    @admin.display(description="Profile when submitted")
    def profile_summary(self, obj: Application) -> str:
        snap = obj.profile_snapshot or {}
        if not snap:
            return "Not submitted yet."
        parts = [
            snap.get("credentials") or "",
            snap.get("institution") or "",
            snap.get("location_name") or "",
            snap.get("career_stage_name") or "",
            snap.get("time_zone") or "",
        ]
        return " · ".join(p for p in parts if p)

    def _decide(self, request: HttpRequest, queryset: QuerySet, decision: str) -> None:
        try:
            changed = application_decide(
                application_ids=list(queryset.values_list("pk", flat=True)),
                decision=decision,
                decided_by=request.user,
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        label = Application.Status(decision).label.lower()
        self.message_user(
            request,
            f"{len(changed)} application(s) {label}; each applicant is being emailed.",
            messages.SUCCESS,
        )
        # What leaving "accepted" did to their pairs (ended or refused), and who was told.
        for application in changed:
            for note in getattr(application, "pair_notes", ()):
                self.message_user(request, f"{application.member}: {note}", messages.WARNING)

    @admin.action(description="Accept selected applications", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, Application.Status.ACCEPTED)

    @admin.action(description="Waitlist selected applications", permissions=["change"])
    def waitlist(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, Application.Status.WAITLISTED)

    @admin.action(description="Decline selected applications", permissions=["change"])
    def decline(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(request, queryset, Application.Status.DECLINED)

    @admin.action(description="Export selected applications to CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        applications = queryset.select_related(
            "cohort", "member", "member__profile__location", "member__profile__career_stage"
        ).prefetch_related("member__profile__practice_areas")
        rows = [EXPORT_COLUMNS, *map(_export_row, applications)]
        access_record(
            request=request,
            kind=AccessRecord.Kind.MEMBER_EXPORT,
            description=f"Applications CSV: {len(rows) - 1} applications",
        )
        return csv_response("applications", rows)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # A bad value is the change list's to report; the counters then cover every cohort.
        cohort_id = id_or_none(request.GET.get("cohort__id__exact"))
        cohorts = Cohort.objects.all() if not cohort_id else Cohort.objects.filter(pk=cohort_id)
        if not cohort_id:
            cohorts = cohorts.not_finished()
        counters = capacity_counters(cohorts)
        extra_context = {**(extra_context or {}), "capacity_counters": counters}
        return super().changelist_view(request, extra_context=extra_context)
