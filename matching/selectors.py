"""Reads for matching: a cohort's applicants as the engine sees them, runs compared, a
member's released match, cohorts due for release. Nothing here writes."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q

from applications.models import (
    Application,
    CensusDivision,
    CensusRegion,
    Interest,
    PracticeArea,
    Role,
)
from cohorts.models import Cohort

from .models import Match, MatchRun
from .scoring import Names, Person, Weights


def cohort_weights(cohort: Cohort) -> Weights:
    return Weights(
        background=cohort.weight_background,
        region=cohort.weight_region,
        interests=cohort.weight_interests,
        shared_background=cohort.weight_shared_background,
        min_score=cohort.min_match_score,
    )


def mentor_places(*, offered: int, cohort: Cohort) -> int:
    """How many mentees a mentor takes: what they offered, within the cohort's maximum."""
    return max(min(offered, cohort.max_mentees_per_mentor), 0)


def reference_names() -> Names:
    """The words reasons are written with: practice areas, interests, Census divisions and
    regions by id."""
    return Names(
        practice_areas=dict(PracticeArea.objects.values_list("pk", "name")),
        interests=dict(Interest.objects.values_list("pk", "name")),
        divisions=dict(CensusDivision.choices),
        regions=dict(CensusRegion.choices),
    )


# What matching reads of an application, by `values()` for a cohort or from one instance.
PERSON_FIELDS = [
    "pk",
    "member_id",
    "profile_snapshot",
    "background_importance",
    "region_importance",
    "interests_importance",
    "wants_shared_background",
    "mentee_capacity",
]


def person_from_row(row: dict, desired: frozenset[int], places: int) -> Person:
    """One applicant as the engine sees them, from their application's `PERSON_FIELDS`."""
    snap = row["profile_snapshot"] or {}
    return Person(
        id=row["pk"],
        member_id=row["member_id"],
        location=snap.get("location"),
        location_name=snap.get("location_name") or "",
        region=snap.get("region"),
        division=snap.get("division"),
        time_zone=snap.get("time_zone") or "",
        stage_order=snap.get("career_stage_order"),
        stage_name=snap.get("career_stage_name") or "",
        practice_areas=frozenset(snap.get("practice_areas") or ()),
        interests=frozenset(snap.get("interests") or ()),
        backgrounds=frozenset(snap.get("background_groups") or ()),
        desired_areas=desired,
        background_importance=row["background_importance"],
        region_importance=row["region_importance"],
        interests_importance=row["interests_importance"],
        wants_shared_background=row["wants_shared_background"],
        capacity=places,
    )


def person_from_application(
    application: Application, desired: frozenset[int], places: int
) -> Person:
    return person_from_row({f: getattr(application, f) for f in PERSON_FIELDS}, desired, places)


@dataclass
class CohortInputs:
    """Who is left to match in a cohort, and what must never be proposed."""

    mentees: list[Person]  # accepted mentees without an approved match
    mentors: list[Person]  # accepted mentors with at least one free place
    free_places: list[int]  # per mentor in `mentors`
    capacity: dict[int, int]  # every accepted mentor's places, by application id
    accepted_mentors: int
    accepted_mentees: int
    approved_ids: list[int]  # approved matches kept as they are
    approved_mentor_ids: set[int]
    forbidden: set[tuple[int, int]]  # (mentee application, mentor application)
    names: Names
    # Applications invited with priority from an earlier cohort: they win ties.
    priority_ids: set[int] = field(default_factory=set)


def cohort_inputs(cohort: Cohort) -> CohortInputs:
    """Everything matching needs, in a fixed number of queries whatever the cohort's size."""
    rows = list(
        Application.objects.for_cohort(cohort)
        .accepted()
        .order_by("pk")
        .values("role", "priority", *PERSON_FIELDS)
    )
    desired: dict[int, set[int]] = defaultdict(set)
    through = Application.desired_practice_areas.through
    for application_id, area_id in through.objects.filter(
        application__cohort=cohort, application__status=Application.Status.ACCEPTED
    ).values_list("application_id", "practicearea_id"):
        desired[application_id].add(area_id)

    approved = list(
        Match.objects.for_cohort(cohort).approved().values_list("pk", "mentor_id", "mentee_id")
    )
    taken = Counter(mentor_id for _, mentor_id, _ in approved)
    matched_mentees = {mentee_id for _, _, mentee_id in approved}

    capacity: dict[int, int] = {}
    mentees: list[Person] = []
    mentors: list[Person] = []
    free_places: list[int] = []
    for row in rows:
        if row["role"] == Role.MENTOR:
            places = mentor_places(offered=row["mentee_capacity"], cohort=cohort)
            capacity[row["pk"]] = places
            free = places - taken[row["pk"]]
            if free > 0:
                mentors.append(person_from_row(row, frozenset(), places))
                free_places.append(free)
        elif row["pk"] not in matched_mentees:
            mentees.append(person_from_row(row, frozenset(desired[row["pk"]]), 1))

    # Never again: pairs staff rejected in this cohort, and people paired in another cohort.
    forbidden = set(
        Match.objects.for_cohort(cohort)
        .filter(status=Match.Status.REJECTED)
        .values_list("mentee_id", "mentor_id")
    )
    # A subquery, not a list of ids: a large cohort would exceed the database's parameter limit.
    members = Application.objects.for_cohort(cohort).accepted().values("member_id")
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b in (
        Match.objects.exclude(cohort=cohort)
        .paired()
        .filter(Q(mentor__member_id__in=members) | Q(mentee__member_id__in=members))
        .values_list("mentor__member_id", "mentee__member_id")
    ):
        partners[a].add(b)
        partners[b].add(a)
    if partners:
        mentors_by_member = defaultdict(list)
        for mentor in mentors:
            mentors_by_member[mentor.member_id].append(mentor.id)
        for mentee in mentees:
            for partner in partners.get(mentee.member_id, ()):
                for mentor_id in mentors_by_member.get(partner, ()):
                    forbidden.add((mentee.id, mentor_id))

    return CohortInputs(
        mentees=mentees,
        mentors=mentors,
        free_places=free_places,
        capacity=capacity,
        accepted_mentors=len(capacity),
        accepted_mentees=len(rows) - len(capacity),
        approved_ids=sorted(pk for pk, _, _ in approved),
        approved_mentor_ids=set(taken),
        forbidden=forbidden,
        names=reference_names(),
        priority_ids={row["pk"] for row in rows if row["priority"]},
    )


def _change(mentor: int, before: int | None) -> str:
    if before is None:
        return "new"
    return "kept" if before == mentor else "changed"


def match_run_compare(run: MatchRun) -> dict:
    """How a run's proposals differ from the cohort's previous finished run, by mentee:
    {"previous": its key, "kept", "changed", "new", "dropped" (proposed then and not now)},
    empty for the cohort's first run. It reads both runs' pairs, so it is counted once, when the
    run is saved, and kept in `MatchRun.comparison`."""
    previous = (
        MatchRun.objects.done()
        .filter(cohort_id=run.cohort_id, pk__lt=run.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if previous is None:
        return {}
    current = dict(Match.objects.filter(run=run).values_list("mentee_id", "mentor_id"))
    before = dict(Match.objects.filter(run_id=previous).values_list("mentee_id", "mentor_id"))
    counts = Counter(_change(mentor, before.get(mentee)) for mentee, mentor in current.items())
    return {
        "previous": previous,
        **{change: counts[change] for change in ("kept", "changed", "new")},
        "dropped": sum(1 for mentee in before if mentee not in current),
    }


def match_run_changes(run: MatchRun, pairs: dict[int, int]) -> dict[int, str]:
    """ "kept", "changed" or "new" for some of a run's pairs (mentee id -> mentor id: a page of
    them), against the previous run its comparison counted; one query of those mentees only."""
    previous = run.comparison.get("previous")
    if previous is None or not pairs:
        return {}
    before = dict(
        Match.objects.filter(run_id=previous, mentee_id__in=list(pairs)).values_list(
            "mentee_id", "mentor_id"
        )
    )
    return {mentee: _change(mentor, before.get(mentee)) for mentee, mentor in pairs.items()}


def released_match_for(application: Application) -> Match | None:
    """The match a member may see for their application: approved (or ended) and released."""
    return (
        Match.objects.released()
        .for_application(application)
        .with_people()
        .order_by("-decided_at")
        .first()
    )


def cohorts_due_for_release(*, today: date) -> list[int]:
    """Cohorts whose match notification date has come (not before: until then staff may
    release by hand) and that have approved matches nobody has been told about."""
    unreleased = Match.objects.awaiting_release().filter(cohort=OuterRef("pk"))
    return list(
        Cohort.objects.filter(match_notification_date__lte=today, period_end__gte=today)
        .filter(Exists(unreleased))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
