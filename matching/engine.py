"""The matching engine: a cohort's proposals computed from its inputs, with reasons, and the
result classes. Scoring is in `scoring`, the assignment in `assignment`; this module reads the
cohort through `selectors`, puts them together and writes nothing."""

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from applications.models import Application, Role
from cohorts.models import Cohort

from .assignment import ALGORITHMS, OBJECTIVES
from .audit import run_audit
from .exceptions import MatchingError
from .models import Algorithm
from .reasons import explain
from .scoring import FORBIDDEN, Encoder, Weights, pair_details, score_matrix
from .selectors import (
    CohortInputs,
    cohort_inputs,
    cohort_weights,
    mentor_places,
    person_from_application,
    reference_names,
)


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
    objective: str
    weights: Weights
    inputs: CohortInputs
    pairs: list[Proposal] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    audit: dict = field(default_factory=dict)

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
        """The shape `manage.py match --json` prints (see README, "Management commands")."""
        return {
            "cohort": self.cohort.slug,
            "algorithm": self.algorithm,
            "objective": self.objective,
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
            "audit": self.audit,
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
    *,
    cohort: Cohort,
    algorithm: str = Algorithm.OPTIMAL,
    weights: Weights | None = None,
    objective: str | None = None,
) -> MatchResult:
    """The proposals a run would make now, with reasons and the audit; writes nothing.

    `objective` (total or maximin) defaults to the cohort's; the greedy baseline has none of
    its own and always takes the best remaining pair.
    """
    if algorithm not in ALGORITHMS:
        raise MatchingError(f"Unknown algorithm {algorithm!r}: use optimal or greedy.")
    objective = objective or cohort.matching_objective
    if objective not in OBJECTIVES:
        raise MatchingError(f"Unknown objective {objective!r}: use total or maximin.")
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
    capacity = np.array(inputs.free_places, dtype=np.int64)
    # Applicants invited with priority win ties (see `assignment`).
    priority = {
        "priority_rows": np.array([p.id in inputs.priority_ids for p in inputs.mentees], bool),
        "priority_cols": np.array([p.id in inputs.priority_ids for p in inputs.mentors], bool),
    }
    if algorithm == Algorithm.OPTIMAL:
        solution = OBJECTIVES[objective](scores, capacity, minimum, **priority)
        pairs = solution.pairs
    else:
        solution = None
        pairs = ALGORITHMS[algorithm](scores, capacity, minimum, **priority)
    solved = time.perf_counter()

    result = MatchResult(
        cohort=cohort, algorithm=algorithm, objective=objective, weights=weights, inputs=inputs
    )
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
    explained = time.perf_counter()
    result.audit = run_audit(
        scores=scores,
        capacity=capacity,
        min_score=minimum,
        pairs=pairs,
        solution=solution,
        inputs=inputs,
        encoder=encoder,
        encoded_mentees=mentees,
        places_per_mentor=mentor_places(offered=cohort.default_mentees_per_mentor, cohort=cohort),
    )
    finished = time.perf_counter()
    result.timings = {
        "load": round(loaded - started, 3),
        "scoring": round(scored - loaded, 3),
        "solver": round(solved - scored, 3),
        "explain": round(explained - solved, 3),
        "audit": round(finished - explained, 3),
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


def pair_proposal(*, mentor: Application, mentee: Application) -> Proposal:
    """Score and reasons for one pair, as a run would compute them (no rule is checked here:
    see `decisions.match_preview`)."""
    cohort = mentee.cohort
    weights = cohort_weights(cohort)
    desired = frozenset(mentee.desired_practice_areas.values_list("pk", flat=True))
    mentee_person = person_from_application(mentee, desired, 1)
    mentor_person = person_from_application(
        mentor, frozenset(), mentor_places(offered=mentor.mentee_capacity, cohort=cohort)
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
        names=reference_names(),
    )
    return Proposal(
        mentor=mentor.pk,
        mentee=mentee.pk,
        score=int(hundredths[0]) / 100,
        components=components,
        reasons=reasons,
    )
