"""The exact solver against independent references (brute force, SciPy's assignment, an LP
solved by SciPy), the optimality certificate checked here rather than trusted, the maximin
objective and blocking pairs.

Scores are whole hundredths (0..10000) with FORBIDDEN (-1), as the engine hands them over.
"""

import itertools
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from matching import assignment, audit
from matching.assignment import (
    acceptable_arcs,
    assign_greedy,
    assign_maximin,
    assign_optimal,
)
from matching.audit import blocking_pairs, dual_certificate
from matching.scoring import FORBIDDEN
from tests.matching.test_assignment import a_cohort, assert_feasible, cohorts, tied_cohorts


def scipy_reference(scores, capacity, min_score) -> tuple[int, int]:
    """(best total, pairs) the way the project solved it before: one column per mentor place,
    SciPy's rectangular assignment, `score * K + 1` for acceptable pairs and 0 otherwise."""
    n, _ = scores.shape
    slot_mentor = np.repeat(np.arange(scores.shape[1]), np.maximum(capacity, 0))
    if n == 0 or slot_mentor.size == 0:
        return 0, 0
    slots = scores[:, slot_mentor].astype(np.int64)
    acceptable = slots >= max(min_score, 0)
    k = min(n, slot_mentor.size) + 1
    weights = np.where(acceptable, slots * k + 1, 0)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    keep = acceptable[rows, cols]
    return int(slots[rows[keep], cols[keep]].sum()), int(keep.sum())


def lp_optimum(scores, capacity, min_score) -> float:
    """The LP relaxation's optimum, by SciPy's HiGHS: an upper bound on any assignment."""
    n, m = scores.shape
    rows, cols, values = acceptable_arcs(scores, np.asarray(capacity), min_score)
    if rows.size == 0:
        return 0.0
    a = np.zeros((n + m, rows.size))
    a[rows, np.arange(rows.size)] = 1
    a[n + cols, np.arange(rows.size)] = 1
    result = linprog(-values, A_ub=a, b_ub=np.r_[np.ones(n), capacity], bounds=(0, None))
    return -result.fun


def total(scores, pairs) -> int:
    return sum(int(scores[i, j]) for i, j in pairs)


# --- The solver against references -----------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(cohorts(max_mentees=7, max_mentors=5) | tied_cohorts())
def test_the_flow_solver_gives_the_scipy_assignments_total_and_number_of_pairs(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_optimal(scores, capacity, min_score)
    assert (total(scores, pairs), len(pairs)) == scipy_reference(scores, capacity, min_score)


def test_on_a_larger_random_cohort_it_agrees_with_scipy_and_the_lp_bound():
    rng = np.random.default_rng(7)
    scores = rng.choice([FORBIDDEN, 0, 2500, 5000, 7500, 10000], size=(40, 25)).astype(np.int16)
    capacity = rng.integers(0, 4, size=25)
    pairs = assign_optimal(scores, capacity, 2500)
    assert_feasible(scores, capacity, 2500, pairs)
    assert (total(scores, pairs), len(pairs)) == scipy_reference(scores, capacity, 2500)
    assert total(scores, pairs) == round(lp_optimum(scores, capacity, 2500))


# --- The certificate, checked here ----------------------------------------------------------


def assert_certificate_proves(scores, capacity, min_score, pairs) -> None:
    """Weak duality by hand: duals >= 0 that cover every acceptable pair bound every
    assignment's total by sum u + sum c v; a bound equal to the total proves the optimum."""
    rows, cols, values = acceptable_arcs(scores, np.asarray(capacity), min_score)
    cert = dual_certificate(scores.shape[0], capacity, rows, cols, values, pairs)
    u, v = cert.mentee_duals, cert.mentor_duals
    assert (u >= 0).all() and (v >= 0).all()
    for i, j, w in zip(rows, cols, values, strict=True):
        assert u[i] + v[j] >= w
    bound = int(u.sum()) + sum(int(c) * int(x) for c, x in zip(capacity, v, strict=True))
    assert bound == cert.bound == total(scores, pairs)
    assert cert.optimal


@settings(max_examples=80, deadline=None)
@given(cohorts(max_mentees=7, max_mentors=5) | tied_cohorts())
def test_every_optimum_comes_with_duals_proving_it(cohort):
    scores, capacity, min_score = cohort
    assert_certificate_proves(
        scores, capacity, min_score, assign_optimal(scores, capacity, min_score)
    )


@settings(max_examples=40, deadline=None)
@given(cohorts(max_mentees=6, max_mentors=4))
def test_the_certified_bound_is_the_lp_optimum(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_optimal(scores, capacity, min_score)
    rows, cols, values = acceptable_arcs(scores, capacity, min_score)
    cert = dual_certificate(scores.shape[0], capacity, rows, cols, values, pairs)
    assert cert.bound == round(lp_optimum(scores, capacity, min_score))


def test_a_worse_assignment_gets_no_certificate():
    # Greedy takes the single best pair (100) and leaves 0 for the other: 100 against 170.
    scores, capacity = a_cohort([[10000, 9000], [8000, 0]], [1, 1])
    greedy = assign_greedy(scores, capacity, 0)
    rows, cols, values = acceptable_arcs(scores, capacity, 0)
    cert = dual_certificate(2, capacity, rows, cols, values, greedy)
    assert not cert.optimal
    optimal = assign_optimal(scores, capacity, 0)
    assert dual_certificate(2, capacity, rows, cols, values, optimal).bound == 17000


def test_the_certificate_holds_at_the_large_weights_of_a_real_cohort():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 10001, size=(300, 200)).astype(np.int16)
    capacity = rng.integers(1, 3, size=200)
    pairs = assign_optimal(scores, capacity, 6000)
    rows, cols, values = acceptable_arcs(scores, capacity, 6000)
    cert = dual_certificate(300, capacity, rows, cols, values, pairs)
    assert cert.optimal and cert.bound == total(scores, pairs)


# --- Best for the worst-off ------------------------------------------------------------------


def maximin_brute_force(scores, capacity, min_score) -> tuple[int, int, int]:
    """(pairs, lowest score, total): the best by that order, by trying every assignment."""
    n, m = scores.shape
    best = (0, 0, 0)
    options = [
        [None] + [j for j in range(m) if scores[i, j] >= max(min_score, 0)] for i in range(n)
    ]
    for choice in itertools.product(*options):
        chosen = [(i, j) for i, j in enumerate(choice) if j is not None]
        if any(sum(1 for _, c in chosen if c == j) > capacity[j] for j in range(m)):
            continue
        values = [int(scores[i, j]) for i, j in chosen]
        key = (len(values), min(values, default=0), sum(values))
        best = max(best, key)
    return best


@settings(max_examples=60, deadline=None)
@given(cohorts(max_mentees=5, max_mentors=3) | tied_cohorts())
def test_maximin_matches_the_most_people_then_raises_the_lowest_score_then_the_total(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_maximin(scores, capacity, min_score)
    assert_feasible(scores, capacity, min_score, pairs)
    values = [int(scores[i, j]) for i, j in pairs]
    got = (len(values), min(values, default=0), sum(values))
    assert got == maximin_brute_force(scores, capacity, min_score)
    assert assign_maximin(scores.copy(), capacity.copy(), min_score) == pairs


def test_maximin_gives_up_total_to_lift_the_worst_pair():
    # Best total: 100 + 10 = 110. Best for the worst-off: 60 + 40, the lowest 40 not 10.
    scores, capacity = a_cohort([[10000, 6000], [4000, 1000]], [1, 1])
    assert assign_optimal(scores, capacity, 0) == [(0, 0), (1, 1)]
    assert assign_maximin(scores, capacity, 0) == [(0, 1), (1, 0)]


# --- Blocking pairs ---------------------------------------------------------------------------


def blocking_by_hand(scores, capacity, min_score, pairs) -> int:
    n, m = scores.shape
    got = dict(pairs)
    mentor_got = {}
    for j in range(m):
        theirs = [int(scores[i, c]) for i, c in pairs if c == j]
        mentor_got[j] = 0 if len(theirs) < capacity[j] else min(theirs, default=0)
    count = 0
    for i in range(n):
        for j in range(m):
            s = int(scores[i, j])
            if capacity[j] == 0 or s < max(min_score, 0) or got.get(i) == j:
                continue
            mine = int(scores[i, got[i]]) if i in got else 0
            if s > mine and s > mentor_got[j]:
                count += 1
    return count


@settings(max_examples=60, deadline=None)
@given(cohorts(max_mentees=6, max_mentors=4))
def test_blocking_pairs_are_counted_as_defined(cohort):
    scores, capacity, min_score = cohort
    for pairs in (
        assign_optimal(scores, capacity, min_score),
        assign_greedy(scores, capacity, min_score),
    ):
        expected = blocking_by_hand(scores, capacity, min_score, pairs)
        assert blocking_pairs(scores, capacity, min_score, pairs) == expected


def test_the_optimum_can_leave_a_blocking_pair_that_the_audit_reports():
    # Anna and Maria score 100 together but the optimum pairs them with others (90 + 80).
    scores, capacity = a_cohort([[10000, 9000], [8000, 0]], [1, 1])
    pairs = assign_optimal(scores, capacity, 0)
    assert pairs == [(0, 1), (1, 0)]
    assert blocking_pairs(scores, capacity, 0, pairs) == 1


# --- Solving on candidate pairs only, exactly ---------------------------------------------------


def one_candidate_each():
    """Start every flow from each mentee's single best mentor and each mentor's single best
    mentee, and add one pair per mentee per round: what a 10,000-mentee cohort does with its
    few best, on cohorts small enough to check by other means."""
    return mock.patch.multiple(
        assignment,
        CANDIDATES_PER_MENTEE=1,
        CANDIDATES_PER_MENTOR=1,
        ADDED_PER_MENTEE=1,
        BLOCK_ROWS=3,
    )


@one_candidate_each()
def test_pairs_left_out_of_the_first_flow_are_added_when_the_duals_ask_for_them():
    # Both mentees' best is mentor 0 (one place), whose best is mentee 0; mentor 1's best is
    # also mentee 0. The first flow knows no pair for mentee 1 but (1, 0): it would pair
    # (0, 1) and (1, 0) for 90 + 80 = 170; the optimum, (0, 0) and (1, 1), is 100 + 75 = 175.
    scores, capacity = a_cohort([[10000, 9000], [8000, 7500]], [1, 1])
    first = assignment._candidates(scores, capacity, 0)
    assert 1 * 2 + 1 not in first.tolist()
    solution = assignment.solve_total(scores, capacity, 0)
    assert solution.pairs == [(0, 0), (1, 1)]
    assert solution.proved and solution.upper_bound == 17500
    assert 1 * 2 + 1 in solution.candidates.tolist()


@one_candidate_each()
@settings(max_examples=80, deadline=None)
@given(cohorts(max_mentees=7, max_mentors=5) | tied_cohorts())
def test_from_one_candidate_each_the_solver_still_reaches_the_scipy_optimum_with_its_proof(
    cohort,
):
    scores, capacity, min_score = cohort
    solution = assignment.solve_total(scores, capacity, min_score)
    assert_feasible(scores, capacity, min_score, solution.pairs)
    best = scipy_reference(scores, capacity, min_score)
    assert (total(scores, solution.pairs), len(solution.pairs)) == best
    assert solution.proved and solution.upper_bound == best[0]
    assert_certificate_proves(scores, capacity, min_score, solution.pairs)


@one_candidate_each()
@settings(max_examples=60, deadline=None)
@given(cohorts(max_mentees=5, max_mentors=3) | tied_cohorts())
def test_from_one_candidate_each_maximin_is_still_exact(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_maximin(scores, capacity, min_score)
    assert_feasible(scores, capacity, min_score, pairs)
    values = [int(scores[i, j]) for i, j in pairs]
    got = (len(values), min(values, default=0), sum(values))
    assert got == maximin_brute_force(scores, capacity, min_score)


@one_candidate_each()
@settings(max_examples=80, deadline=None)
@given(cohorts(max_mentees=7, max_mentors=5), st.integers(0, 2), st.integers(0, 3))
def test_the_most_pairs_from_candidates_equal_a_maximum_flow_over_every_pair(
    cohort, extra_columns, extra_places
):
    scores, capacity, min_score = cohort
    rng = np.random.default_rng(scores.size + extra_columns)
    extra = rng.random((scores.shape[0], extra_columns)) < 0.5
    places = np.append(capacity, np.full(extra_columns, extra_places)).astype(np.int64)
    rows, cols, _ = acceptable_arcs(scores, capacity, min_score)
    extra_rows, extra_cols = np.nonzero(extra)
    expected = scipy_most_pairs(
        scores.shape[0],
        places,
        np.concatenate([rows, extra_rows]),
        np.concatenate([cols, extra_cols + scores.shape[1]]),
    )
    assert assignment.most_pairs_exact(scores, min_score, [places], extra=extra) == [expected]


def scipy_most_pairs(n: int, places: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> int:
    """The most pairs these arcs allow, by SciPy's maximum flow: source -> each mentee (1),
    mentee -> mentor (1 per arc), mentor -> sink (its places)."""
    m = places.size
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), rows, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + cols, np.full(m, sink)])
    capacities = np.concatenate([np.ones(n), np.ones(rows.size), np.maximum(places, 0)])
    graph = csr_matrix((capacities.astype(np.int32), (tails, heads)), shape=(n + m + 2, n + m + 2))
    return int(maximum_flow(graph, source, sink).flow_value)


def test_an_augmenting_path_outside_the_candidates_is_found_and_solved_over_every_pair():
    # Candidates (0, 0) and (1, 0) allow one pair; (1, 1), outside them, makes it two.
    scores, capacity = a_cohort([[9000, 0], [8000, 5000]], [1, 1])
    assert assignment._can_grow(scores, 0, capacity, None, np.array([0, -1]))
    assert not assignment._can_grow(scores, 0, capacity, None, np.array([0, 1]))
    assert assignment.most_pairs_exact(scores, 0, [capacity], candidates=np.array([0, 2])) == [2]


def test_duals_that_fail_to_prove_a_round_make_the_solver_use_every_pair(monkeypatch):
    # Cannot happen for an optimal flow; if the duals of a round ever failed, the solver must
    # not trust that round's candidates but solve over every acceptable pair.
    real = audit.dual_certificate
    calls = []

    def failing_once(n, capacity, rows, cols, weights, pairs):
        calls.append(rows.size)
        certificate = real(n, capacity, rows, cols, weights, pairs)
        if len(calls) == 1:
            certificate.feasible = False
        return certificate

    monkeypatch.setattr(audit, "dual_certificate", failing_once)
    rng = np.random.default_rng(11)
    scores = rng.integers(0, 10001, size=(30, 20)).astype(np.int16)
    capacity = rng.integers(1, 3, size=20)
    with one_candidate_each():
        solution = assignment.solve_total(scores, capacity, 2000)
    every = acceptable_arcs(scores, capacity, 2000)[0].size
    assert calls[0] < every and calls[1] == every
    assert solution.proved
    assert (total(scores, solution.pairs), len(solution.pairs)) == scipy_reference(
        scores, capacity, 2000
    )
