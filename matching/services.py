"""Matching a cohort: reading its accepted applicants, scoring, assigning, and staff decisions.

Reads (`cohort_inputs`, `match_compute`, `match_run_compare`) never write. Writes are the
`match_*` and `matches_*` functions; each checks the program's rules and raises
`MatchingError` with a message staff can act on.
"""

import logging
import time
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import dateformat, timezone

from applications.models import (
    Application,
    CensusDivision,
    CensusRegion,
    Interest,
    PracticeArea,
    Role,
)
from applications.services import (
    application_leaving_accepted_register,
    staff_tell_place_freed,
)
from cohorts.calendar import ics_calendar, orientation_event
from cohorts.models import Cohort
from core.dates import member_zone
from core.text import day_text, first_name, hours_text, moment_with_weekday_text, month_text
from notifications.models import Notification
from notifications.services import (
    notification_still_due_register,
    notifications_cancel,
    notify,
)

from .assignment import ALGORITHMS
from .models import Algorithm, Match, MatchRun
from .scoring import (
    FORBIDDEN,
    Encoder,
    Names,
    Person,
    Weights,
    explain,
    pair_details,
    public_reasons,
    score_matrix,
)

logger = logging.getLogger(__name__)


class MatchingError(Exception):
    """A rule of the program refused the change; the message is shown to staff as is."""


# ---------------------------------------------------------------------------------------------
# Reading a cohort
# ---------------------------------------------------------------------------------------------


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


def _names() -> Names:
    return Names(
        practice_areas=dict(PracticeArea.objects.values_list("pk", "name")),
        interests=dict(Interest.objects.values_list("pk", "name")),
        divisions=dict(CensusDivision.choices),
        regions=dict(CensusRegion.choices),
    )


def _person(row: dict, desired: frozenset[int], places: int) -> Person:
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


def cohort_inputs(cohort: Cohort) -> CohortInputs:
    """Everything matching needs, in a fixed number of queries whatever the cohort's size."""
    rows = list(
        Application.objects.for_cohort(cohort)
        .accepted()
        .order_by("pk")
        .values(
            "pk",
            "member_id",
            "role",
            "profile_snapshot",
            "background_importance",
            "region_importance",
            "interests_importance",
            "wants_shared_background",
            "mentee_capacity",
        )
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
                mentors.append(_person(row, frozenset(), places))
                free_places.append(free)
        elif row["pk"] not in matched_mentees:
            mentees.append(_person(row, frozenset(desired[row["pk"]]), 1))

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
        names=_names(),
    )


# ---------------------------------------------------------------------------------------------
# Computing a result
# ---------------------------------------------------------------------------------------------


@dataclass
class Proposal:
    mentor: int  # application ids
    mentee: int
    score: float
    components: dict
    reasons: list[str]


@dataclass
class Unmatched:
    applicant: int
    role: str
    reason: str


@dataclass
class MatchResult:
    cohort: Cohort
    algorithm: str
    weights: Weights
    inputs: CohortInputs
    pairs: list[Proposal] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    @property
    def total_score(self) -> float:
        # Sum of hundredths, so the total is exact and equal however it is added up.
        return sum(round(p.score * 100) for p in self.pairs) / 100

    @property
    def mean_score(self) -> float | None:
        return round(self.total_score / len(self.pairs), 2) if self.pairs else None

    @property
    def min_score(self) -> float | None:
        return min(p.score for p in self.pairs) if self.pairs else None

    def unmatched_count(self, role: str) -> int:
        return sum(1 for u in self.unmatched if u.role == role)

    def as_json(self) -> dict:
        """The shape `manage.py match --json` prints (see PRODUCT.md, "Interfaces")."""
        return {
            "cohort": self.cohort.slug,
            "algorithm": self.algorithm,
            "total_score": self.total_score,
            "pairs": [
                {
                    "mentor": p.mentor,
                    "mentee": p.mentee,
                    "score": p.score,
                    "reasons": p.reasons,
                    "components": p.components,
                }
                for p in self.pairs
            ],
            "unmatched": [asdict(u) for u in self.unmatched],
            "mentor_capacity": {str(k): v for k, v in self.inputs.capacity.items()},
            "weights": self.weights.as_dict(),
            "mean_score": self.mean_score,
            "min_score": self.min_score,
            "approved_kept": len(self.inputs.approved_ids),
            "timings": self.timings,
        }


def _forbid(scores: np.ndarray, inputs: CohortInputs) -> None:
    mentee_row = {p.id: i for i, p in enumerate(inputs.mentees)}
    mentor_col = {p.id: j for j, p in enumerate(inputs.mentors)}
    for mentee_id, mentor_id in inputs.forbidden:
        if mentee_id in mentee_row and mentor_id in mentor_col:
            scores[mentee_row[mentee_id], mentor_col[mentor_id]] = FORBIDDEN
    # One application per member per cohort makes this impossible today; it stays a rule.
    mentor_by_member = {p.member_id: j for j, p in enumerate(inputs.mentors)}
    for i, mentee in enumerate(inputs.mentees):
        if mentee.member_id in mentor_by_member:
            scores[i, mentor_by_member[mentee.member_id]] = FORBIDDEN


def _points(hundredths: int) -> str:
    return f"{hundredths / 100:.2f}"


def match_compute(
    *, cohort: Cohort, algorithm: str = Algorithm.OPTIMAL, weights: Weights | None = None
) -> MatchResult:
    """The proposals a run would make now, with reasons; writes nothing."""
    if algorithm not in ALGORITHMS:
        raise MatchingError(f"Unknown algorithm {algorithm!r}: use optimal or greedy.")
    started = time.perf_counter()
    weights = weights or cohort_weights(cohort)
    inputs = cohort_inputs(cohort)
    loaded = time.perf_counter()

    encoder = Encoder()
    encoder.prepare(inputs.mentees, inputs.mentors)
    mentees = encoder.encode(inputs.mentees, mentees=True, weights=weights)
    mentors = encoder.encode(inputs.mentors, mentees=False)
    scores = score_matrix(mentees, mentors)
    _forbid(scores, inputs)
    scored = time.perf_counter()

    minimum = weights.min_score * 100
    pairs = ALGORITHMS[algorithm](scores, np.array(inputs.free_places, dtype=np.int64), minimum)
    solved = time.perf_counter()

    result = MatchResult(cohort=cohort, algorithm=algorithm, weights=weights, inputs=inputs)
    rows = np.array([i for i, _ in pairs], dtype=np.int64)
    cols = np.array([j for _, j in pairs], dtype=np.int64)
    hundredths, values = pair_details(mentees, mentors, rows, cols)
    for k, (i, j) in enumerate(pairs):
        mentee, mentor = inputs.mentees[i], inputs.mentors[j]
        components, reasons = explain(
            mentee,
            mentor,
            component_values=values[:, k],
            mentee_weights=mentees.weights[i],
            names=inputs.names,
        )
        result.pairs.append(
            Proposal(
                mentor=mentor.id,
                mentee=mentee.id,
                score=int(hundredths[k]) / 100,
                components=components,
                reasons=reasons,
            )
        )
    result.unmatched = _unmatched(scores, pairs, inputs, minimum)
    finished = time.perf_counter()
    result.timings = {
        "load": round(loaded - started, 3),
        "scoring": round(scored - loaded, 3),
        "solver": round(solved - scored, 3),
        "explain": round(finished - solved, 3),
        "total": round(finished - started, 3),
    }
    return result


def _unmatched(
    scores: np.ndarray, pairs: list[tuple[int, int]], inputs: CohortInputs, minimum: int
) -> list[Unmatched]:
    """Why each applicant left without a partner was left so, in words."""
    n, m = scores.shape
    matched_rows = {i for i, _ in pairs}
    matched_cols = {j for _, j in pairs}
    unmatched = []
    minimum_text = _points(minimum).removesuffix(".00")
    best_for_mentee = scores.max(axis=1) if m else np.full(n, FORBIDDEN)
    acceptable_for_mentee = (scores >= minimum).sum(axis=1) if m else np.zeros(n, dtype=int)
    for i, mentee in enumerate(inputs.mentees):
        if i in matched_rows:
            continue
        best = int(best_for_mentee[i])
        if not inputs.accepted_mentors:
            reason = "no mentors have been accepted in this cohort"
        elif m == 0:
            reason = "no mentor places are left: approved matches use them all"
        elif best == FORBIDDEN:
            reason = "every mentor with a free place was paired with this mentee before or rejected"
        elif best < minimum:
            reason = (
                f"no mentor scores at or above the minimum of {minimum_text} for this mentee "
                f"(the best scores {_points(best)})"
            )
        else:
            count = int(acceptable_for_mentee[i])
            reason = (
                f"capacity used by better-fitting pairs: the {count} "
                f"mentor{'s' if count != 1 else ''} scoring at least {minimum_text} for this "
                f"mentee {'were' if count != 1 else 'was'} given to others "
                f"(the best scores {_points(best)})"
            )
        unmatched.append(Unmatched(applicant=mentee.id, role=Role.MENTEE.value, reason=reason))

    best_for_mentor = scores.max(axis=0) if n else np.full(m, FORBIDDEN)
    for j, mentor in enumerate(inputs.mentors):
        if j in matched_cols or mentor.id in inputs.approved_mentor_ids:
            continue
        best = int(best_for_mentor[j])
        if n == 0:
            reason = "no mentees are left to match"
        elif best == FORBIDDEN:
            reason = "every mentee left was paired with this mentor before or rejected"
        elif best < minimum:
            reason = (
                f"no mentee scores at or above the minimum of {minimum_text} with this mentor "
                f"(the best scores {_points(best)})"
            )
        else:
            reason = (
                f"the mentees scoring at least {minimum_text} with this mentor fit other "
                f"mentors better (the best scores {_points(best)})"
            )
        unmatched.append(Unmatched(applicant=mentor.id, role=Role.MENTOR.value, reason=reason))
    return unmatched


# ---------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.MATCHING_TIME_LIMIT + 60)


def match_run_start(
    *,
    cohort: Cohort,
    started_by=None,
    algorithm: str = Algorithm.OPTIMAL,
    enqueue: bool = True,
    now: datetime | None = None,
) -> MatchRun:
    """Record a run and hand it to a worker once the transaction commits.

    `enqueue=False` leaves the run queued for the caller to execute (the command line).
    """
    from .tasks import run_matching  # the task module imports this one

    if algorithm not in ALGORITHMS:
        raise MatchingError(f"Unknown algorithm {algorithm!r}: use optimal or greedy.")
    now = now or timezone.now()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.phase_at(now) == Cohort.Phase.COMPLETED:
            raise MatchingError(f"{cohort.name} has finished; its matches can no longer change.")
        # A worker that died mid-run leaves its run "running"; after the time limit it is over.
        MatchRun.objects.for_cohort(cohort).unfinished().filter(
            created_at__lt=now - _stale_after()
        ).update(
            status=MatchRun.Status.FAILED,
            finished_at=now,
            error="The run did not finish within the time limit.",
        )
        running = MatchRun.objects.for_cohort(cohort).unfinished().first()
        if running is not None:
            raise MatchingError(
                f"A matching run for {cohort.name} is already "
                f"{running.get_status_display().lower()} (run {running.pk}). Wait for it to "
                "finish, then run again."
            )
        accepted = Application.objects.for_cohort(cohort).accepted()
        missing = [
            label
            for label, role in (("mentors", Role.MENTOR), ("mentees", Role.MENTEE))
            if not accepted.filter(role=role).exists()
        ]
        if missing:
            raise MatchingError(
                f"{cohort.name} has no accepted {' or '.join(missing)} yet. Accept applications "
                "before running matching."
            )
        run = MatchRun.objects.create(
            cohort=cohort,
            algorithm=algorithm,
            started_by=started_by,
            weights=cohort_weights(cohort).as_dict(),
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.pk, run_matching))
    return run


def _enqueue(run_id: int, task) -> None:
    try:
        task.delay(run_id)
    except Exception as exc:
        # The broker is down: say so on the run rather than leave it queued for nothing.
        logger.exception("Could not enqueue matching run %s", run_id)
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"The task queue could not be reached ({type(exc).__name__}). Try again.",
        )


def match_run_execute(*, run_id: int) -> MatchResult | None:
    """Compute a queued run and save its proposals. Safe to call twice: the second does nothing.

    Proposals of earlier runs still waiting for a decision are superseded; approved matches
    stay and the run only fills the places left.
    """
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = MatchRun.objects.select_related("cohort").get(pk=run_id)
    weights = Weights(**run.weights)
    try:
        result = match_compute(cohort=run.cohort, algorithm=run.algorithm, weights=weights)
        with transaction.atomic():
            # Approvals take the same lock, so none can slip in between the check and the save.
            Cohort.objects.select_for_update().get(pk=run.cohort_id)
            approved_now = sorted(
                Match.objects.for_cohort(run.cohort).approved().values_list("pk", flat=True)
            )
            if approved_now != result.inputs.approved_ids:
                result = match_compute(cohort=run.cohort, algorithm=run.algorithm, weights=weights)
            _save_result(run, result)
    except Exception as exc:
        logger.exception("Matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return None
    return result


def _save_result(run: MatchRun, result: MatchResult) -> None:
    Match.objects.for_cohort(run.cohort).proposed().update(status=Match.Status.SUPERSEDED)
    Match.objects.bulk_create(
        [
            Match(
                cohort=run.cohort,
                run=run,
                mentor_id=p.mentor,
                mentee_id=p.mentee,
                score=Decimal(f"{p.score:.2f}"),
                components=p.components,
                reasons=p.reasons,
            )
            for p in result.pairs
        ],
        batch_size=1000,
    )
    inputs = result.inputs
    run.status = MatchRun.Status.DONE
    run.finished_at = timezone.now()
    run.mentors = inputs.accepted_mentors
    run.mentees = inputs.accepted_mentees
    run.mentor_slots = sum(inputs.capacity.values())
    run.approved_kept = len(inputs.approved_ids)
    run.pairs_proposed = len(result.pairs)
    run.total_score = Decimal(f"{result.total_score:.2f}")
    run.mean_score = None if result.mean_score is None else Decimal(f"{result.mean_score:.2f}")
    run.min_score = None if result.min_score is None else Decimal(f"{result.min_score:.2f}")
    run.unmatched = [asdict(u) for u in result.unmatched]
    run.unmatched_mentors = result.unmatched_count(Role.MENTOR)
    run.unmatched_mentees = result.unmatched_count(Role.MENTEE)
    run.timings = result.timings
    run.save()


@dataclass
class RunComparison:
    previous: MatchRun | None
    change_by_mentee: dict[int, str]  # mentee application id -> "kept" | "changed" | "new"
    dropped: int  # mentees proposed last time and not now

    @property
    def counts(self) -> Counter:
        return Counter(self.change_by_mentee.values())


def match_run_compare(run: MatchRun) -> RunComparison:
    """How a run's proposals differ from the cohort's previous finished run, by mentee."""
    previous = (
        MatchRun.objects.for_cohort(run.cohort).done().filter(pk__lt=run.pk).order_by("-pk").first()
    )
    current = dict(Match.objects.filter(run=run).values_list("mentee_id", "mentor_id"))
    if previous is None:
        return RunComparison(previous=None, change_by_mentee={}, dropped=0)
    before = dict(Match.objects.filter(run=previous).values_list("mentee_id", "mentor_id"))
    change = {}
    for mentee, mentor in current.items():
        if mentee not in before:
            change[mentee] = "new"
        elif before[mentee] == mentor:
            change[mentee] = "kept"
        else:
            change[mentee] = "changed"
    return RunComparison(
        previous=previous,
        change_by_mentee=change,
        dropped=sum(1 for mentee in before if mentee not in current),
    )


# ---------------------------------------------------------------------------------------------
# Staff decisions
# ---------------------------------------------------------------------------------------------


def _lock_cohorts(cohort_ids) -> dict[int, Cohort]:
    # Always in primary-key order, so two staff members' bulk actions cannot deadlock.
    return {
        c.pk: c
        for c in Cohort.objects.select_for_update().filter(pk__in=set(cohort_ids)).order_by("pk")
    }


def _lock_applications(application_ids) -> None:
    # After the cohort rows, in primary-key order: the order every writer of these rows keeps
    # (cohort, then applications, then matches), so none can deadlock another.
    list(
        Application.objects.select_for_update()
        .filter(pk__in=set(application_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _describe(match: Match) -> str:
    return f"{match.mentor.member} with {match.mentee.member}"


def _not_proposed(matches: list[Match]) -> list[str]:
    return [
        f"{_describe(m)} is {m.get_status_display().lower()}, not proposed"
        for m in matches
        if m.status != Match.Status.PROPOSED
    ]


def matches_approve(*, match_ids, approved_by, now: datetime | None = None) -> list[Match]:
    """Approve proposed matches, all or none.

    The cohort rows are locked first, then each mentee's and mentor's state is re-read, so
    two staff members approving at once are served one after the other and the second is told
    what the first did. The database's constraints (one approved match per mentee, one per
    mentor place, places within capacity) back this up.
    """
    now = now or timezone.now()
    ids = sorted(set(match_ids))
    if not ids:
        raise MatchingError("Select at least one proposed match.")
    with transaction.atomic():
        cohort_ids = Match.objects.filter(pk__in=ids).values_list("cohort_id", flat=True)
        cohorts = _lock_cohorts(cohort_ids)
        # Then the people's applications, which a withdrawal or a decision changes under the
        # same cohort lock: the statuses `_allocate` reads cannot change until this commits.
        _lock_applications(
            pk
            for pair in Match.objects.filter(pk__in=ids).values_list("mentor_id", "mentee_id")
            for pk in pair
        )
        matches = list(
            Match.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("mentor__member", "mentee__member")
            .order_by("pk")
        )
        problems = _not_proposed(matches) + _allocate(matches, cohorts)
        if problems:
            raise MatchingError(_refusal(problems))
        for match in matches:
            match.status = Match.Status.APPROVED
            match.decided_at = now
            match.decided_by = approved_by
        try:
            with transaction.atomic():
                Match.objects.bulk_update(
                    matches,
                    ["status", "decided_at", "decided_by", "mentor_slot", "mentor_capacity"],
                )
        except IntegrityError:
            raise MatchingError(
                "Another change to these matches was saved at the same moment. Nothing was "
                "approved; reload the page and try again."
            ) from None
    return matches


def _allocate(matches: list[Match], cohorts: dict[int, Cohort]) -> list[str]:
    """Give each match a free place of its mentor; return what makes that impossible."""
    mentor_ids = {m.mentor_id for m in matches}
    mentee_ids = {m.mentee_id for m in matches}
    approved = Match.objects.approved().filter(
        Q(mentor_id__in=mentor_ids) | Q(mentee_id__in=mentee_ids)
    )
    used_slots: dict[int, set[int]] = defaultdict(set)
    matched_mentees: dict[int, Match] = {}
    for other in approved.select_related("mentor__member", "decided_by"):
        if other.mentor_id in mentor_ids:
            used_slots[other.mentor_id].add(other.mentor_slot)
        if other.mentee_id in mentee_ids:
            matched_mentees[other.mentee_id] = other
    offered = dict(
        Application.objects.filter(pk__in=mentor_ids).values_list("pk", "mentee_capacity")
    )
    statuses = dict(
        Application.objects.filter(pk__in=mentor_ids | mentee_ids).values_list("pk", "status")
    )
    problems = []
    for match in matches:
        if match.status != Match.Status.PROPOSED:
            continue
        not_accepted = [
            str(app.member)
            for app in (match.mentor, match.mentee)
            if statuses.get(app.pk) != Application.Status.ACCEPTED
        ]
        if not_accepted:
            problems.append(
                f"{_describe(match)}: the application of {', '.join(not_accepted)} is no longer "
                "accepted"
            )
            continue
        if match.mentee_id in matched_mentees:
            other = matched_mentees[match.mentee_id]
            by = f" by {other.decided_by}" if other.decided_by else ""
            problems.append(
                f"{match.mentee.member} already has an approved match with "
                f"{other.mentor.member} (approved{by})"
            )
            continue
        places = mentor_places(offered=offered[match.mentor_id], cohort=cohorts[match.cohort_id])
        free = [s for s in range(1, places + 1) if s not in used_slots[match.mentor_id]]
        if not free:
            problems.append(
                f"{match.mentor.member} has no free place left ({places} of {places} taken)"
            )
            continue
        match.mentor_slot = free[0]
        match.mentor_capacity = places
        used_slots[match.mentor_id].add(free[0])
        matched_mentees[match.mentee_id] = match
    return problems


def _refusal(problems: list[str]) -> str:
    shown = "; ".join(problems[:5])
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    return f"Nothing was approved: {shown}{more}."


def matches_reject(*, match_ids, rejected_by, now: datetime | None = None) -> list[Match]:
    """Reject proposed matches. A rejected pair is never proposed again in this cohort."""
    now = now or timezone.now()
    ids = sorted(set(match_ids))
    with transaction.atomic():
        matches = list(
            Match.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("mentor__member", "mentee__member")
            .order_by("pk")
        )
        problems = _not_proposed(matches)
        if problems:
            raise MatchingError("Nothing was rejected: " + "; ".join(problems[:5]) + ".")
        for match in matches:
            match.status = Match.Status.REJECTED
            match.decided_at = now
            match.decided_by = rejected_by
        Match.objects.bulk_update(matches, ["status", "decided_at", "decided_by"])
    return matches


def match_preview(*, mentor: Application, mentee: Application) -> Proposal:
    """Score and reasons for one pair, as a run would compute them."""
    _assert_pairable(mentor, mentee)
    cohort = mentee.cohort
    weights = cohort_weights(cohort)
    desired = frozenset(mentee.desired_practice_areas.values_list("pk", flat=True))
    fields = [
        "pk",
        "member_id",
        "profile_snapshot",
        "background_importance",
        "region_importance",
        "interests_importance",
        "wants_shared_background",
        "mentee_capacity",
    ]
    mentee_person = _person({f: getattr(mentee, f) for f in fields}, desired, 1)
    mentor_person = _person(
        {f: getattr(mentor, f) for f in fields},
        frozenset(),
        mentor_places(offered=mentor.mentee_capacity, cohort=cohort),
    )
    encoder = Encoder()
    encoder.prepare([mentee_person], [mentor_person])
    mentees = encoder.encode([mentee_person], mentees=True, weights=weights)
    mentors = encoder.encode([mentor_person], mentees=False)
    hundredths, values = pair_details(mentees, mentors, np.array([0]), np.array([0]))
    components, reasons = explain(
        mentee_person,
        mentor_person,
        component_values=values[:, 0],
        mentee_weights=mentees.weights[0],
        names=_names(),
    )
    return Proposal(
        mentor=mentor.pk,
        mentee=mentee.pk,
        score=int(hundredths[0]) / 100,
        components=components,
        reasons=reasons,
    )


def _assert_pairable(mentor: Application, mentee: Application) -> None:
    if mentor.cohort_id != mentee.cohort_id:
        raise MatchingError("The mentor and the mentee must be in the same cohort.")
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE:
        raise MatchingError("Choose a mentor's application and a mentee's application.")
    if mentor.member_id == mentee.member_id:
        raise MatchingError("A member cannot mentor themselves.")
    not_accepted = [
        f"{app.member} ({app.get_status_display().lower()})"
        for app in (mentor, mentee)
        if app.status != Application.Status.ACCEPTED
    ]
    if not_accepted:
        raise MatchingError(
            "Only accepted applicants can be matched: " + ", ".join(not_accepted) + "."
        )
    before = (
        Match.objects.paired()
        .exclude(cohort_id=mentee.cohort_id)
        .filter(
            Q(mentor__member_id=mentor.member_id, mentee__member_id=mentee.member_id)
            | Q(mentor__member_id=mentee.member_id, mentee__member_id=mentor.member_id)
        )
        .select_related("cohort")
        .order_by("pk")
        .first()
    )
    if before is not None:
        # Matching never proposes them again either: the program pairs people once.
        raise MatchingError(
            f"{mentor.member} and {mentee.member} were already a pair in {before.cohort.name}; "
            "the program does not pair the same two people again."
        )


def match_create(
    *,
    mentor: Application,
    mentee: Application,
    created_by,
    below_minimum_reason: str = "",
    now: datetime | None = None,
) -> Match:
    """A match staff make by hand: scored like any other, approved at once, within the rules.

    A pair scoring below the cohort's minimum is made only with `below_minimum_reason`: staff
    confirmed it and said why, and the reason stays on the match.
    """
    now = now or timezone.now()
    below_minimum_reason = below_minimum_reason.strip()
    with transaction.atomic():
        cohorts = _lock_cohorts([mentee.cohort_id])
        _lock_applications([mentor.pk, mentee.pk])
        # Read again under the locks: the page was filled in with what was true then.
        mentor = Application.objects.select_related("member", "cohort").get(pk=mentor.pk)
        mentee = Application.objects.select_related("member", "cohort").get(pk=mentee.pk)
        proposal = match_preview(mentor=mentor, mentee=mentee)
        cohort = cohorts[mentee.cohort_id]
        below_minimum = proposal.score < cohort.min_match_score
        if below_minimum and not below_minimum_reason:
            raise MatchingError(
                f"{mentor.member} and {mentee.member} score {proposal.score:.2f}, below "
                f"{cohort.name}'s minimum of {cohort.min_match_score}. To match them anyway, "
                "confirm it and say why; the reason is kept with the match."
            )
        match = Match(
            cohort_id=mentee.cohort_id,
            mentor=mentor,
            mentee=mentee,
            status=Match.Status.PROPOSED,
            score=Decimal(f"{proposal.score:.2f}"),
            components=proposal.components,
            reasons=[*proposal.reasons, "matched by hand by staff"],
            below_minimum_reason=below_minimum_reason if below_minimum else "",
        )
        problems = _allocate([match], cohorts)
        if problems:
            raise MatchingError("The match was not made: " + "; ".join(problems) + ".")
        # A pending proposal for either person would contradict this decision.
        Match.objects.for_cohort(mentee.cohort).proposed().filter(mentee=mentee).update(
            status=Match.Status.SUPERSEDED
        )
        match.status = Match.Status.APPROVED
        match.decided_at = now
        match.decided_by = created_by
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:
            raise MatchingError(
                "Another change to these people's matches was saved at the same moment. "
                "Reload the page and try again."
            ) from None
    return match


MATCH_ENDED_KIND = "match_ended"


def match_end(*, match: Match, ended_by, reason: str, now: datetime | None = None) -> Match:
    """End an approved match early, with the reason on record. The mentor's place frees up.

    Both members get a kind note if they had been told of the pair; the other staff learn that
    a place is free.
    """
    reason = reason.strip()
    if not reason:
        raise MatchingError("Say why the match ends; the reason is kept on record.")
    now = now or timezone.now()
    with transaction.atomic():
        _lock_cohorts([match.cohort_id])
        match = Match.objects.select_for_update(of=("self",)).with_people().get(pk=match.pk)
        if match.status != Match.Status.APPROVED:
            raise MatchingError(
                f"Only an approved match can be ended; this one is "
                f"{match.get_status_display().lower()}."
            )
        _match_close(match, ended_by=ended_by, reason=reason, now=now)
        staff_tell_place_freed(
            cohort=match.cohort,
            key=f"place-freed:match:{match.pk}",
            summary=f"The match of {_describe(match)} has ended"
            + (f" (ended by {ended_by})" if ended_by else "")
            + f". Reason: {reason}",
            notes=[
                f"{match.mentor.member} has a mentor place free again, and {match.mentee.member} "
                "has no mentor."
            ],
            actor=ended_by,
        )
    return match


def _match_close(match: Match, *, ended_by, reason: str, now: datetime) -> list[str]:
    """End an approved match (rows locked by the caller): record why, and tell both members
    kindly if they had been told of the pair. An announcement not sent yet is cancelled
    instead: that member hears nothing of a pair that no longer exists."""
    match.status = Match.Status.ENDED
    match.ended_at = now
    match.ended_by = ended_by
    match.end_reason = reason
    match.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    told = []
    if match.notified_at is None:
        return told  # they never heard of this pair: nothing to take back
    for role, application, partner in (
        (Role.MENTOR, match.mentor, match.mentee),
        (Role.MENTEE, match.mentee, match.mentor),
    ):
        announcement_cancelled = notifications_cancel(
            keys=[_announcement_key(match.pk, role)],
            reason="The match ended before its announcement was sent.",
        )
        if announcement_cancelled:
            continue  # their announcement never left: better no news than "it has ended"
        notify(
            kind=MATCH_ENDED_KIND,
            key=f"match-ended:{match.pk}:{role.value}",
            recipient=application.member,
            context={
                "first_name": first_name(application.member),
                "partner_name": str(partner.member),
                "partner_first_name": first_name(partner.member),
                "partner_role": Role.MENTEE.value if role == Role.MENTOR else Role.MENTOR.value,
                "cohort_name": match.cohort.name,
            },
        )
        told.append(str(application.member))
    return told


def matches_unmatch_application(*, application: Application, actor, how: str, now: datetime):
    """What an application leaving "accepted" (withdrawn, declined, waitlisted) does to its
    pairs: an approved match ends, a proposal is refused (rejected), so no pair outlives one of
    its people. Called by `applications.services` inside its transaction, with the cohort and
    the application locked (registered in matching/apps.py). Returns what it did, for staff."""
    notes = []
    matches = list(
        Match.objects.for_application(application)
        .filter(status__in=[Match.Status.APPROVED, Match.Status.PROPOSED])
        .select_for_update(of=("self",))
        .with_people()
        .order_by("pk")
    )
    for match in matches:
        partner = match.mentee if match.mentor_id == application.pk else match.mentor
        if match.status == Match.Status.APPROVED:
            told = _match_close(match, ended_by=actor, reason=f"{how}.", now=now)
            told_text = (
                f"{' and '.join(told)} {'were' if len(told) > 1 else 'was'} emailed a note"
                if told
                else "it had not been released, so no member was emailed"
            )
            notes.append(f"Their approved match with {partner.member} has ended ({told_text}).")
        else:
            match.status = Match.Status.REJECTED
            match.decided_at = now
            match.decided_by = actor
            match.save(update_fields=["status", "decided_at", "decided_by"])
            notes.append(f"The proposed match with {partner.member} was refused (rejected).")
    return notes


def released_match_for(application: Application) -> Match | None:
    """The match a member may see for their application: approved (or ended) and released."""
    return (
        Match.objects.released()
        .for_application(application)
        .with_people()
        .order_by("-decided_at")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Release: telling the pairs, and the orientation
# ---------------------------------------------------------------------------------------------

ANNOUNCEMENT_KIND = "match_announcement"
ORIENTATION_REMINDER_KIND = "orientation_reminder"
ORIENTATION_REMINDER_AHEAD = timedelta(hours=24)


def matches_release(*, cohort: Cohort, released_by=None, now: datetime | None = None) -> int:
    """Release a cohort's approved matches that are not released yet; return how many.

    From this moment both members of each pair see it. Each member's announcement email is
    recorded (pending) in the same transaction, so it cannot be lost: it is sent once this
    commits, or by the notifications sweeper if the task queue is down. Matches approved after
    an earlier release are released by the next one; releasing again with nothing new approved
    releases and sends nothing.

    Locks are taken as approvals and withdrawals take them (the cohort row, then the
    applications, then the matches), so a match approved, ended or withdrawn from at the same
    moment is either released now or not at all, never half-way. A match whose person is no
    longer accepted (data from before withdrawals ended pairs) is ended, not announced.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _lock_cohorts([cohort.pk])
        waiting = Match.objects.for_cohort(cohort).approved().filter(notified_at__isnull=True)
        _lock_applications(
            pk for pair in waiting.values_list("mentor_id", "mentee_id") for pk in pair
        )
        matches = list(waiting.select_for_update(of=("self",)).with_people().order_by("pk"))
        released = []
        for match in matches:
            gone = [
                app
                for app in (match.mentor, match.mentee)
                if app.status != Application.Status.ACCEPTED
            ]
            if gone:
                _release_refused(match, gone, now=now)
                continue
            released.append(match)
        if released:
            Match.objects.filter(pk__in=[m.pk for m in released]).update(notified_at=now)
            for match in released:
                match.notified_at = now
                _announcement_record(match, now=now)
    if released:
        logger.info(
            "%d matches of %s released by %s", len(released), cohort, released_by or "the schedule"
        )
    return len(released)


def _release_refused(match: Match, gone: list[Application], *, now: datetime) -> None:
    how = ", ".join(
        f"the application of {app.member} is {app.get_status_display().lower()}" for app in gone
    )
    _match_close(match, ended_by=None, reason=f"Not released: {how}.", now=now)
    staff_tell_place_freed(
        cohort=match.cohort,
        key=f"place-freed:match:{match.pk}",
        summary=f"The approved match of {_describe(match)} was not released and has ended: {how}.",
        notes=["Nobody was told of this pair."],
        actor=None,
    )


def cohorts_due_for_release(*, today: date) -> list[int]:
    """Cohorts whose match notification date has come (not before: until then staff may
    release by hand) and that have approved matches nobody has been told about."""
    unreleased = Match.objects.approved().filter(cohort=OuterRef("pk"), notified_at__isnull=True)
    return list(
        Cohort.objects.filter(match_notification_date__lte=today, period_end__gte=today)
        .filter(Exists(unreleased))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _orientation_context(cohort: Cohort, zone: zoneinfo.ZoneInfo) -> dict | None:
    if cohort.orientation_at is None:
        return None
    return {
        "when": moment_with_weekday_text(cohort.orientation_at, zone),
        "day": day_text(cohort.orientation_at, zone),
        "duration": cohort.orientation_duration_label,
        "link": cohort.orientation_link,
        "details": cohort.orientation_details.strip(),
        "is_over": cohort.orientation_is_over,
    }


def _orientation_attachment(cohort: Cohort) -> dict:
    content = ics_calendar([orientation_event(cohort)], name=f"{cohort.name} orientation")
    return {
        "filename": "orientation.ics",
        "content": content.decode("utf-8"),
        "mimetype": "text/calendar",
    }


def _announcement_context(match: Match, role: str, *, now: datetime) -> dict:
    cohort = match.cohort
    member, partner = (
        (match.mentor.member, match.mentee.member)
        if role == Role.MENTOR
        else (match.mentee.member, match.mentor.member)
    )
    partner_profile = getattr(partner, "profile", None)
    zone = member_zone(member)
    # The first meeting belongs in the period's first month, or this month once it has begun.
    first_month = max(cohort.period_start, now.astimezone(zone).date())
    return {
        "first_name": first_name(member),
        "role": Role(role).value,
        "partner_role": Role.MENTEE.value if role == Role.MENTOR else Role.MENTOR.value,
        "partner_name": str(partner),
        "partner_first_name": first_name(partner),
        "partner_email": partner.email,
        "partner_credentials": getattr(partner_profile, "credentials", "") or "",
        "partner_institution": getattr(partner_profile, "institution", "") or "",
        "reasons": public_reasons(match.reasons)[:3],
        "workspace_url": settings.SITE_URL + reverse("meetings:workspace", kwargs={"pk": match.pk}),
        "cohort_name": cohort.name,
        "period_start": day_text(cohort.period_start),
        "period_end": day_text(cohort.period_end),
        "first_meeting_month": month_text(first_month),
        "min_total_hours": hours_text(cohort.min_total_hours),
        "min_monthly_hours": hours_text(cohort.min_monthly_hours),
        "orientation": _orientation_context(cohort, zone),
    }


def _announcement_key(match_id: int, role: str) -> str:
    return f"match-announcement:{match_id}:{Role(role).value}"


def _announcement_record(match: Match, *, now: datetime) -> list:
    """Record the two announcement emails of a released match (with its people loaded)."""
    cohort = match.cohort
    invite = cohort.orientation_at is not None and not cohort.orientation_is_over
    attachments = [_orientation_attachment(cohort)] if invite else []
    return [
        notify(
            kind=ANNOUNCEMENT_KIND,
            key=_announcement_key(match.pk, role),
            recipient=application.member,
            context=_announcement_context(match, role, now=now),
            attachments=attachments,
        )
        for role, application in ((Role.MENTOR, match.mentor), (Role.MENTEE, match.mentee))
    ]


def match_announce(*, match_id: int, now: datetime | None = None) -> list:
    """Record the two announcement emails of a released match, one to each member.

    Release records them itself; this serves announcement tasks queued before it did. Safe to
    run twice: the keys `match-announcement:<match>:<role>` make the second run find the
    emails already recorded. A match ended before this runs is not announced.
    """
    now = now or timezone.now()
    match = Match.objects.with_people().filter(pk=match_id).first()
    if match is None or match.status != Match.Status.APPROVED or match.notified_at is None:
        return []
    with transaction.atomic():
        return _announcement_record(match, now=now)


def match_announcement_still_due(notification: Notification) -> bool:
    """Checked just before an announcement is sent (see `notification_still_due_register`):
    the match is still approved and released and both its people still accepted. Ending a
    match cancels its pending announcements; this also covers one claimed at that moment."""
    match_id = notification.idempotency_key.split(":")[1]
    return (
        Match.objects.approved()
        .filter(
            pk=int(match_id),
            notified_at__isnull=False,
            mentor__status=Application.Status.ACCEPTED,
            mentee__status=Application.Status.ACCEPTED,
        )
        .exists()
    )


def register_hooks() -> None:
    """What matching plugs into the apps below it (called from matching/apps.py)."""
    application_leaving_accepted_register(matches_unmatch_application)
    notification_still_due_register(kind=ANNOUNCEMENT_KIND, check=match_announcement_still_due)


def orientation_cohorts_due(*, now: datetime) -> list[int]:
    """Cohorts whose orientation starts within the next 24 hours."""
    return list(
        Cohort.objects.filter(
            orientation_at__gt=now, orientation_at__lte=now + ORIENTATION_REMINDER_AHEAD
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def orientation_participant_ids(*, cohort_id: int) -> list[int]:
    """The members of a cohort's released, approved pairs: each once, whatever their pairs."""
    rows = (
        Match.objects.approved()
        .filter(cohort_id=cohort_id, notified_at__isnull=False)
        .values_list("mentor__member_id", "mentee__member_id")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    return sorted({member_id for pair in rows for member_id in pair})


def orientation_remind(*, cohort_id: int, user_id: int, now: datetime | None = None):
    """Record a member's orientation reminder, if the orientation is still within the next
    24 hours and they are still in a released pair of the cohort. An optional email: nothing
    is recorded for a member who turned reminders off. Safe to run twice (the key
    `orientation-reminder:<cohort>:<user>`)."""
    now = now or timezone.now()
    cohort = Cohort.objects.filter(
        pk=cohort_id, orientation_at__gt=now, orientation_at__lte=now + ORIENTATION_REMINDER_AHEAD
    ).first()
    if cohort is None:
        return None
    match = (
        Match.objects.approved()
        .filter(Q(mentor__member_id=user_id) | Q(mentee__member_id=user_id))
        .filter(cohort=cohort, notified_at__isnull=False)
        .with_people()
        .order_by("pk")
        .first()
    )
    if match is None:
        return None
    is_mentor = match.mentor.member_id == user_id
    member = match.mentor.member if is_mentor else match.mentee.member
    zone = member_zone(member)
    starts = cohort.orientation_at.astimezone(zone)
    days_ahead = (starts.date() - now.astimezone(zone).date()).days
    return notify(
        kind=ORIENTATION_REMINDER_KIND,
        key=f"orientation-reminder:{cohort.pk}:{member.pk}",
        recipient=member,
        context={
            "first_name": first_name(member),
            "role": Role.MENTOR.value if is_mentor else Role.MENTEE.value,
            "cohort_name": cohort.name,
            "orientation": _orientation_context(cohort, zone),
            "day": "today" if days_ahead == 0 else "tomorrow",
            "time": dateformat.format(starts, "g:i A T"),
            "workspace_url": settings.SITE_URL
            + reverse("meetings:workspace", kwargs={"pk": match.pk}),
        },
        attachments=[_orientation_attachment(cohort)],
        optional=True,
    )
