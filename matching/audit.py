"""The audit every run carries: a certificate that its assignment is optimal, the spread of its
pair scores, its blocking pairs, who was left unmatched where, and what recruiting would help.

The certificate is an LP dual, computed here from the assignment alone (not from the solver):
for the assignment LP "maximise sum w_ij x_ij, each mentee at most once, mentor j at most c_j
times, x >= 0", any u >= 0 (per mentee) and v >= 0 (per mentor) with u_i + v_j >= w_ij on every
acceptable pair bound every assignment's total by sum u + sum c_j v_j (weak duality). When that
bound equals the run's total, no assignment can do better. The duals are shortest-path
distances in the residual graph of the assignment (Bellman-Ford, vectorised); they exist
exactly when the assignment is optimal. `assignment.solve_exact` computes them on the pairs
its flow was solved on and checks them against every acceptable pair of the score matrix; the
run's audit reports that proof and the bound it gives in hundredths of score."""

from dataclasses import dataclass

import numpy as np


@dataclass
class Certificate:
    mentee_duals: np.ndarray  # u, hundredths-scaled like the weights
    mentor_duals: np.ndarray  # v
    bound: int  # sum u + sum c v
    total: int  # the assignment's weight
    feasible: bool  # the duals satisfy every constraint of the dual LP

    @property
    def optimal(self) -> bool:
        return self.feasible and self.bound == self.total


def dual_certificate(
    n: int,
    capacity: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    pairs: list[tuple[int, int]],
) -> Certificate:
    """LP duals proving (or failing to prove) that `pairs` has the greatest total weight over the
    arcs (rows, cols, weights), mentor j taking at most capacity[j] mentees.

    Complementary slackness fixes u_i = w(i, its mentor) - v(its mentor) for a matched mentee
    and u_i = 0 for an unmatched one, and v_j = 0 for a mentor with a free place. What is left
    is a system of difference constraints on v (one per arc: v_k - v_j <= w_ik - w_ij when i is
    with k, v_j >= w_ij when i is unmatched; and 0 <= v_k <= w_ik), solved as shortest paths
    from a zero node; it has a solution exactly when no improving exchange exists. The result is
    then checked constraint by constraint, whatever the search found.
    """
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    m = capacity.size
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    partner = np.full(n, -1, dtype=np.int64)
    load = np.zeros(m, dtype=np.int64)
    for i, j in pairs:
        partner[i] = j
        load[j] += 1
    in_pair = partner[rows] == cols if rows.size else np.zeros(0, dtype=bool)
    got = np.zeros(n, dtype=np.int64)
    got[rows[in_pair]] = weights[in_pair]
    total = int(weights[in_pair].sum())
    if in_pair.sum() != len(pairs):
        # A pair that is not an acceptable arc: nothing to certify.
        return Certificate(np.zeros(n, np.int64), np.zeros(m, np.int64), 0, total, False)

    zero = m
    others = ~in_pair
    held = others & (partner[rows] >= 0)  # i is with k: edge j -> k, weight w_ik - w_ij
    order = np.argsort(partner[rows[held]], kind="stable")
    e_from = cols[held][order]
    e_to = partner[rows[held]][order]
    e_w = (got[rows[held]] - weights[held])[order]
    e_targets, e_starts = np.unique(e_to, return_index=True)
    loose = others & (partner[rows] < 0)  # i is unmatched: edge j -> zero, weight -w_ij
    z_from, z_w = cols[loose], -weights[loose]
    matched = np.flatnonzero(partner >= 0)
    k_to, k_w = partner[matched], got[matched]  # edge zero -> k, weight w_ik
    not_full = np.flatnonzero(load < capacity)  # edge zero -> j, weight 0

    d = np.zeros(m + 1, dtype=np.int64)
    converged = False
    for _ in range(m + 2):
        before = d.copy()
        if e_from.size:
            best = np.minimum.reduceat(d[e_from] + e_w, e_starts)
            d[e_targets] = np.minimum(d[e_targets], best)
        candidates = [d[zero], d[:m].min(initial=0)]
        if z_from.size:
            candidates.append((d[z_from] + z_w).min())
        d[zero] = min(candidates)
        if k_to.size:
            np.minimum.at(d, k_to, d[zero] + k_w)
        d[not_full] = np.minimum(d[not_full], d[zero])
        if np.array_equal(d, before):
            converged = True
            break
    v = d[:m] - d[zero]
    u = got.copy()
    u[partner >= 0] -= v[partner[partner >= 0]]
    feasible = (
        converged
        and bool((u >= 0).all() and (v >= 0).all())
        and bool(np.all(u[rows] + v[cols] >= weights))
    )
    bound = int(u.sum() + (capacity * v).sum())
    return Certificate(u, v, bound, total, feasible)


def percentile_low(values: list[float], share: float) -> float | None:
    """The value below which `share` of the values lie (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(int(np.ceil(share * len(ordered))), 1)
    return ordered[rank - 1]


def blocking_pairs(
    scores: np.ndarray, capacity: np.ndarray, min_score: int, pairs: list[tuple[int, int]]
) -> int:
    """Mentor/mentee pairs not paired together whose mutual score is higher than what each got:
    an unmatched mentee, or a mentor with a free place, counts as having got 0. Only pairs
    that may be proposed (at or above the minimum, not forbidden) count."""
    n, m = scores.shape
    if n == 0 or m == 0:
        return 0
    capacity = np.asarray(capacity, dtype=np.int64)
    got_mentee = np.zeros(n, dtype=np.int64)
    lowest = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    load = np.zeros(m, dtype=np.int64)
    for i, j in pairs:
        got_mentee[i] = scores[i, j]
        lowest[j] = min(lowest[j], int(scores[i, j]))
        load[j] += 1
    got_mentor = np.where(load < capacity, 0, lowest)
    blocking = scores >= max(min_score, 0)
    blocking &= (capacity > 0)[np.newaxis, :]
    blocking &= scores > got_mentee[:, np.newaxis]
    blocking &= scores > got_mentor[np.newaxis, :]
    for i, j in pairs:
        blocking[i, j] = False
    return int(blocking.sum())


def _count_by(labels: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def run_audit(
    *,
    scores: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    pairs: list[tuple[int, int]],
    solution,
    inputs,
    encoder,
    encoded_mentees,
    places_per_mentor: int,
) -> dict:
    """The audit of one run, as `match --json` prints it under "audit" and the run stores it.

    Scores are the run's proposals (approved matches kept from before are not re-audited).
    Unmatched counts are of mentees, by their Census division and by the practice areas they
    want in a mentor (their own when they named none; a mentee wanting two areas counts in
    both).
    """
    from .assignment import solve_total
    from .recruiting import recruiting_advice, wanted_areas

    capacity = np.asarray(capacity, dtype=np.int64)
    values = sorted(int(scores[i, j]) for i, j in pairs)
    if solution is None:
        # A baseline's pairs: the bound is the exact optimum's, which it reaches only by luck.
        best = solve_total(scores, capacity, min_score)
        optimal, bound = best.proved and best.upper_bound == sum(values), best.upper_bound
        candidates = best.candidates
    else:
        optimal, bound = solution.proved, solution.upper_bound
        candidates = solution.candidates
    matched = {i for i, _ in pairs}
    unmatched_rows = [i for i in range(len(inputs.mentees)) if i not in matched]
    unmatched = [inputs.mentees[i] for i in unmatched_rows]
    names = inputs.names
    return {
        "optimal": bool(optimal),
        "upper_bound": bound / 100,
        "lowest_score": values[0] / 100 if values else None,
        "median_score": float(np.median(values)) / 100 if values else None,
        "p10_score": percentile_low(values, 0.1) / 100 if values else None,
        "blocking_pairs": blocking_pairs(scores, capacity, min_score, pairs),
        "unmatched_by_division": _count_by(
            [
                names.divisions.get(p.division, "Unknown")
                if p.division
                else "Outside the US or unknown"
                for p in unmatched
            ]
        ),
        "unmatched_by_practice_area": _count_by(
            [names.practice_areas.get(a, "?") for p in unmatched for a in sorted(wanted_areas(p))]
            + ["None named" for p in unmatched if not wanted_areas(p)]
        ),
        "recruiting": recruiting_advice(
            mentees=inputs.mentees,
            mentors=inputs.mentors,
            encoder=encoder,
            encoded_mentees=encoded_mentees,
            unmatched_rows=unmatched_rows,
            scores=scores,
            candidates=candidates,
            capacity=capacity,
            min_score=min_score,
            places_per_mentor=places_per_mentor,
            names=names,
            pairs_now=len(pairs),
        ),
    }
