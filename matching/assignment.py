"""Who is paired with whom, given every pair's score: the exact optimum (best total, or best
for the worst-off), and a greedy baseline.

All take scores in whole hundredths, shape (mentees, mentors), with `FORBIDDEN` (-1) for pairs
that may never be proposed, each mentor's free places, and the minimum acceptable score in
hundredths. All return (mentee row, mentor column) pairs sorted by mentee row.

The exact ones solve a min-cost flow (OR-tools `SimpleMinCostFlow`) in which mentor places are
capacities, not copied columns: one unit of supply per mentee; an arc mentee -> mentor for each
acceptable pair (score at or above the minimum, never a forbidden one); mentor -> sink with the
mentor's free places as capacity; mentee -> sink at cost 0 for "left unmatched". Weights are
whole numbers, so the optimum is exact. OR-tools is imported where it is used, so that starting
Django does not pay for it.

Ties: the solver is deterministic (the same arcs, added in the same order, give the same flow),
and arcs are always added mentee by mentee, mentor by mentor. Among assignments with equal
objective values the one returned is the solver's, not a documented canonical one; what is
guaranteed is that the same input gives the same pairs on every run and machine.

Priority (applicants invited from an earlier cohort's waitlist, `Application.priority`): the
optional boolean vectors `priority_rows` (mentees) and `priority_cols` (mentors) break ties
only. A pair's priority bonus is the number of its two people with priority (0, 1 or 2); among
assignments equal in total score and in people matched, the one with the greatest total bonus
wins. It never trades a hundredth of score for it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .audit import Certificate

GREEDY_CHUNK = 65536
# Scores are hundredths of 0..100.
MAX_SCORE = 10_000


def acceptable_arcs(
    scores: np.ndarray, capacity: np.ndarray, min_score: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, scores) of every pair that may be proposed, in row-major order: at or above
    the minimum (never forbidden) and with a mentor who has a free place."""
    acceptable = scores >= max(min_score, 0)
    acceptable &= (capacity > 0)[np.newaxis, :]
    rows, cols = np.nonzero(acceptable)
    del acceptable
    return rows, cols, scores[rows, cols].astype(np.int64)


def solve_flow(
    n: int, capacity: np.ndarray, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Indices (into rows/cols) of the arcs a maximum-weight assignment uses: each mentee at most
    once, mentor j at most capacity[j] times. Weights are positive whole numbers."""
    from ortools.graph.python import min_cost_flow

    m = capacity.size
    if n == 0 or rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    sink = n + m
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        rows.astype(np.int32),
        (cols + n).astype(np.int32),
        np.ones(rows.size, dtype=np.int64),
        -weights.astype(np.int64),
    )
    used = np.unique(cols)
    flow.add_arcs_with_capacity_and_unit_cost(
        (used + n).astype(np.int32),
        np.full(used.size, sink, dtype=np.int32),
        np.minimum(capacity[used], n).astype(np.int64),
        np.zeros(used.size, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, dtype=np.int32),
        np.full(n, sink, dtype=np.int32),
        np.ones(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n] = 1
    supplies[sink] = -n
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The min-cost flow solver stopped with status {status}.")
    return np.flatnonzero(flow.flows(np.arange(rows.size, dtype=np.int32)) > 0)


def _pairs(rows: np.ndarray, cols: np.ndarray, chosen: np.ndarray) -> list[tuple[int, int]]:
    return sorted(zip(rows[chosen].tolist(), cols[chosen].tolist(), strict=True))


def _priority(vector: np.ndarray | None, size: int) -> np.ndarray:
    if vector is None:
        return np.zeros(size, dtype=np.int64)
    return np.asarray(vector, dtype=np.int64)


# OR-tools multiplies costs by (nodes + 1) inside and sums them in 64 bits.
SAFE_TOTAL_COST = 2**62

# The flow starts from each mentee's best few acceptable mentors and each mentor's best few
# mentees; every pair left out is then checked against the duals, and the ones that could
# improve the total are added (at most ADDED_PER_MENTEE per mentee per round) until none can.
CANDIDATES_PER_MENTEE = 20
CANDIDATES_PER_MENTOR = 40
ADDED_PER_MENTEE = 10
BLOCK_ROWS = 1024


@dataclass
class Solution:
    """An assignment and its proof: `proved` when LP duals, checked against every acceptable
    pair, bound every assignment's total by the assignment's own; `upper_bound` is that bound
    in hundredths of score (for maximin: among assignments of as many pairs, all at or above
    its lowest score)."""

    pairs: list[tuple[int, int]]
    proved: bool
    upper_bound: int
    # Flat indices (row * mentors + column) of the pairs the last flow was solved on: each
    # mentee's and mentor's best few and those the duals asked for (the audit reuses them).
    candidates: np.ndarray | None = None


@dataclass
class Weigh:
    """The weight of an acceptable pair from its score (hundredths), row and column; arrays
    broadcast, so a block of the score matrix is weighed like a list of arcs.

    `weight = (score * scale + offset) * factor + bonus`, bonus the number of the pair's two
    people with priority (when `factor` > 1)."""

    scale: int
    offset: int
    factor: int = 1
    priority_rows: np.ndarray | None = None
    priority_cols: np.ndarray | None = None

    def __call__(self, values: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        weights = (values.astype(np.int64) * self.scale + self.offset) * self.factor
        if self.factor > 1:
            if self.priority_rows is not None:
                weights = weights + self.priority_rows[rows]
            if self.priority_cols is not None:
                weights = weights + self.priority_cols[cols]
        return weights

    def hundredths(self, weight: int, pairs: int) -> int:
        """The most score (hundredths) an assignment of `pairs` pairs weighing at most
        `weight` can have: the bonus is below `factor` in total and the offsets are counted
        per pair (with scale 1) or below `scale` in total (with offset 1)."""
        base = weight // self.factor
        if self.scale == 1:
            return base - self.offset * pairs
        return base // self.scale


def _weigh(
    scale: int,
    offset: int,
    pairs_at_most: int,
    nodes: int,
    priority_rows: np.ndarray | None,
    priority_cols: np.ndarray | None,
) -> Weigh:
    """The weights, with priority breaking ties when there is any and the total stays in range.

    P = 2 * pairs + 1 exceeds any total bonus, so no weight difference is ever traded for it.
    The weights grow by P, so this is only done while the total cost stays in OR-tools' range
    (cohorts up to about 3,000 pairs); a larger cohort is matched on the same optimum with ties
    left to the solver.
    """
    rows = None if priority_rows is None else np.asarray(priority_rows, dtype=np.int64)
    cols = None if priority_cols is None else np.asarray(priority_cols, dtype=np.int64)
    if not ((rows is not None and rows.any()) or (cols is not None and cols.any())):
        return Weigh(scale, offset)
    factor = 2 * pairs_at_most + 1
    largest = ((MAX_SCORE * scale + offset) * factor + 2) * pairs_at_most * (nodes + 1)
    if largest >= SAFE_TOTAL_COST:
        return Weigh(scale, offset)
    return Weigh(scale, offset, factor, rows, cols)


def _best_per_row(masked: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's k largest entries that are not negative."""
    k = min(k, masked.shape[1])
    if k == 0 or masked.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if k == masked.shape[1]:
        rows, cols = np.nonzero(masked >= 0)
        return rows, cols
    top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(masked.shape[0]), k)
    cols = top.ravel()
    keep = masked[rows, cols] >= 0
    return rows[keep], cols[keep]


def _candidates(scores: np.ndarray, capacity: np.ndarray, min_score: int) -> np.ndarray:
    """Flat indices (row * mentors + column), sorted, of each mentee's best acceptable mentors
    and each mentor's best acceptable mentees."""
    n, m = scores.shape
    floor = max(min_score, 0)
    closed = capacity <= 0
    found = []
    for start in range(0, n, BLOCK_ROWS):
        block = scores[start : start + BLOCK_ROWS]
        block = np.where(block >= floor, block, -1)  # a copy: -1 marks what may not be proposed
        block[:, closed] = -1
        rows, cols = _best_per_row(block, CANDIDATES_PER_MENTEE)
        found.append((rows + start) * m + cols)
    for start in range(0, m, BLOCK_ROWS):
        block = np.ascontiguousarray(scores[:, start : start + BLOCK_ROWS].T)  # mentors as rows
        block = np.where(block >= floor, block, -1)
        block[closed[start : start + BLOCK_ROWS]] = -1
        cols, rows = _best_per_row(block, CANDIDATES_PER_MENTOR)
        found.append(rows * m + cols + start)
    return np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)


def _improving(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    weigh: Weigh,
    mentee_duals: np.ndarray,
    mentor_duals: np.ndarray,
) -> np.ndarray:
    """Flat indices of acceptable pairs whose weight exceeds their duals' sum (u_i + v_j), the
    pairs that could still improve the total: for each mentee, the ADDED_PER_MENTEE that
    exceed it most. None means the duals hold on every acceptable pair."""
    n, m = scores.shape
    floor = max(min_score, 0)
    closed = capacity <= 0
    columns = np.arange(m)[np.newaxis, :]
    found = []
    for start in range(0, n, BLOCK_ROWS):
        block = scores[start : start + BLOCK_ROWS]
        rows = np.arange(start, start + block.shape[0])[:, np.newaxis]
        excess = weigh(block, rows, columns)
        excess -= mentee_duals[rows]
        excess -= mentor_duals[columns]
        excess[(block < floor) | closed[np.newaxis, :]] = -1
        bad_rows = np.flatnonzero((excess > 0).any(axis=1))
        if bad_rows.size:
            r, c = _best_per_row(
                np.where(excess[bad_rows] > 0, excess[bad_rows], -1), ADDED_PER_MENTEE
            )
            found.append((bad_rows[r] + start) * m + c)
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def solve_exact(
    scores: np.ndarray, capacity: np.ndarray, min_score: int, weigh: Weigh
) -> tuple[list[tuple[int, int]], "Certificate", np.ndarray]:
    """The assignment of greatest total weight over every acceptable pair, the LP duals that
    prove it and the pairs the flow was last solved on.

    The flow is solved on candidate pairs only (`_candidates`); the duals of its assignment
    (`audit.dual_certificate`, computed from the assignment, not from the solver) are then
    checked against every acceptable pair of the score matrix. A pair whose weight exceeds its
    duals' sum is one the optimum over all pairs might use: such pairs are added and the flow
    solved again. When none is left, the duals hold on every pair, so by weak duality no
    assignment over all pairs weighs more: the result is the exact optimum, with its proof.
    """
    from .audit import dual_certificate

    n, m = scores.shape
    keys = _candidates(scores, capacity, min_score)
    while True:
        rows, cols = np.divmod(keys, m)
        weights = weigh(scores[rows, cols], rows, cols)
        pairs = _pairs(rows, cols, solve_flow(n, capacity, rows, cols, weights))
        certificate = dual_certificate(n, capacity, rows, cols, weights, pairs)
        if not certificate.feasible:
            # Cannot happen for an optimal flow; if it did, every pair is a candidate.
            everything = acceptable_arcs(scores, capacity, min_score)
            everything = everything[0] * m + everything[1]
            if everything.size == keys.size:
                return pairs, certificate, keys
            keys = everything
            continue
        missing = _improving(
            scores, capacity, min_score, weigh, certificate.mentee_duals, certificate.mentor_duals
        )
        if missing.size == 0:
            return pairs, certificate, keys
        keys = np.union1d(keys, missing)


def solve_total(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    *,
    priority_rows: np.ndarray | None = None,
    priority_cols: np.ndarray | None = None,
) -> Solution:
    """The assignment with the greatest total score, exactly; among equal totals, the one that
    matches the most people.

    An acceptable pair weighs `score * K + 1` with K = (most pairs possible) + 1: a hundredth
    more in total (worth K) outweighs any number of extra pairs (worth 1 each, fewer than K).
    No overflow: a pair weighs at most 10,000 * K + 1; with at most N = mentees pairs the total
    is at most N * (10,000 * (N + 1) + 1), and OR-tools scales costs by (nodes + 1) inside and
    checks its own range (it would answer BAD_COST_RANGE, which raises here): for 100,000
    mentees and as many mentors that is about 1e9 * 2e5 = 2e14, far below 2**63 (9.2e18).

    With priority, each acceptable weight becomes `(score * K + 1) * P + bonus`, P larger than
    any possible total bonus (2 per pair): priority only decides between otherwise equal
    optima (see `_weigh` for the range it is used in).
    """
    n, m = scores.shape
    capacity = np.asarray(capacity, dtype=np.int64)
    if n == 0 or m == 0:
        return Solution([], True, 0)
    k = min(n, int(np.maximum(capacity, 0).sum())) + 1
    weigh = _weigh(k, 1, k - 1, n + m, priority_rows, priority_cols)
    pairs, certificate, keys = solve_exact(scores, capacity, min_score, weigh)
    return Solution(
        pairs, certificate.optimal, weigh.hundredths(certificate.bound, len(pairs)), keys
    )


def assign_optimal(scores: np.ndarray, capacity: np.ndarray, min_score: int, **priority) -> list:
    """The pairs of `solve_total`."""
    return solve_total(scores, capacity, min_score, **priority).pairs


def _max_flows(
    n: int, rows: np.ndarray, cols: np.ndarray, variants: list[np.ndarray]
) -> list[tuple[int, np.ndarray]]:
    """For each capacity vector, the most pairs these arcs allow (a maximum flow) and the
    mentee -> column assignment (-1 for none) of one such flow. The graph is built once and
    only the columns' capacities change between the solves."""
    from ortools.graph.python import max_flow

    m = variants[0].size
    if n == 0 or rows.size == 0:
        return [(0, np.full(n, -1, dtype=np.int64)) for _ in variants]
    source, sink = n + m, n + m + 1
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32), np.ones(n, np.int64)
    )
    arcs = flow.add_arcs_with_capacity(
        rows.astype(np.int32), (cols + n).astype(np.int32), np.ones(rows.size, np.int64)
    )
    first = flow.add_arcs_with_capacity(
        np.arange(n, n + m, dtype=np.int32),
        np.full(m, sink, dtype=np.int32),
        np.zeros(m, np.int64),
    )[0]
    answers = []
    for places in variants:
        flow.set_arcs_capacity(
            np.arange(first, first + m, dtype=np.int32),
            np.minimum(np.maximum(places, 0), n).astype(np.int64),
        )
        if flow.solve(source, sink) != flow.OPTIMAL:
            raise RuntimeError("The maximum flow solver did not finish.")
        used = flow.flows(np.asarray(arcs, dtype=np.int32)) > 0
        partner = np.full(n, -1, dtype=np.int64)
        partner[rows[used]] = cols[used]
        answers.append((int(flow.optimal_flow()), partner))
    return answers


def _can_grow(
    scores: np.ndarray,
    floor: int,
    places: np.ndarray,
    extra: np.ndarray | None,
    partner: np.ndarray,
) -> bool:
    """Whether an assignment (`partner`: each mentee's column or -1) can take one more pair
    over every pair of `scores` at or above `floor` and the `extra` columns' acceptable pairs
    (a boolean (mentees, extra columns) matrix): a breadth-first search for an augmenting path,
    a block of mentee rows at a time. None exists exactly when the assignment has the most
    pairs possible."""
    m = scores.shape[1]
    columns = places.size
    if columns == 0:
        return False
    load = np.bincount(partner[partner >= 0], minlength=columns)
    open_columns = places > 0
    seen_column = np.zeros(columns, dtype=bool)
    seen_mentee = partner < 0
    frontier = np.flatnonzero(seen_mentee)
    while frontier.size:
        reached = np.zeros(columns, dtype=bool)
        for start in range(0, frontier.size, BLOCK_ROWS):
            chunk = frontier[start : start + BLOCK_ROWS]
            reached[:m] |= (scores[chunk] >= floor).any(axis=0)
            if extra is not None:
                reached[m:] |= extra[chunk].any(axis=0)
        reached &= open_columns & ~seen_column
        if (load[reached] < places[reached]).any():
            return True
        seen_column |= reached
        following = (partner >= 0) & reached[np.maximum(partner, 0)] & ~seen_mentee
        seen_mentee |= following
        frontier = np.flatnonzero(following)
    return False


def most_pairs_exact(
    scores: np.ndarray,
    min_score: int,
    variants: list[np.ndarray],
    *,
    extra: np.ndarray | None = None,
    candidates: np.ndarray | None = None,
) -> list[int]:
    """How many pairs at most each capacity vector allows over every acceptable pair of
    `scores` (at or above the minimum, never forbidden) and of the `extra` columns (a boolean
    (mentees, extra columns) matrix, columns numbered after the real ones), exactly.

    Each maximum flow is solved on candidate pairs only (`candidates`, flat indices over the
    real columns, by default each mentee's and mentor's best few, and every extra pair); its
    assignment is then checked for an augmenting path over every pair (`_can_grow`). None
    means no flow over all pairs is larger; when one exists, that answer is solved again over
    every pair.
    """
    n, m = scores.shape
    floor = max(min_score, 0)
    if candidates is None:
        candidates = _candidates(scores, variants[0][:m], min_score)
    rows, cols = np.divmod(candidates, m) if m else (candidates, candidates)
    keep = scores[rows, cols] >= floor
    rows, cols = rows[keep], cols[keep]
    if extra is not None:
        extra_rows, extra_cols = np.nonzero(extra)
        rows = np.concatenate([rows, extra_rows])
        cols = np.concatenate([cols, extra_cols + m])
    answers = []
    for places, (count, partner) in zip(variants, _max_flows(n, rows, cols, variants), strict=True):
        if _can_grow(scores, floor, places, extra, partner):
            every_rows, every_cols = np.nonzero(scores >= floor)
            if extra is not None:
                every_rows = np.concatenate([every_rows, extra_rows])
                every_cols = np.concatenate([every_cols, extra_cols + m])
            ((count, _),) = _max_flows(n, every_rows, every_cols, [places])
        answers.append(count)
    return answers


def solve_maximin(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    *,
    priority_rows: np.ndarray | None = None,
    priority_cols: np.ndarray | None = None,
) -> Solution:
    """Best for the worst-off, exactly: first nobody is left out who could be matched (the most
    pairs possible at or above the minimum: the unmatched are the worst off of all), then the
    lowest pair score is as high as it can be, then the total is the greatest.

    The lowest score is found by a binary search over the levels from the minimum to 100: a
    level is reachable when the pairs at or above it still allow the most pairs. The final
    assignment uses only pairs at or above that level and weighs each `B + score`, with B
    greater than any possible total (10,000 * pairs + 1), so the number of pairs comes first
    and the total second; its proof bounds the total among assignments of as many pairs, all
    at or above that level.
    """
    n, m = scores.shape
    capacity = np.asarray(capacity, dtype=np.int64)
    if n == 0 or m == 0:
        return Solution([], True, 0)
    # Every threshold is checked on the same candidates (those at or above the minimum).
    candidates = _candidates(scores, capacity, min_score)
    (target,) = most_pairs_exact(scores, min_score, [capacity], candidates=candidates)
    if target == 0:
        return Solution([], True, 0)
    values = scores.ravel()[candidates]
    # The greatest whole level still allowing `target` pairs is a score some pair has: the
    # lowest pair of a flow at that level scores at least it, and is itself a level allowed.
    low, high = max(min_score, 0), MAX_SCORE  # low is always reachable
    while low < high:
        middle = (low + high + 1) // 2
        kept = candidates[values >= middle]
        if most_pairs_exact(scores, middle, [capacity], candidates=kept) == [target]:
            low = middle
        else:
            high = middle - 1
    level = low
    pairs_at_most = min(n, int(np.maximum(capacity, 0).sum()))
    big = MAX_SCORE * pairs_at_most + 1
    weigh = _weigh(1, big, pairs_at_most, n + m, priority_rows, priority_cols)
    pairs, certificate, _ = solve_exact(scores, capacity, level, weigh)
    return Solution(
        pairs, certificate.optimal, weigh.hundredths(certificate.bound, len(pairs)), candidates
    )


def assign_maximin(scores: np.ndarray, capacity: np.ndarray, min_score: int, **priority) -> list:
    """The pairs of `solve_maximin`."""
    return solve_maximin(scores, capacity, min_score, **priority).pairs


def assign_greedy(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    *,
    priority_rows: np.ndarray | None = None,
    priority_cols: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Repeatedly take the best remaining acceptable pair. A baseline only: never better.

    Ties go to the pair with more people with priority, then to the lower mentee row, then the
    lower mentor column. The sorted pairs are
    walked in chunks; each chunk first drops, as arrays, the pairs whose mentee or mentor was
    already taken, so the Python loop only sees pairs that may still be taken.
    """
    n, m = scores.shape
    remaining = np.asarray(capacity, dtype=np.int64).copy()
    if n == 0 or m == 0 or not (remaining > 0).any():
        return []
    flat = scores.ravel()
    candidates = np.flatnonzero(flat >= max(min_score, 0))
    key = flat[candidates].astype(np.int64) * 3
    if priority_rows is not None or priority_cols is not None:
        cand_rows, cand_cols = np.divmod(candidates, m)
        key += _priority(priority_rows, n).astype(np.int64)[cand_rows]
        key += _priority(priority_cols, m).astype(np.int64)[cand_cols]
    order = candidates[np.argsort(-key, kind="stable")]
    del key
    del candidates
    free = np.ones(n, dtype=bool)
    pairs = []
    open_mentors = int((remaining > 0).sum())
    for start in range(0, order.size, GREEDY_CHUNK):
        chunk = order[start : start + GREEDY_CHUNK]
        rows, cols = np.divmod(chunk, m)
        alive = free[rows] & (remaining[cols] > 0)
        for row, col in zip(rows[alive].tolist(), cols[alive].tolist(), strict=True):
            if free[row] and remaining[col] > 0:
                free[row] = False
                remaining[col] -= 1
                pairs.append((row, col))
                if remaining[col] == 0:
                    open_mentors -= 1
        if open_mentors == 0 or not free.any():
            break
    return sorted(pairs)


ALGORITHMS = {"optimal": assign_optimal, "greedy": assign_greedy}
OBJECTIVES = {"total": solve_total, "maximin": solve_maximin}
