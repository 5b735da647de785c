"""Scores for every mentor/mentee pair of a cohort, in NumPy; `reasons` puts them in words.

Nothing here touches the database: `selectors` reads the cohort into `Person` records, and this
module encodes them as arrays and scores whole blocks of pairs at a time. The score of a pair is

    100 * sum(weight_k * component_k) / sum(weight_k)

over four components in 0..1 (professional background, region, shared interests, shared
background), where each weight is the cohort's weight scaled by how much the mentee said the
component matters to them. So every mentee can reach 100, whatever they chose to care about.

Scores are kept as whole hundredths (0..10000) so that the assignment optimises exactly the
numbers staff see, and ties are broken the same way on every run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

FORBIDDEN = -1  # a pair that may never be proposed (same person, paired before, rejected)

COMPONENTS = ("background", "region", "interests", "shared_background")
COMPONENT_LABELS = {
    "background": "Professional background",
    "region": "Region",
    "interests": "Shared interests",
    "shared_background": "Shared background",
}
# How much of the cohort's weight a component keeps for a mentee who rated it
# not important (0), somewhat important (1) or very important (2).
IMPORTANCE_FACTOR = (0.0, 0.5, 1.0)

# Region levels, best first. Same state is the same location code inside the US or a territory.
REGION_STATE, REGION_DIVISION, REGION_REGION, REGION_TIME_ZONE = 1.0, 0.75, 0.5, 0.25
# Background is mostly practice areas, partly career path (mentor further along).
AREA_SHARE, CAREER_SHARE = 0.8, 0.2
NOT_IN_US = {"outside", "territories"}  # regions whose members are not "nearby" by Census


@dataclass(frozen=True)
class Weights:
    background: int
    region: int
    interests: int
    shared_background: int
    min_score: int  # 0..100

    def as_dict(self) -> dict:
        return {
            "background": self.background,
            "region": self.region,
            "interests": self.interests,
            "shared_background": self.shared_background,
            "min_score": self.min_score,
        }


@dataclass(frozen=True)
class Person:
    """What matching knows of one accepted applicant, from their application's snapshot."""

    id: int  # application id
    member_id: int
    location: str | None = None  # USPS code, "XX" outside the US
    location_name: str = ""
    region: str | None = None
    division: str | None = None
    time_zone: str = ""
    stage_order: int | None = None
    stage_name: str = ""
    practice_areas: frozenset[int] = frozenset()
    interests: frozenset[int] = frozenset()
    backgrounds: frozenset[int] = frozenset()  # empty unless the member opted in
    # Mentees
    desired_areas: frozenset[int] = frozenset()
    background_importance: int = 2
    region_importance: int = 1
    interests_importance: int = 1
    wants_shared_background: bool = False
    # Mentors
    capacity: int = 1


@dataclass(frozen=True)
class Names:
    """Words for reasons: names of practice areas, interests and Census divisions/regions."""

    practice_areas: Mapping[int, str] = field(default_factory=dict)
    interests: Mapping[int, str] = field(default_factory=dict)
    divisions: Mapping[str, str] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=dict)


class _Codes:
    """Turns strings into small integers, -1 for none, so comparisons run on arrays."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if not value:
            return -1
        return self.index.setdefault(value, len(self.index))


def _membership_matrix(sets: list[frozenset[int]], vocabulary: dict[int, int]) -> np.ndarray:
    import numpy as np  # here, not at start-up: only matching runs need it

    matrix = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float32)
    for row, items in enumerate(sets):
        for item in items:
            matrix[row, vocabulary[item]] = 1.0
    return matrix


@dataclass
class Encoded:
    """One side of the cohort as arrays, row i being people[i]."""

    people: list[Person]
    state: np.ndarray  # location code index, -1 none or outside the US
    division: np.ndarray  # -1 none, outside the US or territories
    region: np.ndarray
    time_zone: np.ndarray
    stage: np.ndarray  # float, nan when unknown
    areas: np.ndarray  # mentors: practice areas; mentees: the areas they want in a mentor
    interests: np.ndarray
    backgrounds: np.ndarray
    weights: np.ndarray | None = None  # mentees: (n, 4) normalised component weights


class Encoder:
    """Encodes both sides against one vocabulary, so their columns line up."""

    def __init__(self) -> None:
        self.locations = _Codes()
        self.divisions = _Codes()
        self.regions = _Codes()
        self.time_zones = _Codes()
        self.areas: dict[int, int] = {}
        self.interests: dict[int, int] = {}
        self.backgrounds: dict[int, int] = {}

    def prepare(self, *sides: list[Person]) -> None:
        for people in sides:
            for p in people:
                for item in p.practice_areas | p.desired_areas:
                    self.areas.setdefault(item, len(self.areas))
                for item in p.interests:
                    self.interests.setdefault(item, len(self.interests))
                for item in p.backgrounds:
                    self.backgrounds.setdefault(item, len(self.backgrounds))

    def encode(
        self, people: list[Person], *, mentees: bool, weights: Weights | None = None
    ) -> Encoded:
        import numpy as np  # here, not at start-up: only matching runs need it

        def in_us(p: Person) -> bool:
            return bool(p.region) and p.region not in NOT_IN_US

        encoded = Encoded(
            people=people,
            # Two people "outside the US" are not in the same place.
            state=np.array(
                [self.locations(p.location if p.region != "outside" else None) for p in people],
                dtype=np.int32,
            ),
            division=np.array(
                [self.divisions(p.division if in_us(p) else None) for p in people], dtype=np.int32
            ),
            region=np.array(
                [self.regions(p.region if in_us(p) else None) for p in people], dtype=np.int32
            ),
            time_zone=np.array([self.time_zones(p.time_zone) for p in people], dtype=np.int32),
            stage=np.array(
                [np.nan if p.stage_order is None else p.stage_order for p in people],
                dtype=np.float64,
            ),
            areas=_membership_matrix(
                [wanted_areas(p) if mentees else p.practice_areas for p in people],
                self.areas,
            ),
            interests=_membership_matrix([p.interests for p in people], self.interests),
            backgrounds=_membership_matrix([p.backgrounds for p in people], self.backgrounds),
        )
        if mentees:
            if weights is None:
                raise ValueError("Mentees are encoded with the cohort's weights.")
            encoded.weights = mentee_weights(people, weights)
        return encoded


def wanted_areas(mentee: Person) -> frozenset[int]:
    """The areas a mentee wants in a mentor; their own when they named none."""
    return mentee.desired_areas or mentee.practice_areas


def mentee_weights(mentees: list[Person], weights: Weights) -> np.ndarray:
    """Each mentee's component weights, scaled by their stated importance, summing to 1."""
    import numpy as np  # here, not at start-up: only matching runs need it

    base = np.array(
        [weights.background, weights.region, weights.interests, weights.shared_background],
        dtype=np.float64,
    )
    importance = np.array(
        [[p.background_importance, p.region_importance, p.interests_importance] for p in mentees],
        dtype=np.int64,
    ).reshape(len(mentees), 3)
    wants_shared = np.array(
        [p.wants_shared_background and bool(p.backgrounds) for p in mentees], dtype=np.float64
    )
    scaled = np.empty((len(mentees), 4), dtype=np.float64)
    scaled[:, :3] = base[:3] * np.array(IMPORTANCE_FACTOR)[np.clip(importance, 0, 2)]
    scaled[:, 3] = base[3] * wants_shared
    totals = scaled.sum(axis=1)
    # A mentee who said nothing matters is scored on the cohort's own weights.
    fallback = base.copy()
    fallback[3] = 0.0
    if fallback.sum() == 0:
        fallback[:3] = 1.0
    scaled[totals == 0] = fallback
    return scaled / scaled.sum(axis=1, keepdims=True)


def _component_values(
    *,
    area_overlap: np.ndarray,
    area_wanted: np.ndarray,
    mentee_stage: np.ndarray,
    mentor_stage: np.ndarray,
    same_state: np.ndarray,
    same_division: np.ndarray,
    same_region: np.ndarray,
    same_time_zone: np.ndarray,
    interest_overlap: np.ndarray,
    interests_mentee: np.ndarray,
    interests_mentor: np.ndarray,
    background_overlap: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """The four components from counts and comparisons. Shapes broadcast: a block of the pair
    matrix and a vector of chosen pairs go through the same arithmetic, so they agree exactly."""
    import numpy as np  # here, not at start-up: only matching runs need it

    # Counts arrive as float32 from the 0/1 matrix products; divide in float64 so that a full
    # match is exactly 1.0 (0.8 in float32 is a hair above 0.8).
    area_overlap, area_wanted, interest_overlap, interests_mentee, interests_mentor = (
        np.asarray(a, dtype=np.float64)
        for a in (area_overlap, area_wanted, interest_overlap, interests_mentee, interests_mentor)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(area_wanted > 0, area_overlap / np.maximum(area_wanted, 1), 0.0)
        career = np.where(
            mentor_stage > mentee_stage, 1.0, np.where(mentor_stage == mentee_stage, 0.5, 0.0)
        )
        background = AREA_SHARE * coverage + CAREER_SHARE * career
        region = np.where(
            same_state,
            REGION_STATE,
            np.where(
                same_division,
                REGION_DIVISION,
                np.where(
                    same_region,
                    REGION_REGION,
                    np.where(same_time_zone, REGION_TIME_ZONE, 0.0),
                ),
            ),
        )
        sizes = interests_mentee * interests_mentor
        interests = np.where(sizes > 0, interest_overlap / np.sqrt(np.maximum(sizes, 1)), 0.0)
        shared = np.where(background_overlap > 0, 1.0, 0.0)
    return background, region, interests, shared


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) & (a >= 0)


def _hundredths(weights: np.ndarray, values: tuple[np.ndarray, ...]) -> np.ndarray:
    """Score in whole hundredths; `weights` broadcast against the component values."""
    import numpy as np  # here, not at start-up: only matching runs need it

    score = (
        weights[0] * values[0]
        + weights[1] * values[1]
        + weights[2] * values[2]
        + weights[3] * values[3]
    )
    return np.floor(score * 10000.0 + 0.5).astype(np.int32)


# About 2 MB per float64 temporary: a block's dozen temporaries stay in the processor's cache
# (measured at 10,000 x 8,571: 512 rows per block took 5.4 s, 32 rows 2.1 s).
BLOCK_CELLS = 2**18


def score_matrix(
    mentees: Encoded, mentors: Encoded, *, block_rows: int | None = None
) -> np.ndarray:
    """Every pair's score in hundredths, shape (mentees, mentors), as int16 to stay small.

    Computed a block of mentee rows at a time: each block is a few matrix products and
    element-wise comparisons over (block, mentors) arrays, never a Python loop over pairs.
    """
    import numpy as np  # here, not at start-up: only matching runs need it

    n, m = len(mentees.people), len(mentors.people)
    block_rows = block_rows or max(BLOCK_CELLS // max(m, 1), 1)
    out = np.empty((n, m), dtype=np.int16)
    mentor_interest_counts = mentors.interests.sum(axis=1)
    mentee_interest_counts = mentees.interests.sum(axis=1)
    mentee_area_counts = mentees.areas.sum(axis=1)
    for rows in _blocks(n, block_rows):
        w = mentees.weights[rows].T[:, :, None]  # (4, block, 1)
        values = _component_values(
            area_overlap=mentees.areas[rows] @ mentors.areas.T,
            area_wanted=mentee_area_counts[rows, None],
            mentee_stage=mentees.stage[rows, None],
            mentor_stage=mentors.stage[None, :],
            same_state=_same(mentees.state[rows, None], mentors.state[None, :]),
            same_division=_same(mentees.division[rows, None], mentors.division[None, :]),
            same_region=_same(mentees.region[rows, None], mentors.region[None, :]),
            same_time_zone=_same(mentees.time_zone[rows, None], mentors.time_zone[None, :]),
            interest_overlap=mentees.interests[rows] @ mentors.interests.T,
            interests_mentee=mentee_interest_counts[rows, None],
            interests_mentor=mentor_interest_counts[None, :],
            background_overlap=mentees.backgrounds[rows] @ mentors.backgrounds.T,
        )
        out[rows] = _hundredths(w, values)
    return out


def pair_details(
    mentees: Encoded, mentors: Encoded, mentee_rows: np.ndarray, mentor_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (hundredths) and component values, shape (4, k), for the chosen pairs
    (mentee_rows[k], mentor_rows[k])."""
    import numpy as np  # here, not at start-up: only matching runs need it

    i, j = np.asarray(mentee_rows, dtype=np.int64), np.asarray(mentor_rows, dtype=np.int64)
    area_overlap = np.einsum("ka,ka->k", mentees.areas[i], mentors.areas[j])
    interest_overlap = np.einsum("ka,ka->k", mentees.interests[i], mentors.interests[j])
    background_overlap = np.einsum("ka,ka->k", mentees.backgrounds[i], mentors.backgrounds[j])
    area_wanted = mentees.areas.sum(axis=1)[i]
    interests_mentee = mentees.interests.sum(axis=1)[i]
    interests_mentor = mentors.interests.sum(axis=1)[j]
    values = _component_values(
        area_overlap=area_overlap,
        area_wanted=area_wanted,
        mentee_stage=mentees.stage[i],
        mentor_stage=mentors.stage[j],
        same_state=_same(mentees.state[i], mentors.state[j]),
        same_division=_same(mentees.division[i], mentors.division[j]),
        same_region=_same(mentees.region[i], mentors.region[j]),
        same_time_zone=_same(mentees.time_zone[i], mentors.time_zone[j]),
        interest_overlap=interest_overlap,
        interests_mentee=interests_mentee,
        interests_mentor=interests_mentor,
        background_overlap=background_overlap,
    )
    weights = mentees.weights[i].T  # (4, k)
    return _hundredths(weights, values), np.vstack([np.broadcast_to(v, i.shape) for v in values])


def _blocks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
