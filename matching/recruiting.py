"""What would help the unmatched: mentor profiles built from unmatched mentees' wishes, and how
many more mentees such mentors would let match, found by solving again with them added.

A profile is a Census division (the mentees'), a practice area (the one they want that most
unmatched mentees want) and a career stage (the most senior among the cohort's mentors), with
the interests most of those mentees share. "N more mentors like this" is as many as the group
needs at the cohort's default places per mentor; "M more mentees" is how many more pairs at or
above the minimum become possible at most (a maximum flow over the acceptable pairs, with and
without the hypothetical mentors, exact: see `assignment.most_pairs_exact`). Hypothetical
mentors are never proposed to anyone.
"""

import math
from collections import Counter
from dataclasses import replace

import numpy as np

from .assignment import most_pairs_exact
from .scoring import Encoded, Encoder, Names, Person, score_matrix

GROUPS_SHOWN = 3  # each is one more maximum flow over the whole cohort
INTERESTS_PER_PROFILE = 3


def wanted_areas(mentee: Person) -> frozenset[int]:
    return mentee.desired_areas or mentee.practice_areas


def recruiting_advice(
    *,
    mentees: list[Person],
    mentors: list[Person],
    encoder: Encoder,
    encoded_mentees: Encoded,
    unmatched_rows: list[int],
    scores: np.ndarray,
    candidates: np.ndarray | None,
    capacity: np.ndarray,
    min_score: int,
    places_per_mentor: int,
    names: Names,
    pairs_now: int,
) -> list[dict]:
    """Up to GROUPS_SHOWN profiles, largest group of unmatched mentees first."""
    if not unmatched_rows:
        return []
    demand = Counter(a for i in unmatched_rows for a in wanted_areas(mentees[i]))

    def area_of(mentee: Person) -> int | None:
        wanted = wanted_areas(mentee)
        return min(wanted, key=lambda a: (-demand[a], a)) if wanted else None

    groups: dict[tuple, list[int]] = {}
    for i in unmatched_rows:
        groups.setdefault((mentees[i].division or "", area_of(mentees[i]) or 0), []).append(i)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))[:GROUPS_SHOWN]

    senior = max(
        (p for p in mentors if p.stage_order is not None),
        key=lambda p: p.stage_order,
        default=None,
    )
    places = max(places_per_mentor, 1)
    profiles = []
    for (_, area), members in ordered:
        interests = Counter(x for i in members for x in mentees[i].interests)
        top = sorted(interests, key=lambda x: (-interests[x], x))[:INTERESTS_PER_PROFILE]
        profiles.append(
            replace(
                mentees[members[0]],
                id=-1,
                member_id=-1,
                location=None,
                location_name="",
                stage_order=senior.stage_order if senior else None,
                stage_name=senior.stage_name if senior else "",
                practice_areas=frozenset([area]) if area else frozenset(),
                interests=frozenset(top),
                backgrounds=frozenset(),
                desired_areas=frozenset(),
            )
        )
    counts = [math.ceil(len(members) / places) for _, members in ordered]

    # One graph: the real pairs plus every profile's column; each solve opens one profile's
    # places (the others stay at 0), the first solve none: the number possible today (skipped
    # when the run itself shows it).
    columns = score_matrix(encoded_mentees, encoder.encode(profiles, mentees=False))
    m = capacity.size
    closed = np.append(capacity, np.zeros(len(profiles), dtype=np.int64))
    # When every mentee or every place is taken, today's run is already the most possible.
    known = pairs_now == min(len(mentees), int(np.maximum(capacity, 0).sum()))
    variants = [] if known else [closed]
    for g, count in enumerate(counts):
        opened = closed.copy()
        opened[m + g] = count * places
        variants.append(opened)
    solved = most_pairs_exact(
        scores, min_score, variants, extra=columns >= max(min_score, 0), candidates=candidates
    )
    base = pairs_now if known else solved.pop(0)
    return [
        {
            "profile": {
                "division": names.divisions.get(division, "") if division else "",
                "practice_area": names.practice_areas.get(area, "") if area else "",
                "career_stage": profile.stage_name,
                "interests": [names.interests.get(x, "") for x in sorted(profile.interests)],
                "unmatched_mentees": len(members),
            },
            "more_mentors": count,
            "more_mentees_matched": more - base,
        }
        for ((division, area), members), profile, count, more in zip(
            ordered, profiles, counts, solved, strict=True
        )
    ]
