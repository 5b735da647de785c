"""Meetings in admin: the list of their facts, and staff corrections through `meeting_correct`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts import admin_privacy
from core.validators import id_or_none, validate_program_date

from ..forms import DURATION_HELP, DateTimeInput
from ..models import MAX_MEETING_MINUTES, MIN_MEETING_MINUTES, Meeting
from ..selectors import pair_zone
from ..services import WorkspaceError, meeting_correct
from .common import PRIVATE_MEETING_FIELDS, admin_context


class MeetingCorrectionForm(forms.Form):
    """The facts of a meeting staff may correct; nothing the pair wrote."""

    starts_at = forms.DateTimeField(
        label="Date and time", widget=DateTimeInput(), validators=[validate_program_date]
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=MIN_MEETING_MINUTES,
        max_value=MAX_MEETING_MINUTES,
        help_text=DURATION_HELP,
        error_messages={
            "min_value": f"A meeting lasts at least {MIN_MEETING_MINUTES} minutes.",
            "max_value": f"A meeting lasts at most {MAX_MEETING_MINUTES} minutes.",
        },
    )
    format = forms.ChoiceField(choices=Meeting.Format.choices)
    status = forms.ChoiceField(
        choices=Meeting.Status.choices,
        help_text="Only held meetings count in the ledger.",
    )

    def __init__(self, *args, meeting: Meeting, zone_name: str, **kwargs):
        initial = {
            "starts_at": timezone.localtime(meeting.starts_at),
            "duration_minutes": meeting.duration_minutes,
            "format": meeting.format,
            "status": meeting.status,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["starts_at"].help_text = (
            f"In your time zone ({timezone.get_current_timezone_name()}). The ledger counts a "
            f"held meeting on its day in the mentee's time zone ({zone_name})."
        )


@admin.register(Meeting)
class MeetingAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "pair",
        "starts_at",
        "held_on",
        "duration_minutes",
        "format",
        "status",
        "logged_by",
        "confirmed",
    ]
    list_filter = ["status", "format", ("match__cohort", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["match__mentor__member", "match__mentee__member", "logged_by"]
    search_fields = [
        "match__mentor__member__last_name",
        "match__mentor__member__email",
        "match__mentee__member__last_name",
        "match__mentee__member__email",
    ]
    date_hierarchy = "starts_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer(*PRIVATE_MEETING_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the pair plans and logs its meetings

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting takes hours off a ledger with no trace in it; correcting the status is the
        # usual way, deleting a duplicate is a superuser's call.
        return request.user.is_superuser

    @admin.display(description="Pair", ordering="match__mentor__member__last_name")
    def pair(self, meeting: Meeting) -> str:
        return f"{meeting.match.mentor.member} & {meeting.match.mentee.member}"

    @admin.display(description="Confirmed", boolean=True, ordering="confirmed_at")
    def confirmed(self, meeting: Meeting) -> bool:
        return meeting.confirmed_at is not None

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """Correct the facts of a meeting through `meeting_correct`, whose refusals show on
        the form, unlike a `save_model` override, which cannot report back."""
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        meeting = get_object_or_404(
            self.get_queryset(request).select_related(
                "match__cohort",
                "match__mentor__member",
                "match__mentee__member__profile",
                "logged_by",
                "confirmed_by",
                "created_by",
            ),
            pk=pk,
        )
        if not self.has_view_or_change_permission(request, meeting):
            raise PermissionDenied
        can_change = self.has_change_permission(request, meeting)
        zone = pair_zone(meeting.match)
        form = MeetingCorrectionForm(
            request.POST if request.method == "POST" else None, meeting=meeting, zone_name=zone.key
        )
        if not can_change:
            for field in form.fields.values():
                field.disabled = True
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if form.is_valid():
                try:
                    meeting_correct(meeting=meeting, corrected_by=request.user, **form.cleaned_data)
                except WorkspaceError as exc:
                    form.add_error(None, str(exc))
                else:
                    if form.has_changed():
                        self.log_change(
                            request, meeting, self.construct_change_message(request, form, None)
                        )
                        messages.success(request, f"{meeting} was corrected.")
                    else:
                        messages.info(request, "Nothing was changed.")
                    return redirect("admin:meetings_meeting_changelist")
        return TemplateResponse(
            request,
            "admin/meetings/meeting/correct.html",
            admin_context(
                self,
                request,
                title=f"Correct the meeting of {meeting.match}"
                if can_change
                else f"Meeting of {meeting.match}",
                meeting=meeting,
                original=meeting,
                form=form,
                zone=zone,
                can_change=can_change,
                can_delete=self.has_delete_permission(request, meeting),
                pair_url=reverse("admin:meetings_pair_change", args=[meeting.match_id]),
            ),
        )
