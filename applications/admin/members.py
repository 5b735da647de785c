"""Members in the staff admin: memberships (with the roster import) and member profiles."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from accounts import admin_privacy
from core.access import access_record
from core.fields import ModelIdsField
from core.models import AccessRecord

from ..forms import PROFILE_FIELDS, PROFILE_PRIVATE_FIELDS, RosterUploadForm
from ..models import MemberProfile, Membership
from ..roster import RosterImportError, roster_import
from .common import SELF_IDENTIFICATION_PERMISSION

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
