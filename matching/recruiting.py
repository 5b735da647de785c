"""What would help the unmatched: mentor profiles built from unmatched mentees' wishes, and how
many more mentees such mentors would let match, found by solving again with them added.

A profile is a Census division (the mentees'), a practice area (the one they want that most
unmatched mentees want) and a career stage (the most senior among the cohort's mentors), with
the interests most of those mentees share. "N more mentors like this" is as many as the group
needs at the cohort's default places per mentor; "M more mentees" is how many more pairs at or
above the minimum become possible at most (a maximum flow over the acceptable pairs, with and
without the hypothetical mentors). Hypothetical mentors are never proposed to anyone.
"""

import math
from collections import Counter
from dataclasses import replace

import numpy as np

from .assignment import most_pairs
from .scoring import Encoded, Encoder, Names, Person, score_matrix

GROUPS_SHOWN = 5
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
    rows: np.ndarray,
    cols: np.ndarray,
    capacity: np.ndarray,
    min_score: int,
    places_per_mentor: int,
    names: Names,
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
    n = len(mentees)
    places = max(places_per_mentor, 1)
    base = most_pairs(n, capacity, rows, cols)
    advice = []
    for (division, area), members in ordered:
        first = mentees[members[0]]
        interests = Counter(x for i in members for x in mentees[i].interests)
        top = sorted(interests, key=lambda x: (-interests[x], x))[:INTERESTS_PER_PROFILE]
        mentor = replace(
            first,
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
        count = math.ceil(len(members) / places)
        column = score_matrix(encoded_mentees, encoder.encode([mentor], mentees=False))[:, 0]
        extra_rows = np.flatnonzero(column >= max(min_score, 0))
        more = most_pairs(
            n,
            np.append(capacity, count * places),
            np.concatenate([rows, extra_rows]),
            np.concatenate([cols, np.full(extra_rows.size, capacity.size)]),
        )
        advice.append(
            {
                "profile": {
                    "division": names.divisions.get(division, "") if division else "",
                    "practice_area": names.practice_areas.get(area, "") if area else "",
                    "career_stage": mentor.stage_name,
                    "interests": [names.interests.get(x, "") for x in top],
                    "unmatched_mentees": len(members),
                },
                "more_mentors": count,
                "more_mentees_matched": more - base,
            }
        )
    return advice
