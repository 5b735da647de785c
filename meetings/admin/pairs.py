"""Pairs in admin: hours, months met, progress and activity per pair, a read-only summary, and
the hours per month as CSV."""

from collections.abc import Iterable, Iterator

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import admin_privacy
from core.access import access_record
from core.models import AccessRecord
from core.spreadsheets import csv_stream
from core.text import duration_short_text
from core.validators import id_or_none
from matching.models import Match

from ..hooks import pair_flags
from ..ledger import Ledger, LedgerStatus
from ..models import Goal, Meeting, Pair, PairConcern
from ..selectors import PairActivity, ledger_for, ledgers_for, pair_activity, pair_zone
from .common import END_PERMISSION, PRIVATE_MEETING_FIELDS, WORKSPACE_PERMISSION, admin_context
from .rematch import REMATCH_PERMISSIONS, rematch_view


class ConcernFilter(admin.SimpleListFilter):
    title = "told the office"
    parameter_name = "concern"

    def lookups(self, request, model_admin):
        return [("open", "Not handled yet"), ("any", "Ever")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(has_open_concern=True)
        if self.value() == "any":
            return queryset.filter(Exists(PairConcern.objects.filter(match=OuterRef("pk"))))
        return queryset


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
    filters leave, their minutes read through a subquery of those pairs (not a list of their
    ids, which a large program would take past the database's parameter limit), then the ids
    of the pairs with the status chosen.

    The status stays in Python (`meetings.ledger`), not in an annotation: it turns on "today"
    in each pair's own time zone (SQLite, which the tests use, has no zone data; PostgreSQL's
    AT TIME ZONE would make it database-specific), on every month of the period (any month
    under the minimum, the last finished month) and on rounded paces. Spelled again in SQL
    it would be a second definition of the rule to drift from the one pages and emails show.
    The list it ends with holds at most the pairs the other filters leave."""

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


class FlagFilter(admin.SimpleListFilter):
    """By the flags other apps register (`hooks.pair_flag_register`): a low survey answer."""

    title = "flagged"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [(flag.key, flag.label) for flag in pair_flags()]

    def queryset(self, request, queryset):
        for flag in pair_flags():
            if self.value() == flag.key:
                return queryset.filter(pk__in=flag.pair_ids())
        return queryset


def _flags_of(pair_ids: list[int]) -> dict[int, list[str]]:
    """Each pair's flags' labels: one query per registered flag for the whole page."""
    labels: dict[int, list[str]] = {pk: [] for pk in pair_ids}
    for flag in pair_flags():
        flagged = Match.objects.filter(pk__in=pair_ids).filter(pk__in=flag.pair_ids())
        for pk in flagged.values_list("pk", flat=True):
            labels[pk].append(flag.label)
    return labels


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


def hours_csv_response(request: HttpRequest, pairs: Iterable[Match]) -> StreamingHttpResponse:
    """Hours per pair per month as CSV, streamed; two queries whatever the number of pairs."""
    # Read everything now, while the request's database connection is certainly ours; the
    # generator below only formats.
    pairs = list(pairs)
    # Members' names and their pairs' hours leave the system: on the record.
    access_record(
        request=request,
        kind=AccessRecord.Kind.MEMBER_EXPORT,
        description=f"Pair hours CSV: {len(pairs)} pairs",
    )
    return csv_stream("pair-hours", _hours_rows(pairs, ledgers_for(pairs)))


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
        "told_the_office",
        "flags",
    ]
    list_filter = [
        ("cohort", admin.RelatedOnlyFieldListFilter),
        MatchStatusFilter,
        ConcernFilter,
        FlagFilter,
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
        open_concerns = PairConcern.objects.open().filter(match=OuterRef("pk"))
        pairs = Pair.objects.released().with_people()
        return pairs.annotate(has_open_concern=Exists(open_concerns))

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
            path(
                "<int:pk>/rematch/",
                self.admin_site.admin_view(self.rematch_view),
                name="meetings_pair_rematch",
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
        flags = _flags_of([pair.pk for pair in rows])
        for pair in rows:
            pair.ledger = ledgers[pair.pk]
            pair.activity = activity[pair.pk]
            pair.flag_labels = flags[pair.pk]
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

    @admin.display(description="Told the office", boolean=True, ordering="has_open_concern")
    def told_the_office(self, pair: Pair) -> bool:
        return pair.has_open_concern

    def rematch_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """End the pair and rematch the member who stays (see `rematch`)."""
        return rematch_view(self, request, pk)

    @admin.display(description="Flags")
    def flags(self, pair: Pair) -> str:
        if not hasattr(pair, "flag_labels"):
            pair.flag_labels = _flags_of([pair.pk])[pair.pk]
        return ", ".join(pair.flag_labels) or "-"

    @admin.action(description="Export hours per month of selected pairs (CSV)")
    def export_hours_csv(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        return hours_csv_response(request, queryset.with_people())

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
        return hours_csv_response(request, changelist.queryset)

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
            admin_context(
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
                concerns=PairConcern.objects.for_match(pair).select_related(
                    "raised_by", "resolved_by"
                ),
                rematch_url=reverse("admin:meetings_pair_rematch", args=[pair.pk])
                if user.has_perms(REMATCH_PERMISSIONS)
                else None,
                workspace_url=reverse("meetings:workspace", args=[pair.pk])
                if user.has_perm(WORKSPACE_PERMISSION)
                else None,
                can_see_meetings=user.has_perm("meetings.view_meeting")
                or user.has_perm("meetings.change_meeting"),
            ),
        )
