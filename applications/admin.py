from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import admin_privacy
from cohorts.models import Cohort
from core.access import access_record
from core.fields import ModelIdsField
from core.models import AccessRecord
from core.spreadsheets import csv_response
from core.validators import id_or_none

from .forms import PROFILE_FIELDS, PROFILE_PRIVATE_FIELDS, RosterUploadForm
from .models import (
    Application,
    BackgroundGroup,
    CareerStage,
    CensusRegion,
    Interest,
    Location,
    MemberProfile,
    Membership,
    PracticeArea,
    Role,
)
from .roster import RosterImportError, roster_import
from .services import ApplicationError, application_decide

SELF_IDENTIFICATION_PERMISSION = "applications.view_self_identification"
# Self-identification, and the submitted application's frozen copy of it: never searched or
# filtered on by staff without the permission.
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, MemberProfile, PROFILE_PRIVATE_FIELDS)
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, Application, ["profile_snapshot"])

# Single sign-on is configured from the environment only (applications/sso.py), and no token is
# kept: allauth's pages for provider apps, tokens and the raw claims of linked accounts would
# offer staff settings that do nothing and members' claims they need not read.
for _model in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Location)
class LocationAdmin(admin_privacy.ModelAdmin):
    list_display = ["name", "code", "region", "division", "default_time_zone", "order"]
    list_filter = ["region", "division"]
    search_fields = ["name", "code"]


class ReferenceAdmin(admin_privacy.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(PracticeArea)
class PracticeAreaAdmin(ReferenceAdmin):
    list_display = ["name", "kind", "order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(CareerStage)
class CareerStageAdmin(ReferenceAdmin):
    list_display = ["name", "order", "is_student", "is_active"]


@admin.register(Interest)
class InterestAdmin(ReferenceAdmin):
    list_display = ["name", "category", "order", "is_active"]
    list_filter = ["category", "is_active"]


@admin.register(BackgroundGroup)
class BackgroundGroupAdmin(ReferenceAdmin):
    pass


# A file of junk has a row error per line: the page lists the first ones and counts the rest.
ROSTER_ERRORS_SHOWN = 100


class MembershipStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("linked", "Linked to an account"),
            ("unlinked", "Not linked"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "linked":
            return queryset.filter(user__isnull=False)
        if self.value() == "unlinked":
            return queryset.filter(user__isnull=True)
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=timezone.localdate())
        return queryset


@admin.register(Membership)
class MembershipAdmin(admin_privacy.ModelAdmin):
    list_display = ["member_number", "last_name", "first_name", "email", "expires_on", "user"]
    list_filter = [MembershipStatusFilter]
    search_fields = ["member_number", "email", "last_name", "first_name", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "linked_at", "imported_at", "updated_at"]
    change_list_template = "admin/applications/membership/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="applications_membership_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                result = roster_import(file=form.cleaned_data["file"])
            except RosterImportError as exc:
                errors = exc.errors
            else:
                self.message_user(
                    request,
                    f"Roster imported: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged.",
                    messages.SUCCESS,
                )
                return redirect("admin:applications_membership_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import the member roster",
            "form": form,
            "errors": errors[:ROSTER_ERRORS_SHOWN],
            "error_count": len(errors),
            "errors_not_shown": max(len(errors) - ROSTER_ERRORS_SHOWN, 0),
        }
        return TemplateResponse(request, "admin/applications/membership/import.html", context)


@admin.register(MemberProfile)
class MemberProfileAdmin(admin_privacy.ModelAdmin):
    list_display = ["user", "location", "career_stage", "time_zone", "updated_at"]
    list_filter = ["location__region", "career_stage"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "institution"]
    list_select_related = ["user", "location", "career_stage"]
    # Not an autocomplete: its widget queries the posted value as an id while showing the form
    # again, so a value that is no id turned the error page into a 500.
    raw_id_fields = ["user"]
    formfield_overrides = {models.ManyToManyField: {"form_class": ModelIdsField}}
    filter_horizontal = ["practice_areas", "interests"]

    def get_fields(self, request, obj=None):
        # Self-identification is private: only staff explicitly trusted with it see it at all.
        if request.user.has_perm(SELF_IDENTIFICATION_PERMISSION):
            return ["user", *PROFILE_FIELDS, *PROFILE_PRIVATE_FIELDS]
        return ["user", *PROFILE_FIELDS]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # The page shows the member's self-identification to staff holding the permission:
        # each time it does is on the record (a saved form or a missing profile redirects, and
        # shows nothing).
        profile = getattr(response, "context_data", {}).get("original")
        sees = request.user.has_perm(SELF_IDENTIFICATION_PERMISSION)
        if profile is not None and sees:
            access_record(
                request=request,
                kind=AccessRecord.Kind.SELF_IDENTIFICATION,
                description=f"Profile {profile.pk} of {profile.user} ({profile.user.email})",
            )
        return response


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
        "cohort",
        "role",
        "status",
        "priority",
        RegionFilter,
        # Every state, area and stage (short reference lists), not only those some applicant
        # has: "related only" scanned every application three times on each page view.
        "member__profile__location",
        "member__profile__practice_areas",
        "member__profile__career_stage",
    ]
    search_fields = ["member__email", "member__first_name", "member__last_name", "goals", "offer"]
    list_select_related = [
        "cohort",
        "member",
        "member__profile__location",
        "member__profile__career_stage",
    ]
    date_hierarchy = "submitted_at"
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

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("desired_practice_areas")

    @admin.display(description="Name", ordering="member__last_name")
    def member_name(self, obj: Application) -> str:
        return obj.member.get_full_name() or "-"

    @admin.display(description="Email", ordering="member__email")
    def member_email(self, obj: Application) -> str:
        return obj.member.email

    @admin.display(description="State")
    def state(self, obj: Application) -> str:
        profile = getattr(obj.member, "profile", None)
        return profile.location.code if profile and profile.location else "-"

    @admin.display(description="Career stage")
    def career_stage(self, obj: Application) -> str:
        profile = getattr(obj.member, "profile", None)
        return str(profile.career_stage) if profile and profile.career_stage else "-"

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
        accepted = Q(applications__status=Application.Status.ACCEPTED)
        counters = cohorts.annotate(
            accepted_mentees=Count(
                "applications", filter=accepted & Q(applications__role=Role.MENTEE)
            ),
            accepted_mentors=Count(
                "applications", filter=accepted & Q(applications__role=Role.MENTOR)
            ),
            submitted=Count(
                "applications", filter=~Q(applications__status__in=["draft", "withdrawn"])
            ),
        ).order_by("application_deadline")
        extra_context = {**(extra_context or {}), "capacity_counters": counters}
        return super().changelist_view(request, extra_context=extra_context)
