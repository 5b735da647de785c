"""The assignment: the exact optimum against a brute-force search, and the greedy baseline.

Scores are whole hundredths (0..10000) with FORBIDDEN (-1) for pairs that may never be
proposed, as `matching.scoring.score_matrix` produces them.
"""

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import assignment
from matching.assignment import assign_greedy, assign_optimal
from matching.scoring import FORBIDDEN

ALGORITHMS = [assign_optimal, assign_greedy]


# ---------------------------------------------------------------------------------------------
# Cohorts
# ---------------------------------------------------------------------------------------------


def a_cohort(scores: list[list[int]], capacity: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Scores and capacities as the services hand them to the engine."""
    matrix = np.array(scores, dtype=np.int16).reshape(len(scores), len(capacity))
    return matrix, np.array(capacity, dtype=np.int64)


@st.composite
def cohorts(draw, *, max_mentees: int = 5, max_mentors: int = 4) -> tuple:
    """A small cohort: a score matrix, each mentor's capacity and a minimum score.

    Half the matrices draw from a handful of values, so there are many equal totals and the
    tie-break matters; the others are any score at all.
    """
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    few_values = st.sampled_from([FORBIDDEN, FORBIDDEN, 0, 100, 100, 200, 250, 500])
    any_value = st.one_of(st.just(FORBIDDEN), st.integers(0, 10000))
    values = draw(st.sampled_from([few_values, any_value]))
    scores = draw(st.lists(st.lists(values, min_size=m, max_size=m), min_size=n, max_size=n))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    min_score = draw(st.one_of(st.sampled_from([0, 0, 100, 250]), st.integers(0, 10000)))
    return (*a_cohort(scores, capacity), min_score)


@st.composite
def tied_cohorts(draw) -> tuple:
    """A cohort made of equal scores and zeros: many assignments reach the best total, some
    with fewer pairs than others. The minimum is 0, so pairs scoring 0 are acceptable."""
    n = draw(st.integers(2, 5))
    m = draw(st.integers(1, 4))
    values = st.sampled_from([FORBIDDEN, 0, 0, 100, 200])
    scores = draw(st.lists(st.lists(values, min_size=m, max_size=m), min_size=n, max_size=n))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    return (*a_cohort(scores, capacity), 0)


def total(scores: np.ndarray, pairs: list[tuple[int, int]]) -> int:
    return sum(int(scores[row, col]) for row, col in pairs)


def brute_force(scores: np.ndarray, capacity: np.ndarray, min_score: int) -> tuple[int, int]:
    """(best total, most pairs among assignments with that total), by trying every assignment:
    each mentee in turn goes to no one or to any acceptable mentor who still has a place.
    Sub-results are remembered per (mentee, places left), which only saves repeating work."""
    n, m = scores.shape
    allowed = [
        [j for j in range(m) if scores[i, j] != FORBIDDEN and scores[i, j] >= min_score]
        for i in range(n)
    ]

    @cache
    def best(row: int, places_left: tuple[int, ...]) -> tuple[int, int]:
        if row == n:
            return (0, 0)
        options = [best(row + 1, places_left)]
        for j in allowed[row]:
            if places_left[j] > 0:
                rest = (*places_left[:j], places_left[j] - 1, *places_left[j + 1 :])
                sub_total, sub_pairs = best(row + 1, rest)
                options.append((sub_total + int(scores[row, j]), sub_pairs + 1))
        return max(options)

    return best(0, tuple(int(c) for c in capacity))


def greedy_by_hand(scores: np.ndarray, capacity: np.ndarray, min_score: int) -> list:
    """The documented greedy rule, written as plainly as possible: best pair first, ties to the
    lower mentee row and then the lower mentor column."""
    n, m = scores.shape
    candidates = sorted(
        (-int(scores[i, j]), i, j)
        for i in range(n)
        for j in range(m)
        if scores[i, j] != FORBIDDEN and scores[i, j] >= min_score
    )
    left = [int(c) for c in capacity]
    matched: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in matched and left[j] > 0:
            matched.add(i)
            left[j] -= 1
            pairs.append((i, j))
    return sorted(pairs)


def assert_feasible(scores, capacity, min_score, pairs) -> None:
    """Every rule an assignment must keep, whichever algorithm made it."""
    assert pairs == sorted(pairs), "pairs come sorted by mentee row"
    mentees = [row for row, _ in pairs]
    assert len(mentees) == len(set(mentees)), "a mentee is matched at most once"
    for col in range(scores.shape[1]):
        assert sum(1 for _, c in pairs if c == col) <= capacity[col], "a mentor is over capacity"
    for row, col in pairs:
        assert 0 <= row < scores.shape[0]
        assert 0 <= col < scores.shape[1]
        assert scores[row, col] != FORBIDDEN, "a forbidden pair was proposed"
        assert scores[row, col] >= min_score, "a pair below the minimum score was proposed"


# ---------------------------------------------------------------------------------------------
# The optimum
# ---------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(cohorts() | tied_cohorts())
def test_the_optimal_total_equals_the_brute_force_optimum(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_optimal(scores, capacity, min_score)
    best_total, _ = brute_force(scores, capacity, min_score)
    assert total(scores, pairs) == best_total


@settings(max_examples=100, deadline=None)
@given(tied_cohorts())
def test_among_equal_best_totals_the_optimum_matches_the_most_people(cohort):
    scores, capacity, min_score = cohort
    pairs = assign_optimal(scores, capacity, min_score)
    _, most_pairs = brute_force(scores, capacity, min_score)
    assert len(pairs) == most_pairs


def test_the_optimum_prefers_more_pairs_when_the_totals_are_equal():
    # The first mentee alone with the first mentor scores 100; each mentee with the other's
    # mentor scores 50 + 50: the same total, but the second way matches one more person.
    scores, capacity = a_cohort([[100, 50], [50, FORBIDDEN]], [1, 1])
    assert assign_optimal(scores, capacity, 0) == [(0, 1), (1, 0)]


def test_a_single_hundredth_more_in_total_beats_matching_one_more_person():
    # The first mentee with the first mentor: 101. Moving them to the second mentor (0) lets
    # the second mentee have the first (100): one more pair, but a total of 100.
    scores, capacity = a_cohort([[101, 0], [100, FORBIDDEN]], [1, 1])
    assert assign_optimal(scores, capacity, 0) == [(0, 0)]


def test_a_zero_score_pair_is_still_a_match_when_the_minimum_is_zero():
    scores, capacity = a_cohort([[0, FORBIDDEN], [FORBIDDEN, 0]], [1, 1])
    assert assign_optimal(scores, capacity, 0) == [(0, 0), (1, 1)]
    assert assign_greedy(scores, capacity, 0) == [(0, 0), (1, 1)]


def test_a_mentor_with_room_for_three_takes_the_three_best_mentees():
    scores, capacity = a_cohort([[900], [100], [800], [700]], [3])
    assert assign_optimal(scores, capacity, 0) == [(0, 0), (2, 0), (3, 0)]


def test_pairs_below_the_minimum_score_are_never_proposed_even_to_fill_a_place():
    scores, capacity = a_cohort([[6000, 4999], [4999, 5000]], [2, 2])
    assert assign_optimal(scores, capacity, 5000) == [(0, 0), (1, 1)]
    assert assign_greedy(scores, capacity, 5000) == [(0, 0), (1, 1)]


# ---------------------------------------------------------------------------------------------
# The rules every assignment keeps
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
@settings(max_examples=60, deadline=None)
@given(cohort=cohorts(max_mentees=7, max_mentors=5))
def test_capacity_one_match_per_mentee_and_the_minimum_score_always_hold(algorithm, cohort):
    scores, capacity, min_score = cohort
    assert_feasible(scores, capacity, min_score, algorithm(scores, capacity, min_score))


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_forbidden_pairs_never_appear_even_when_nothing_else_is_left(algorithm):
    scores, capacity = a_cohort([[FORBIDDEN, FORBIDDEN], [FORBIDDEN, 0]], [5, 5])
    assert algorithm(scores, capacity, 0) == [(1, 1)]


# ---------------------------------------------------------------------------------------------
# The greedy baseline
# ---------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_greedy_never_beats_the_optimum(cohort):
    scores, capacity, min_score = cohort
    greedy = assign_greedy(scores, capacity, min_score)
    optimal = assign_optimal(scores, capacity, min_score)
    assert total(scores, greedy) <= total(scores, optimal)


@settings(max_examples=100, deadline=None)
@given(cohorts(max_mentees=6, max_mentors=5))
def test_greedy_takes_the_best_remaining_pair_with_ties_to_the_lower_row_then_column(cohort):
    scores, capacity, min_score = cohort
    assert assign_greedy(scores, capacity, min_score) == greedy_by_hand(scores, capacity, min_score)


@settings(max_examples=60, deadline=None)
@given(cohorts(max_mentees=6, max_mentors=5))
def test_greedy_gives_the_same_pairs_when_it_walks_the_candidates_in_small_chunks(cohort):
    # Real cohorts have far more candidate pairs than one chunk; a chunk of 3 makes these
    # small ones cross many chunk boundaries, where pairs already taken are dropped early.
    scores, capacity, min_score = cohort
    expected = greedy_by_hand(scores, capacity, min_score)
    original = assignment.GREEDY_CHUNK
    assignment.GREEDY_CHUNK = 3
    try:
        assert assign_greedy(scores, capacity, min_score) == expected
    finally:
        assignment.GREEDY_CHUNK = original


def test_greedy_takes_the_best_pair_first_and_ends_up_worse_than_the_optimum():
    # Anna and Ben; mentors Maria and Noor. Anna with Maria is the single best pair, so greedy
    # takes it and leaves Ben with Noor, who suits him badly. The optimum gives up the best
    # pair so both get a good one: 90 + 80 against 100 + 0.
    scores, capacity = a_cohort([[10000, 9000], [8000, 0]], [1, 1])

    greedy = assign_greedy(scores, capacity, 0)
    optimal = assign_optimal(scores, capacity, 0)

    assert greedy == [(0, 0), (1, 1)]
    assert optimal == [(0, 1), (1, 0)]
    assert total(scores, greedy) == 10000
    assert total(scores, optimal) == 17000


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
@settings(max_examples=60, deadline=None)
@given(cohort=cohorts())
def test_the_same_input_gives_the_same_pairs_every_time(algorithm, cohort):
    scores, capacity, min_score = cohort
    first = algorithm(scores, capacity, min_score)
    assert algorithm(scores, capacity, min_score) == first
    assert algorithm(scores.copy(), capacity.copy(), min_score) == first


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
@settings(max_examples=60, deadline=None)
@given(cohort=cohorts())
def test_it_leaves_the_callers_scores_and_capacities_untouched(algorithm, cohort):
    scores, capacity, min_score = cohort
    scores_before, capacity_before = scores.copy(), capacity.copy()
    algorithm(scores, capacity, min_score)
    np.testing.assert_array_equal(scores, scores_before)
    np.testing.assert_array_equal(capacity, capacity_before)


def test_all_ties_are_broken_the_same_way_on_every_run():
    scores, capacity = a_cohort([[500] * 3] * 4, [1, 1, 1])
    runs = {tuple(assign_optimal(scores, capacity, 0)) for _ in range(5)}
    assert len(runs) == 1
    (pairs,) = runs
    assert len(pairs) == 3


# ---------------------------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_no_mentees_means_no_pairs(algorithm):
    scores, capacity = a_cohort([], [1, 2])
    assert algorithm(scores, capacity, 0) == []


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_no_mentors_means_no_pairs(algorithm):
    scores, capacity = a_cohort([[], []], [])
    assert algorithm(scores, capacity, 0) == []


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_mentors_with_no_free_places_get_no_mentees(algorithm):
    scores, capacity = a_cohort([[9000, 8000], [7000, 6000]], [0, 0])
    assert algorithm(scores, capacity, 0) == []


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_a_mentor_with_no_free_places_is_skipped_for_one_who_has_room(algorithm):
    scores, capacity = a_cohort([[9000, 1000], [8000, 2000]], [0, 2])
    assert algorithm(scores, capacity, 0) == [(0, 1), (1, 1)]


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda f: f.__name__)
def test_with_a_minimum_of_zero_everyone_with_zero_scores_is_still_matched(algorithm):
    scores, capacity = a_cohort([[0, 0], [0, 0], [0, 0]], [1, 2])
    pairs = algorithm(scores, capacity, 0)
    assert len(pairs) == 3
    assert_feasible(scores, capacity, 0, pairs)


def test_priority_breaks_ties_on_the_flow_only_while_its_weights_stay_in_range():
    rows, cols = np.array([0, 1]), np.array([0, 0])
    values = np.array([166, 166])
    priority = np.array([False, True])
    widened = assignment._weigh(3, 2, 2, 4, priority, None)
    # (166 * 3 + 2) * P + bonus, P = 2 * 2 + 1: the same order of weights, the priority mentee
    # one higher.
    assert widened(values, rows, cols).tolist() == [2500, 2501]
    # Weights a 64-bit total could not hold times P: priority is left out, the optimum kept.
    unchanged = assignment._weigh(10**9, 1, 10_000, 20_000, priority, None)
    assert unchanged(values, rows, cols).tolist() == [166 * 10**9 + 1] * 2
    # Nobody with priority: the weights as they were.
    plain = assignment._weigh(3, 2, 2, 4, None, np.array([False]))
    assert plain(values, rows, cols).tolist() == [500, 500]
