"""Match runs in admin: *Run matching* (the cohort's weights, then a run) and a run's result page,
where staff read each proposed pair's reasons and approve or reject them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Avg, Count, Func, IntegerField, JSONField, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from accounts import admin_privacy
from accounts.admin_filters import ReferenceListFilter
from accounts.models import name_of
from applications.models import Application, Interest, PracticeArea
from core.validators import id_or_none

from ..exceptions import MatchingError
from ..forms import RunStartForm
from ..models import Algorithm, Match, MatchRun
from ..runs import match_run_start
from ..scoring import COMPONENT_LABELS, COMPONENTS
from ..selectors import match_run_changes
from .common import (
    choose_cohort,
    cohort_from_query,
    decide,
    hundredths,
    page_context,
    sees_background,
    shown_parts,
    shown_unmatched_reason,
    with_shown_score,
)

# A pair's row is tall (both people's facts, the score's parts, the reasons) and staff read each
# before ticking it: 25 is a screenful or two, and a page of them renders in a few milliseconds.
PAIRS_PER_PAGE = 25
# The unmatched a page at a time (a large cohort leaves hundreds): every one reachable.
UNMATCHED_PER_PAGE = 50

# The columns a pair's row shows, read as values (each row's six model instances cost more
# than its query): the people's applications hold long texts (goals, offer, availability) and a
# whole user row its password hash and dates.
_NAME = ["first_name", "last_name", "email"]
_PEOPLE = {"mentor": "mentor__member", "mentee": "mentee__member", "decided_by": "decided_by"}
_PAIR_VALUES = [
    "pk",
    "mentor_id",
    "mentee_id",
    "status",
    "components",
    "reasons",
    *(f"{side}__profile_snapshot" for side in ("mentor", "mentee")),
    *(f"{user}__{column}" for user in _PEOPLE.values() for column in _NAME),
]


def _name(values: dict, user: str) -> str:
    """A person's name from a row of values, as `str(user)` gives it; "" for nobody."""
    first, last, email = (values[f"{user}__{column}"] for column in _NAME)
    return name_of(first, last, email) if email is not None else ""


# How a pair compares with the cohort's previous run, as its row says it.
_CHANGE_NOTES = {
    "kept": "Same as the previous run",
    "changed": "Changed since the previous run",
    "new": "New in this run",
}


def _person(name: str, snapshot: dict | None, areas: dict, interests: dict, desired=()) -> dict:
    """One side of a pair as the review page shows it, from the application's snapshot: each
    line's text put together here, once, rather than by template tags and filters on each row
    (a dict, which the template reads without trying an attribute first)."""
    snap = snapshot or {}
    stage = snap.get("career_stage_name") or "-"
    credentials = snap.get("credentials") or ""
    place = snap.get("location_name") or "-"
    time_zone = snap.get("time_zone") or ""
    return {
        "name": name,
        "stage": f"{stage}, {credentials}" if credentials else stage,
        "place": f"{place} ({time_zone})" if time_zone else place,
        "desired": ", ".join(areas.get(a, "?") for a in desired),
        "practice_areas": ", ".join(areas.get(a, "?") for a in snap.get("practice_areas") or ()),
        "interests": ", ".join(interests.get(i, "?") for i in snap.get("interests") or ()),
    }


# A page's rows are drawn here rather than by the template: a pair's row is some thirty tags and
# filters, and on a page of 25 pairs and 50 unmatched they cost more than all its queries. The
# same markup the template wrote; every value escaped.


def _pair_row_html(row: dict, *, can_decide: bool) -> SafeString:
    mentor, mentee = row["people"]
    cells = []
    if can_decide:
        box = ""
        if row["proposed"]:
            box = (
                f'<input type="checkbox" name="match" value="{row["pk"]}" id="match-{row["pk"]}"'
                f' aria-label="Select {escape(mentor["name"])} with {escape(mentee["name"])}">'
            )
        cells.append(f"<td>{box}</td>")
    for person in row["people"]:
        facts = [f"{escape(person['stage'])}<br>", f"{escape(person['place'])}<br>"]
        for label, key, end in _PERSON_LINES:
            if person[key]:
                facts.append(f"{label}: {escape(person[key])}{end}")
        lines = "\n".join(facts)
        cells.append(
            f'<td class="match-person"><strong>{escape(person["name"])}</strong>\n'
            f'<span class="match-facts">{lines}</span></td>'
        )
    parts = "".join(f"<li>{escape(part)}</li>" for part in row["components"])
    score = escape(row["score"])
    cells.append(f'<td><strong>{score}</strong>\n<ul class="match-facts">{parts}</ul></td>')
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in row["reasons"])
    cells.append(f"<td><ul>{reasons}</ul></td>")
    decision = escape(row["status"])
    if row["decided_by"]:
        decision += f'<br><span class="match-facts">by {escape(row["decided_by"])}</span>'
    if row["change"]:
        decision += f'<br><span class="match-facts">{escape(row["change"])}</span>'
    cells.append(f"<td>{decision}</td>")
    return mark_safe(f"<tr>{''.join(cells)}</tr>\n")  # noqa: S308  (every value escaped)


# The optional lines of a person's facts: label, key, what ends the line.
_PERSON_LINES = [
    ("Wants", "desired", "<br>"),
    ("Practises in", "practice_areas", "<br>"),
    ("Interests", "interests", ""),
]


def _unmatched_row_html(item: dict) -> SafeString:
    if item["name"]:
        who = f'<a href="{escape(item["url"])}">{escape(item["name"])}</a>'
    else:
        who = f"Application {item['applicant']}"
    return mark_safe(  # noqa: S308  (every value escaped)
        f"<tr><td>{who}</td><td>{escape(item['role'])}</td><td>{escape(item['reason'])}</td></tr>\n"
    )


class _CountedPaginator(Paginator):
    """Pages of a queryset the page has counted already, with its other figures."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


class _JSONArrayLength(Func):
    """The length of a JSON array column (SQLite's and PostgreSQL's own functions)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


class _JSONSlice(Func):
    """Items `start` to `end` (excluded) of a JSON array column, as one JSON array: the column
    read once (PostgreSQL detoasted a large one for each item taken with `->`)."""

    output_field = JSONField()

    def __init__(self, column: str, start: int, end: int):
        self.start, self.end = start, end
        super().__init__(column)

    def as_sql(self, compiler, connection, **extra):  # SQLite: json_extract of several paths
        column, params = compiler.compile(self.source_expressions[0])
        paths = [f"$[{i}]" for i in range(self.start, self.end)]
        if len(paths) == 1:
            return f"JSON_ARRAY(JSON_EXTRACT({column}, %s))", (*params, *paths)
        return f"JSON_EXTRACT({column}, {', '.join(['%s'] * len(paths))})", (*params, *paths)

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        path = f"$[{self.start} to {self.end - 1}]"
        return f"JSONB_PATH_QUERY_ARRAY({column}, %s::jsonpath)", (*params, path)


class _UnmatchedOfRun:
    """A run's unmatched list for the paginator, read a page at a time from the database: the
    whole list of a large cohort is 140 kB of JSON, which parsing took 2.5 ms of the page."""

    def __init__(self, run: MatchRun):
        self.run_id = run.pk
        self.length = run.unmatched_length or 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, page: slice) -> list[dict]:
        start, end, _ = page.indices(self.length)
        if start >= end:
            return []
        return (
            MatchRun.objects.filter(pk=self.run_id)
            .annotate(items=_JSONSlice("unmatched", start, end))
            .values_list("items", flat=True)
            .get()
        )


def _desired_areas(mentee_ids: list[int], area_order: dict[int, int]) -> dict[int, list[int]]:
    """The practice areas each mentee asked for, in the areas' own order: their ids straight
    from the link table (one query, no area objects)."""
    link = Application.desired_practice_areas.through
    desired: dict[int, list[int]] = {}
    rows = link.objects.filter(application_id__in=mentee_ids).values_list(
        "application_id", "practicearea_id"
    )
    for application_id, area_id in rows:
        desired.setdefault(application_id, []).append(area_id)
    for areas in desired.values():
        areas.sort(key=lambda area: area_order.get(area, 0))
    return desired


@admin.register(MatchRun)
class MatchRunAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "__str__",
        "algorithm",
        "status",
        "started_by",
        "created_at",
        "pairs_proposed",
        "total_score",
        "mean_score",
        "min_score",
        "unmatched_mentees",
        "unmatched_mentors",
    ]
    list_filter = [("cohort", ReferenceListFilter), "status", "algorithm"]
    list_select_related = ["cohort", "started_by"]
    change_list_template = "admin/matching/matchrun/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started from the "Run matching" page

    def get_list_display(self, request: HttpRequest):
        if sees_background(request.user):
            return self.list_display
        # A run's totals include the shared-background points its pairs' scores leave out.
        return [
            name
            for name in self.list_display
            if name not in {"total_score", "mean_score", "min_score"}
        ]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a run is the record of what was proposed and why

    def get_urls(self):
        return [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="matching_matchrun_start",
            ),
            *super().get_urls(),
        ]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("matching.add_matchrun"):
            raise PermissionDenied
        cohort = cohort_from_query(request)
        if cohort is None:
            return choose_cohort(self, request, title="Run matching")
        form = RunStartForm(request.POST or None, instance=cohort)
        if request.method == "POST" and form.is_valid():
            try:
                # One decision: staff told the run is refused have changed no weights either.
                with transaction.atomic():
                    form.save()
                    run = match_run_start(
                        cohort=cohort,
                        started_by=request.user,
                        algorithm=form.cleaned_data["algorithm"],
                    )
            except MatchingError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("admin:matching_matchrun_change", run.pk)
        accepted = Application.objects.for_cohort(cohort).accepted()
        return TemplateResponse(
            request,
            "admin/matching/matchrun/start.html",
            page_context(
                self,
                request,
                title=f"Run matching for {cohort.name}",
                cohort=cohort,
                form=form,
                accepted_mentors=accepted.mentors().count(),
                accepted_mentees=accepted.mentees().count(),
                approved=Match.objects.for_cohort(cohort).approved().count(),
                last_run=MatchRun.objects.for_cohort(cohort).first(),
            ),
        )

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        """A run's result page: its pairs with reasons, the unmatched, totals, decisions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        run = get_object_or_404(
            MatchRun.objects.select_related("cohort", "started_by")
            .defer("unmatched")
            .annotate(unmatched_length=_JSONArrayLength("unmatched")),
            pk=pk,
        )
        if request.method == "POST":
            if not request.user.has_perm("matching.change_match"):
                raise PermissionDenied
            decision = request.POST.get("decision")
            if decision not in {"approve", "reject"}:
                messages.error(request, "Choose approve or reject.")
            elif request.POST.get("scope") == "all":
                ids = list(Match.objects.filter(run=run).proposed().values_list("pk", flat=True))
                decide(request, ids, decision)
            else:
                ids = [pk for pk in map(id_or_none, request.POST.getlist("match")) if pk]
                if not ids:
                    messages.error(request, "Select at least one pair.")
                else:
                    decide(request, ids, decision)
            return redirect(request.get_full_path())
        return TemplateResponse(
            request, "admin/matching/matchrun/result.html", self._result_context(request, run)
        )

    def _result_context(self, request: HttpRequest, run: MatchRun) -> dict:
        areas = dict(PracticeArea.objects.values_list("pk", "name"))
        area_order = {pk: rank for rank, pk in enumerate(areas)}
        interests = dict(Interest.objects.values_list("pk", "name"))
        matches = with_shown_score(Match.objects.filter(run=run), request.user)
        if request.GET.get("order") == "weakest":
            order = matches.order_by("shown_score", "pk")
        else:
            order = matches.order_by("-shown_score", "pk")
        show_scores = sees_background(request.user)
        can_decide = request.user.has_perm("matching.change_match")
        # The run's figures in one query: its pairs (for the pages), those still waiting and,
        # for staff not shown the shared-background points, the totals without them.
        figures = matches.order_by().aggregate(
            pairs=Count("pk"),
            waiting=Count("pk", filter=Q(status=Match.Status.PROPOSED)),
            **(
                {}
                if show_scores
                else {
                    "total": Sum("shown_score"),
                    "mean": Avg("shown_score"),
                    "lowest": Min("shown_score"),
                }
            ),
        )
        # The page's pairs picked by their keys first, with the score each is shown (the order's
        # own expression), then loaded with their people: ordered by a score computed from JSON
        # (staff without the background permission), PostgreSQL joined the people of every pair
        # of the run before sorting, ten times the work.
        page = _CountedPaginator(
            order.values_list("pk", "shown_score"), PAIRS_PER_PAGE, count=figures["pairs"]
        ).get_page(request.GET.get("page"))
        shown = dict(page)
        loaded = {
            pair["pk"]: pair
            for pair in Match.objects.filter(pk__in=list(shown)).values(*_PAIR_VALUES)
        }
        pairs = [loaded[pk] for pk in shown if pk in loaded]
        desired = _desired_areas([pair["mentee_id"] for pair in pairs], area_order)
        changes = match_run_changes(run, {pair["mentee_id"]: pair["mentor_id"] for pair in pairs})
        rows = []
        for pair in pairs:
            components, reasons = shown_parts(pair["components"], pair["reasons"], request.user)
            mentee_id = pair["mentee_id"]
            # Numbers as text: the template would localize each one (a third of a row's time),
            # and a key in a form's value must not be localized anyway.
            rows.append(
                {
                    "pk": str(pair["pk"]),
                    "proposed": pair["status"] == Match.Status.PROPOSED,
                    "people": (
                        _person(
                            _name(pair, _PEOPLE["mentor"]),
                            pair["mentor__profile_snapshot"],
                            areas,
                            interests,
                        ),
                        _person(
                            _name(pair, _PEOPLE["mentee"]),
                            pair["mentee__profile_snapshot"],
                            areas,
                            interests,
                            desired.get(mentee_id, ()),
                        ),
                    ),
                    "score": str(hundredths(shown[pair["pk"]])),
                    "components": [
                        f"{label}: {part.get('points')} of {part.get('max')}"
                        for label, part in components
                    ],
                    "reasons": reasons,
                    "status": Match.Status(pair["status"]).label,
                    "decided_by": _name(pair, _PEOPLE["decided_by"]),
                    "change": _CHANGE_NOTES.get(changes.get(mentee_id), ""),
                }
            )
        unmatched_page = Paginator(_UnmatchedOfRun(run), UNMATCHED_PER_PAGE).get_page(
            request.GET.get("unmatched")
        )
        # Their names only, each linked to its application.
        people = {
            values["pk"]: _name(values, "member")
            for values in Application.objects.filter(
                pk__in=[u["applicant"] for u in unmatched_page]
            ).values("pk", *(f"member__{column}" for column in _NAME))
        }
        applications_url = reverse("admin:applications_application_changelist")
        if show_scores:
            totals = {"total": run.total_score, "mean": run.mean_score, "lowest": run.min_score}
        else:
            totals = {name: hundredths(figures[name]) for name in ("total", "mean", "lowest")}
        return page_context(
            self,
            request,
            title=str(run),
            run=run,
            original=run,
            rows=[_pair_row_html(row, can_decide=can_decide) for row in rows],
            page=page,
            totals=totals,
            comparison=run.comparison,
            unmatched=[
                _unmatched_row_html(
                    {
                        "applicant": u["applicant"],
                        "name": people.get(u["applicant"], ""),
                        # The admin's change page of an application, without a reverse() a row.
                        "url": f"{applications_url}{u['applicant']}/change/",
                        "role": capfirst(u["role"]),
                        "reason": shown_unmatched_reason(u["reason"], request.user),
                    }
                )
                for u in unmatched_page
            ],
            unmatched_page=unmatched_page,
            proposed_left=figures["waiting"],
            weights=[(COMPONENT_LABELS[name], run.weights.get(name)) for name in COMPONENTS],
            can_decide=can_decide,
            show_scores=show_scores,
            objectives=_objectives_side_by_side(run) if show_scores else [],
        )


def _objectives_side_by_side(run: MatchRun) -> list[MatchRun]:
    """This run and the cohort's latest finished optimal run with the other objective, when
    there is one: their lowest scores and totals side by side (one query)."""
    if run.status != MatchRun.Status.DONE or run.algorithm != Algorithm.OPTIMAL:
        return []
    other = (
        MatchRun.objects.for_cohort(run.cohort)
        .done()
        .filter(algorithm=Algorithm.OPTIMAL)
        .exclude(objective=run.objective)
        # What the table shows: not the other run's JSON (its unmatched list alone is large).
        .only("pk", "objective", "pairs_proposed", "min_score", "total_score")
        .first()
    )
    if other is None:
        return []
    return sorted([run, other], key=lambda r: r.objective != "total")
