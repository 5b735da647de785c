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

import numpy as np

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


def _with_priority(
    weights: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    pairs_at_most: int,
    nodes: int,
    priority_rows: np.ndarray | None,
    priority_cols: np.ndarray | None,
) -> np.ndarray:
    """`weights * P + bonus`: the same optima, and among them the most people with priority.

    A pair's bonus is how many of its two people have priority; P = 2 * pairs + 1 exceeds any
    total bonus, so no weight difference is ever traded for it. The weights grow by P, so this
    is only done while the total cost stays in OR-tools' range (cohorts up to about 3,000
    pairs); a larger cohort is matched on the same optimum with ties left to the solver.
    """
    bonus = np.zeros(rows.size, dtype=np.int64)
    if priority_rows is not None:
        bonus += np.asarray(priority_rows, dtype=np.int64)[rows]
    if priority_cols is not None:
        bonus += np.asarray(priority_cols, dtype=np.int64)[cols]
    if not bonus.any():
        return weights
    factor = 2 * pairs_at_most + 1
    largest = (int(weights.max()) * factor + 2) * pairs_at_most * (nodes + 1)
    if largest >= SAFE_TOTAL_COST:
        return weights
    return weights * factor + bonus


def assign_optimal(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    *,
    priority_rows: np.ndarray | None = None,
    priority_cols: np.ndarray | None = None,
) -> list[tuple[int, int]]:
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
    optima (see `_with_priority` for the range it is used in).
    """
    n, m = scores.shape
    capacity = np.asarray(capacity, dtype=np.int64)
    if n == 0 or m == 0:
        return []
    rows, cols, values = acceptable_arcs(scores, capacity, min_score)
    k = min(n, int(np.maximum(capacity, 0).sum())) + 1
    weights = _with_priority(values * k + 1, rows, cols, k - 1, n + m, priority_rows, priority_cols)
    chosen = solve_flow(n, capacity, rows, cols, weights)
    return _pairs(rows, cols, chosen)


def most_pairs(
    n: int,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    variants: list[np.ndarray] | None = None,
) -> int | list[int]:
    """How many pairs at most these arcs allow (a maximum flow).

    With `variants`, one answer per capacity vector, all on the same arcs: the graph is built
    once and only the mentors' capacities change between the solves.
    """
    from ortools.graph.python import max_flow

    m = capacity.size
    if n == 0 or rows.size == 0:
        return [0] * len(variants) if variants is not None else 0
    source, sink = n + m, n + m + 1
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32), np.ones(n, np.int64)
    )
    flow.add_arcs_with_capacity(
        rows.astype(np.int32), (cols + n).astype(np.int32), np.ones(rows.size, np.int64)
    )
    first = flow.add_arcs_with_capacity(
        np.arange(n, n + m, dtype=np.int32),
        np.full(m, sink, dtype=np.int32),
        np.minimum(np.maximum(capacity, 0), n).astype(np.int64),
    )[0]
    answers = []
    for places in variants if variants is not None else [capacity]:
        flow.set_arcs_capacity(
            np.arange(first, first + m, dtype=np.int32),
            np.minimum(np.maximum(places, 0), n).astype(np.int64),
        )
        if flow.solve(source, sink) != flow.OPTIMAL:
            raise RuntimeError("The maximum flow solver did not finish.")
        answers.append(int(flow.optimal_flow()))
    return answers if variants is not None else answers[0]


def assign_maximin(
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    *,
    priority_rows: np.ndarray | None = None,
    priority_cols: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Best for the worst-off, exactly: first nobody is left out who could be matched (the most
    pairs possible at or above the minimum: the unmatched are the worst off of all), then the
    lowest pair score is as high as it can be, then the total is the greatest.

    The lowest score is found by a binary search over the scores that occur: a level is
    reachable when the pairs at or above it still allow the most pairs. The final assignment
    uses only pairs at or above that level and weighs each `B + score`, with B greater than any
    possible total (10,000 * pairs + 1), so the number of pairs comes first and the total second.
    """
    n, m = scores.shape
    capacity = np.asarray(capacity, dtype=np.int64)
    if n == 0 or m == 0:
        return []
    rows, cols, values = acceptable_arcs(scores, capacity, min_score)
    target = most_pairs(n, capacity, rows, cols)
    if target == 0:
        return []
    levels = np.unique(values)
    low, high = 0, levels.size - 1  # levels[low] is always reachable
    while low < high:
        middle = (low + high + 1) // 2
        keep = values >= levels[middle]
        if most_pairs(n, capacity, rows[keep], cols[keep]) == target:
            low = middle
        else:
            high = middle - 1
    keep = np.flatnonzero(values >= levels[low])
    rows, cols, values = rows[keep], cols[keep], values[keep]
    pairs_at_most = min(n, int(np.maximum(capacity, 0).sum()))
    big = MAX_SCORE * pairs_at_most + 1
    weights = _with_priority(
        values + big, rows, cols, pairs_at_most, n + m, priority_rows, priority_cols
    )
    chosen = solve_flow(n, capacity, rows, cols, weights)
    return _pairs(rows, cols, chosen)


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
OBJECTIVES = {"total": assign_optimal, "maximin": assign_maximin}
