"""Staff oversight of pairs: hours, months met, progress, activity; meeting corrections.

What a pair writes stays private here: the admin shows dates, durations, formats and statuses,
and counts of goals, never agendas, notes, topics, next steps, video links or goal text. The
private columns are not even read (`defer`), so no page can leak them by accident. Staff who
hold `meetings.view_pair_workspace` get a link to the pair's workspace instead.
"""

import csv
from collections.abc import Iterable, Iterator

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import admin_privacy
from core.spreadsheets import csv_safe
from core.text import duration_short_text
from core.validators import id_or_none, validate_program_date
from matching.models import Match

from .forms import DURATION_HELP, DateTimeInput
from .ledger import Ledger, LedgerStatus
from .models import (
    MAX_MEETING_MINUTES,
    MIN_MEETING_MINUTES,
    ActionItem,
    Expectations,
    Goal,
    GoalComment,
    Meeting,
    Pair,
)
from .services import (
    PairActivity,
    WorkspaceError,
    ledger_for,
    ledgers_for,
    meeting_correct,
    pair_activity,
    pair_zone,
)

WORKSPACE_PERMISSION = "meetings.view_pair_workspace"
END_PERMISSION = "matching.change_match"
# The pair's own words: never selected, shown or exported by the admin.
PRIVATE_MEETING_FIELDS = ["agenda", "video_link", "topics", "notes", "next_steps"]
# Nor searched or filtered on, from any list, by staff without the workspace permission.
admin_privacy.private_fields(WORKSPACE_PERMISSION, Meeting, PRIVATE_MEETING_FIELDS)
admin_privacy.private_fields(WORKSPACE_PERMISSION, Goal, ["title", "description"])
admin_privacy.private_fields(WORKSPACE_PERMISSION, ActionItem, ["title"])
admin_privacy.private_fields(WORKSPACE_PERMISSION, GoalComment, ["body"])
admin_privacy.private_fields(
    WORKSPACE_PERMISSION, Expectations, ["meeting_plan", "communication", "other"]
)


class _Echo:
    """A file-like object whose write returns the line, for streaming with csv.writer."""

    def write(self, value: str) -> str:
        return value


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


# ---------------------------------------------------------------------------------------------
# Pairs
# ---------------------------------------------------------------------------------------------


class MatchStatusFilter(admin.SimpleListFilter):
    title = "match status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(Match.Status.APPROVED, "Active"), (Match.Status.ENDED, "Ended")]

    def queryset(self, request, queryset):
        if self.value() in {Match.Status.APPROVED, Match.Status.ENDED}:
            return queryset.filter(status=self.value())
        return queryset


class ProgressFilter(admin.SimpleListFilter):
    """By ledger status, which is computed, not stored: the ledgers of every pair the other
    filters leave, in one query, then their ids."""

    title = "progress"
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return LedgerStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in LedgerStatus.values:
            return queryset
        ledgers = ledgers_for(queryset.with_people())
        return queryset.filter(
            pk__in=[pk for pk, ledger in ledgers.items() if ledger.status == self.value()]
        )


def _hours(ledger: Ledger) -> str:
    total, required = ledger.total_minutes, ledger.required_minutes
    return f"{duration_short_text(total)} of {duration_short_text(required)}"


def _hours_rows(pairs: list[Match], ledgers: dict[int, Ledger]) -> Iterator[list]:
    yield [
        "pair_id",
        "cohort",
        "mentor",
        "mentee",
        "month",
        "minutes",
        "monthly_minimum_met",
        "month_state",
        "total_minutes",
        "required_minutes",
        "status",
    ]
    for pair in pairs:
        ledger = ledgers[pair.pk]
        for month in ledger.months:
            yield [
                pair.pk,
                pair.cohort.name,
                str(pair.mentor.member),
                str(pair.mentee.member),
                f"{month.month:%Y-%m}",
                month.minutes,
                "yes" if month.is_met else "no",
                month.state.label,
                ledger.total_minutes,
                ledger.required_minutes,
                ledger.status.label,
            ]


def hours_csv_response(pairs: Iterable[Match]) -> StreamingHttpResponse:
    """Hours per pair per month as CSV, streamed; two queries whatever the number of pairs."""
    # Read everything now, while the request's database connection is certainly ours; the
    # generator below only formats.
    pairs = list(pairs)
    ledgers = ledgers_for(pairs)
    writer = csv.writer(_Echo())
    lines = (
        writer.writerow([csv_safe(cell) for cell in row]) for row in _hours_rows(pairs, ledgers)
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="pair-hours-{stamp}.csv"'
    return response


@admin.register(Pair)
class PairAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "mentor_name",
        "mentee_name",
        "cohort",
        "total_hours",
        "months_met",
        "progress",
        "last_meeting",
        "meetings_held",
        "goals",
        "match_status",
    ]
    list_filter = [
        ("cohort", admin.RelatedOnlyFieldListFilter),
        MatchStatusFilter,
        # Last, so that it computes the ledgers of the pairs the other filters leave only.
        ProgressFilter,
    ]
    search_fields = [
        "mentor__member__first_name",
        "mentor__member__last_name",
        "mentor__member__email",
        "mentee__member__first_name",
        "mentee__member__last_name",
        "mentee__member__email",
    ]
    ordering = ["-cohort__period_start", "mentor__member__last_name", "pk"]
    actions = ["export_hours_csv"]
    change_list_template = "admin/meetings/pair/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return Pair.objects.released().with_people()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a pair is a released match: made and released in Matching

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # nothing here to change; ending a pair is the match's "End" page

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a pair's record stays; end it instead

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="meetings_pair_export",
            ),
            *super().get_urls(),
        ]

    def get_changelist_instance(self, request: HttpRequest):
        """The ledgers and activity of the page's rows, in three queries for the whole page."""
        changelist = super().get_changelist_instance(request)
        # Evaluating the page caches its rows in `result_list`: the template renders these same
        # instances, so the display methods below find what is attached here.
        rows = list(changelist.result_list)
        ledgers = ledgers_for(rows)
        activity = pair_activity(pair.pk for pair in rows)
        for pair in rows:
            pair.ledger = ledgers[pair.pk]
            pair.activity = activity[pair.pk]
        return changelist

    def _ledger(self, pair: Pair) -> Ledger:
        # Outside the change list (nothing attached), one pair at a time.
        if not hasattr(pair, "ledger"):
            pair.ledger = ledger_for(pair)
        return pair.ledger

    def _activity(self, pair: Pair) -> PairActivity:
        if not hasattr(pair, "activity"):
            pair.activity = pair_activity([pair.pk])[pair.pk]
        return pair.activity

    @admin.display(description="Mentor", ordering="mentor__member__last_name")
    def mentor_name(self, pair: Pair) -> str:
        return str(pair.mentor.member)

    @admin.display(description="Mentee", ordering="mentee__member__last_name")
    def mentee_name(self, pair: Pair) -> str:
        return str(pair.mentee.member)

    @admin.display(description="Total hours")
    def total_hours(self, pair: Pair) -> str:
        return _hours(self._ledger(pair))

    @admin.display(description="Months met")
    def months_met(self, pair: Pair) -> str:
        ledger = self._ledger(pair)
        return f"{ledger.months_met} of {len(ledger.months)}"

    @admin.display(description="Progress")
    def progress(self, pair: Pair) -> str:
        return self._ledger(pair).status.label

    @admin.display(description="Last meeting")
    def last_meeting(self, pair: Pair):
        return self._activity(pair).last_meeting_on

    @admin.display(description="Meetings held")
    def meetings_held(self, pair: Pair) -> int:
        return self._activity(pair).meetings_held

    @admin.display(description="Goals")
    def goals(self, pair: Pair) -> str:
        activity = self._activity(pair)
        return f"{activity.open_goals} open, {activity.goals_achieved} achieved"

    @admin.display(description="Match status", ordering="status")
    def match_status(self, pair: Pair) -> str:
        return "Active" if pair.status == Match.Status.APPROVED else "Ended"

    @admin.action(description="Export hours per month of selected pairs (CSV)")
    def export_hours_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        return hours_csv_response(queryset.with_people())

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The CSV of every pair the change list shows now, with its filters and search."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            # The plain change list: the rows of one page and their ledgers are not needed here.
            changelist = super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, "Those filters do not apply to pairs; showing all pairs.")
            return redirect("admin:meetings_pair_changelist")
        return hours_csv_response(changelist.queryset)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """A read-only summary: the people, the ledger, the meetings' facts, goal counts."""
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        pair = get_object_or_404(self.get_queryset(request).select_related("ended_by"), pk=pk)
        if not self.has_view_permission(request, pair):
            raise PermissionDenied
        ledger = ledger_for(pair)
        meetings = (
            Meeting.objects.for_match(pair)
            .defer(*PRIVATE_MEETING_FIELDS)
            .select_related("logged_by", "confirmed_by")
            .order_by("starts_at", "pk")
        )
        goal_counts = dict(
            Goal.objects.filter(match=pair)
            .values_list("status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        user = request.user
        return TemplateResponse(
            request,
            "admin/meetings/pair/summary.html",
            _context(
                self,
                request,
                title=str(pair),
                pair=pair,
                original=pair,
                ledger=ledger,
                hours=_hours(ledger),
                activity=pair_activity([pair.pk])[pair.pk],
                meetings=meetings,
                zone=pair_zone(pair),
                goal_counts=[
                    (label, goal_counts.get(value, 0)) for value, label in Goal.Status.choices
                ],
                end_url=reverse("admin:matching_match_end", args=[pair.pk])
                if pair.status == Match.Status.APPROVED and user.has_perm(END_PERMISSION)
                else None,
                workspace_url=reverse("meetings:workspace", args=[pair.pk])
                if user.has_perm(WORKSPACE_PERMISSION)
                else None,
                can_see_meetings=user.has_perm("meetings.view_meeting")
                or user.has_perm("meetings.change_meeting"),
            ),
        )


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


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
            _context(
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
