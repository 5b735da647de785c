"""Pair scores and their reasons, checked against the formula the module documents.

A score is 100 * sum(w_k * c_k) / sum(w_k) over professional background, region, shared
interests and shared background, each component in 0..1 and each weight the cohort's weight
scaled by how much the mentee said the component matters. The reference below recomputes it
pair by pair in plain Python, from the people rather than from the engine's arrays.
"""

import math
from itertools import count

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching.reasons import explain
from matching.scoring import (
    AREA_SHARE,
    CAREER_SHARE,
    COMPONENTS,
    IMPORTANCE_FACTOR,
    REGION_DIVISION,
    REGION_REGION,
    REGION_STATE,
    REGION_TIME_ZONE,
    Encoder,
    Names,
    Person,
    Weights,
    mentee_weights,
    pair_details,
    score_matrix,
)

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

PLACES = {
    "CO": ("Colorado", "west", "mountain", "America/Denver"),
    "UT": ("Utah", "west", "mountain", "America/Denver"),
    "CA": ("California", "west", "pacific", "America/Los_Angeles"),
    "IL": ("Illinois", "midwest", "east_north_central", "America/Chicago"),
    "TX": ("Texas", "south", "west_south_central", "America/Chicago"),
    "NY": ("New York", "northeast", "middle_atlantic", "America/New_York"),
    "PR": ("Puerto Rico", "territories", "territories", "America/Puerto_Rico"),
    "GU": ("Guam", "territories", "territories", "Pacific/Guam"),
    "XX": ("Outside the US", "outside", "outside", ""),
}

NAMES = Names(
    practice_areas={1: "Litigation", 2: "Tax", 3: "Family law", 4: "Immigration"},
    interests={1: "Hiking", 2: "Chess", 3: "Jazz", 4: "Cooking", 5: "Running", 6: "Poetry"},
    divisions={
        "mountain": "Mountain",
        "pacific": "Pacific",
        "east_north_central": "East North Central",
        "west_south_central": "West South Central",
        "middle_atlantic": "Middle Atlantic",
        "territories": "U.S. territories",
        "outside": "Outside the US",
    },
    regions={
        "west": "West",
        "midwest": "Midwest",
        "south": "South",
        "northeast": "Northeast",
        "territories": "U.S. territories",
        "outside": "Outside the US",
    },
)

EVEN_WEIGHTS = Weights(background=25, region=25, interests=25, shared_background=25, min_score=0)
ONLY_REGION = Weights(background=0, region=1, interests=0, shared_background=0, min_score=0)
ONLY_INTERESTS = Weights(background=0, region=0, interests=1, shared_background=0, min_score=0)

_ids = count(1)


def a_person(*, place: str | None = None, **fields) -> Person:
    """Someone living in `place` (a key of PLACES), with any Person field overridden."""
    if place is not None:
        name, region, division, time_zone = PLACES[place]
        fields = {
            "location": place,
            "location_name": name,
            "region": region,
            "division": division,
            "time_zone": time_zone,
            **fields,
        }
    n = next(_ids)
    return Person(id=n, member_id=n, **fields)


def a_mentee(**fields) -> Person:
    """A mentee who cares about every component (very important), unless told otherwise."""
    fields = {
        "background_importance": 2,
        "region_importance": 2,
        "interests_importance": 2,
        **fields,
    }
    return a_person(**fields)


def a_mentor(**fields) -> Person:
    return a_person(**fields)


def encode(mentees: list[Person], mentors: list[Person], weights: Weights):
    encoder = Encoder()
    encoder.prepare(mentees, mentors)
    return (
        encoder.encode(mentees, mentees=True, weights=weights),
        encoder.encode(mentors, mentees=False),
    )


def scores(mentees: list[Person], mentors: list[Person], weights: Weights) -> np.ndarray:
    return score_matrix(*encode(mentees, mentors, weights))


def details(mentee: Person, mentor: Person, weights: Weights):
    """(hundredths, component values, mentee weights) for one pair."""
    encoded_mentees, encoded_mentors = encode([mentee], [mentor], weights)
    hundredths, values = pair_details(encoded_mentees, encoded_mentors, [0], [0])
    return int(hundredths[0]), values[:, 0], encoded_mentees.weights[0]


def reasons_for(mentee: Person, mentor: Person, weights: Weights) -> tuple[dict, list[str]]:
    _, values, mentee_w = details(mentee, mentor, weights)
    return explain(mentee, mentor, component_values=values, mentee_weights=mentee_w, names=NAMES)


# ---------------------------------------------------------------------------------------------
# Random small cohorts
# ---------------------------------------------------------------------------------------------

places = st.sampled_from([None, *PLACES])
time_zones = st.sampled_from(["", "America/Denver", "America/Chicago", "Europe/London"])


@st.composite
def people(draw) -> Person:
    place = draw(places)
    fields = {}
    if draw(st.booleans()):
        # Members pick their own time zone: someone outside the US may share one.
        fields["time_zone"] = draw(time_zones)
    stage = draw(st.none() | st.integers(1, 3))
    return a_person(
        place=place,
        stage_order=stage,
        stage_name="" if stage is None else f"stage {stage}",
        practice_areas=draw(st.frozensets(st.integers(1, 4), max_size=3)),
        desired_areas=draw(st.frozensets(st.integers(1, 4), max_size=3)),
        interests=draw(st.frozensets(st.integers(1, 6), max_size=4)),
        backgrounds=draw(st.frozensets(st.integers(1, 3), max_size=2)),
        background_importance=draw(st.integers(0, 2)),
        region_importance=draw(st.integers(0, 2)),
        interests_importance=draw(st.integers(0, 2)),
        wants_shared_background=draw(st.booleans()),
        **fields,
    )


weights_strategy = st.builds(
    Weights,
    background=st.integers(0, 10),
    region=st.integers(0, 10),
    interests=st.integers(0, 10),
    shared_background=st.integers(0, 10),
    min_score=st.just(0),
)

cohorts = st.tuples(
    st.lists(people(), min_size=1, max_size=4),
    st.lists(people(), min_size=1, max_size=4),
    weights_strategy,
)


# ---------------------------------------------------------------------------------------------
# The documented formula, by hand
# ---------------------------------------------------------------------------------------------


def reference_weights(mentee: Person, weights: Weights) -> list[float]:
    base = [weights.background, weights.region, weights.interests, weights.shared_background]
    importance = [
        mentee.background_importance,
        mentee.region_importance,
        mentee.interests_importance,
    ]
    scaled = [base[k] * float(IMPORTANCE_FACTOR[importance[k]]) for k in range(3)]
    scaled.append(base[3] if mentee.wants_shared_background and mentee.backgrounds else 0.0)
    if sum(scaled) == 0:
        # Said nothing matters: the cohort's own weights, shared background left out, and
        # every component alike when the cohort weighs nothing else either.
        scaled = [*base[:3], 0.0]
        if sum(scaled) == 0:
            scaled = [1.0, 1.0, 1.0, 0.0]
    return [w / sum(scaled) for w in scaled]


def in_us(person: Person) -> bool:
    return bool(person.region) and person.region not in {"outside", "territories"}


def reference_region(a: Person, b: Person) -> float:
    if a.location and a.location == b.location and "outside" not in {a.region, b.region}:
        return REGION_STATE
    if in_us(a) and in_us(b) and a.division and a.division == b.division:
        return REGION_DIVISION
    if in_us(a) and in_us(b) and a.region == b.region:
        return REGION_REGION
    if a.time_zone and a.time_zone == b.time_zone:
        return REGION_TIME_ZONE
    return 0.0


def reference_components(mentee: Person, mentor: Person) -> list[float]:
    wanted = mentee.desired_areas or mentee.practice_areas
    coverage = len(wanted & mentor.practice_areas) / len(wanted) if wanted else 0.0
    if mentee.stage_order is None or mentor.stage_order is None:
        career = 0.0
    elif mentor.stage_order > mentee.stage_order:
        career = 1.0
    elif mentor.stage_order == mentee.stage_order:
        career = 0.5
    else:
        career = 0.0
    sizes = len(mentee.interests) * len(mentor.interests)
    interests = len(mentee.interests & mentor.interests) / math.sqrt(sizes) if sizes else 0.0
    shared = 1.0 if mentee.backgrounds & mentor.backgrounds else 0.0
    return [
        AREA_SHARE * coverage + CAREER_SHARE * career,
        reference_region(mentee, mentor),
        interests,
        shared,
    ]


def reference_score(mentee: Person, mentor: Person, weights: Weights) -> float:
    """The score in hundredths, unrounded."""
    w = reference_weights(mentee, weights)
    c = reference_components(mentee, mentor)
    return 10000 * sum(w[k] * c[k] for k in range(4))


# ---------------------------------------------------------------------------------------------
# The score matrix
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_every_score_is_whole_hundredths_between_0_and_10000(cohort):
    mentees, mentors, weights = cohort
    matrix = scores(mentees, mentors, weights)
    assert matrix.shape == (len(mentees), len(mentors))
    assert matrix.dtype == np.int16
    assert matrix.min() >= 0
    assert matrix.max() <= 10000


@settings(max_examples=60, deadline=None)
@given(cohorts, st.integers(1, 3))
def test_the_matrix_and_the_pair_details_give_exactly_the_same_score(cohort, block_rows):
    mentees, mentors, weights = cohort
    encoded_mentees, encoded_mentors = encode(mentees, mentors, weights)
    # Small blocks, so the matrix is computed in several pieces as with a large cohort.
    matrix = score_matrix(encoded_mentees, encoded_mentors, block_rows=block_rows)
    rows, cols = np.indices(matrix.shape)
    hundredths, _ = pair_details(encoded_mentees, encoded_mentors, rows.ravel(), cols.ravel())
    np.testing.assert_array_equal(hundredths.reshape(matrix.shape), matrix)


@settings(max_examples=100, deadline=None)
@given(cohorts)
def test_the_score_agrees_with_the_documented_formula_to_within_one_hundredth(cohort):
    mentees, mentors, weights = cohort
    matrix = scores(mentees, mentors, weights)
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            expected = reference_score(mentee, mentor, weights)
            assert abs(int(matrix[i, j]) - expected) <= 1, (i, j, expected)


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_each_mentees_weights_follow_their_importance_and_sum_to_one(cohort):
    mentees, _, weights = cohort
    got = mentee_weights(mentees, weights)
    expected = np.array([reference_weights(m, weights) for m in mentees])
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cohorts)
@example(
    # Full coverage of the wanted area and a mentor further along: the background component
    # is exactly 1, AREA_SHARE + CAREER_SHARE.
    cohort=(
        [Person(id=1, member_id=1, practice_areas=frozenset({1}), stage_order=1)],
        [Person(id=2, member_id=2, practice_areas=frozenset({1}), stage_order=2)],
        EVEN_WEIGHTS,
    )
)
def test_every_component_value_lies_between_0_and_1(cohort):
    mentees, mentors, weights = cohort
    encoded_mentees, encoded_mentors = encode(mentees, mentors, weights)
    rows, cols = np.indices((len(mentees), len(mentors)))
    _, values = pair_details(encoded_mentees, encoded_mentors, rows.ravel(), cols.ravel())
    assert values.min() >= 0.0
    assert values.max() <= 1.0, values.max() - 1.0


@pytest.mark.parametrize("k", range(4), ids=COMPONENTS)
@settings(max_examples=40, deadline=None)
@given(mentees=st.lists(people(), min_size=1, max_size=3), mentors=st.lists(people(), max_size=3))
def test_with_a_single_weighted_component_the_score_is_100_times_that_component(
    k, mentees, mentors
):
    weights = Weights(*(1 if c == k else 0 for c in range(4)), min_score=0)
    # Only mentees who count the component (or want a shared background and have one):
    # anyone else falls back to other weights.
    mentees = [
        m
        for m in mentees
        if (
            m.wants_shared_background and m.backgrounds
            if k == 3
            else (m.background_importance, m.region_importance, m.interests_importance)[k] > 0
        )
    ]
    matrix = scores(mentees, mentors, weights)
    for i, mentee in enumerate(mentees):
        for j, mentor in enumerate(mentors):
            component = reference_components(mentee, mentor)[k]
            assert abs(int(matrix[i, j]) - 10000 * component) <= 0.5


# ---------------------------------------------------------------------------------------------
# Region
# ---------------------------------------------------------------------------------------------


def test_nearer_is_better_same_state_then_division_then_region_then_time_zone():
    mentee = a_mentee(place="CO")
    mentors = [
        a_mentor(place="CO"),  # same state
        a_mentor(place="UT"),  # both in the Mountain division
        a_mentor(place="CA"),  # both in the West, Pacific division
        a_mentor(place="TX", time_zone="America/Denver"),  # El Paso: South, Mountain time
        a_mentor(place="NY"),  # nothing in common
    ]
    row = scores([mentee], mentors, ONLY_REGION)[0]
    assert row.tolist() == [10000, 7500, 5000, 2500, 0]


def test_the_same_time_zone_in_different_regions_counts_only_as_the_time_zone():
    # Illinois (Midwest) and Texas (South) are both on Chicago time.
    row = scores([a_mentee(place="IL")], [a_mentor(place="TX")], ONLY_REGION)[0]
    assert row.tolist() == [2500]


def test_two_people_outside_the_us_are_not_in_the_same_place():
    mentee = a_mentee(place="XX")
    mentor = a_mentor(place="XX")
    assert scores([mentee], [mentor], ONLY_REGION).tolist() == [[0]]


def test_two_people_outside_the_us_in_one_time_zone_share_only_the_time_zone():
    mentee = a_mentee(place="XX", time_zone="Europe/London")
    mentor = a_mentor(place="XX", time_zone="Europe/London")
    assert scores([mentee], [mentor], ONLY_REGION).tolist() == [[2500]]
    _, reasons = reasons_for(mentee, mentor, ONLY_REGION)
    assert "same time zone (Europe/London)" in reasons


def test_two_different_territories_are_not_the_same_division_or_region():
    mentee = a_mentee(place="PR")
    mentor = a_mentor(place="GU")
    assert scores([mentee], [mentor], ONLY_REGION).tolist() == [[0]]


def test_two_people_in_the_same_territory_are_in_the_same_place():
    mentee = a_mentee(place="PR")
    mentor = a_mentor(place="PR")
    assert scores([mentee], [mentor], ONLY_REGION).tolist() == [[10000]]


def test_a_territory_and_a_state_in_one_time_zone_share_only_the_time_zone():
    mentee = a_mentee(place="PR", time_zone="America/New_York")
    mentor = a_mentor(place="NY")
    assert scores([mentee], [mentor], ONLY_REGION).tolist() == [[2500]]


@pytest.mark.parametrize(
    ("mentor_place", "text"),
    [
        ("CO", "both in Colorado"),
        ("UT", "both in the Mountain division"),
        ("CA", "both in the West region"),
        ("NY", "far apart (New York and Colorado, different time zones)"),
    ],
)
def test_the_region_reason_names_the_closest_thing_they_share(mentor_place, text):
    _, reasons = reasons_for(a_mentee(place="CO"), a_mentor(place=mentor_place), EVEN_WEIGHTS)
    assert text in reasons


# ---------------------------------------------------------------------------------------------
# Interests
# ---------------------------------------------------------------------------------------------


def test_sharing_two_of_two_interests_beats_sharing_two_of_ten():
    mentee = a_mentee(interests=frozenset({1, 2}))
    focused = a_mentor(interests=frozenset({1, 2}))
    scattered = a_mentor(interests=frozenset(range(1, 11)))
    row = scores([mentee], [focused, scattered], ONLY_INTERESTS)[0]
    assert row.tolist() == [10000, round(10000 * 2 / math.sqrt(2 * 10))]
    assert row[0] > row[1]


def test_no_interests_on_either_side_means_no_interest_points():
    row = scores([a_mentee()], [a_mentor(interests=frozenset({1}))], ONLY_INTERESTS)[0]
    assert row.tolist() == [0]


# ---------------------------------------------------------------------------------------------
# Importance
# ---------------------------------------------------------------------------------------------


def test_a_mentee_who_says_region_does_not_matter_scores_near_and_far_mentors_alike():
    mentee = a_mentee(place="CO", region_importance=0, interests=frozenset({1}))
    near = a_mentor(place="CO", interests=frozenset({1}))
    far = a_mentor(place="NY", interests=frozenset({1}))

    weights = mentee_weights([mentee], EVEN_WEIGHTS)[0]
    row = scores([mentee], [near, far], EVEN_WEIGHTS)[0]

    assert weights[COMPONENTS.index("region")] == 0
    assert row[0] == row[1]
    assert row[0] > 0


def test_a_mentee_who_cares_about_region_prefers_the_nearer_mentor():
    # The same pair as above with region counted: shows the test above can tell the difference.
    mentee = a_mentee(place="CO", region_importance=1, interests=frozenset({1}))
    near = a_mentor(place="CO", interests=frozenset({1}))
    far = a_mentor(place="NY", interests=frozenset({1}))
    row = scores([mentee], [near, far], EVEN_WEIGHTS)[0]
    assert row[0] > row[1]


def test_somewhat_important_counts_half_as_much_as_very_important():
    mentee = a_mentee(background_importance=2, region_importance=1, interests_importance=0)
    weights = Weights(background=10, region=10, interests=10, shared_background=0, min_score=0)
    np.testing.assert_allclose(mentee_weights([mentee], weights)[0], [2 / 3, 1 / 3, 0, 0])


def test_a_mentee_who_says_nothing_matters_is_scored_on_the_cohorts_weights():
    mentee = a_mentee(
        background_importance=0,
        region_importance=0,
        interests_importance=0,
        wants_shared_background=False,
        backgrounds=frozenset({1}),
    )
    weights = Weights(background=40, region=30, interests=20, shared_background=10, min_score=0)
    np.testing.assert_allclose(mentee_weights([mentee], weights)[0], [4 / 9, 3 / 9, 2 / 9, 0])


def test_a_cohort_that_weighs_nothing_scores_the_first_three_components_alike():
    weights = Weights(background=0, region=0, interests=0, shared_background=0, min_score=0)
    np.testing.assert_allclose(mentee_weights([a_mentee()], weights)[0], [1 / 3, 1 / 3, 1 / 3, 0])


def test_a_cohort_with_no_mentees_has_no_weights_and_no_scores():
    assert mentee_weights([], EVEN_WEIGHTS).shape == (0, 4)
    assert scores([], [a_mentor()], EVEN_WEIGHTS).shape == (0, 1)
    assert scores([a_mentee()], [], EVEN_WEIGHTS).shape == (1, 0)


# ---------------------------------------------------------------------------------------------
# Shared background
# ---------------------------------------------------------------------------------------------

GROUP = 4242  # an id that would stand out if a reason ever named the group


def test_a_shared_background_counts_when_the_mentee_wants_it_and_has_one():
    mentee = a_mentee(backgrounds=frozenset({GROUP}), wants_shared_background=True)
    sharing = a_mentor(backgrounds=frozenset({GROUP}))
    not_sharing = a_mentor(backgrounds=frozenset({GROUP + 1}))
    row = scores([mentee], [sharing, not_sharing], EVEN_WEIGHTS)[0]
    assert row[0] > row[1]


@pytest.mark.parametrize(
    "mentee_fields",
    [
        {"backgrounds": frozenset({GROUP}), "wants_shared_background": False},
        {"backgrounds": frozenset(), "wants_shared_background": True},
    ],
    ids=["has-one-but-does-not-ask", "asks-but-shared-none"],
)
def test_a_shared_background_counts_for_nothing_unless_wanted_and_given(mentee_fields):
    mentee = a_mentee(**mentee_fields)
    sharing = a_mentor(backgrounds=frozenset({GROUP}))
    not_sharing = a_mentor()
    row = scores([mentee], [sharing, not_sharing], EVEN_WEIGHTS)[0]
    assert mentee_weights([mentee], EVEN_WEIGHTS)[0][3] == 0
    assert row[0] == row[1]
    _, reasons = reasons_for(mentee, sharing, EVEN_WEIGHTS)
    assert not any("background" in r and "self-identified" in r for r in reasons)


def test_the_reasons_say_a_background_is_shared_without_naming_it():
    mentee = a_mentee(backgrounds=frozenset({GROUP}), wants_shared_background=True)
    mentor = a_mentor(backgrounds=frozenset({GROUP}))
    components, reasons = reasons_for(mentee, mentor, EVEN_WEIGHTS)
    assert "share a self-identified background, as the mentee asked" in reasons
    assert components["shared_background"]["points"] > 0
    assert not any(str(GROUP) in r for r in reasons)


def test_the_reasons_say_when_the_wanted_background_is_not_shared():
    mentee = a_mentee(backgrounds=frozenset({GROUP}), wants_shared_background=True)
    mentor = a_mentor(backgrounds=frozenset({GROUP + 1}))
    _, reasons = reasons_for(mentee, mentor, EVEN_WEIGHTS)
    assert "no shared self-identified background (the mentee asked)" in reasons
    assert not any(str(GROUP) in r or str(GROUP + 1) in r for r in reasons)


# ---------------------------------------------------------------------------------------------
# Reasons agree with the components
# ---------------------------------------------------------------------------------------------

REGION_TEXT = {
    REGION_STATE: lambda mentee, mentor: f"both in {mentor.location_name}",
    REGION_DIVISION: lambda mentee, mentor: (
        f"both in the {NAMES.divisions[mentor.division]} division"
    ),
    REGION_REGION: lambda mentee, mentor: f"both in the {NAMES.regions[mentor.region]} region",
    REGION_TIME_ZONE: lambda mentee, mentor: f"same time zone ({mentor.time_zone})",
    0.0: lambda mentee, mentor: (
        f"far apart ({mentor.location_name or 'unknown'} and "
        f"{mentee.location_name or 'unknown'}, different time zones)"
    ),
}


def every_pair(mentees, mentors, weights):
    """(mentee, mentor, hundredths, components, reasons, mentee weights) for every pair."""
    encoded_mentees, encoded_mentors = encode(mentees, mentors, weights)
    rows, cols = (a.ravel() for a in np.indices((len(mentees), len(mentors))))
    hundredths, values = pair_details(encoded_mentees, encoded_mentors, rows, cols)
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        components, reasons = explain(
            mentees[i],
            mentors[j],
            component_values=values[:, k],
            mentee_weights=encoded_mentees.weights[i],
            names=NAMES,
        )
        weights_i = encoded_mentees.weights[i]
        yield mentees[i], mentors[j], int(hundredths[k]), components, reasons, weights_i


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_the_interest_reason_lists_exactly_the_shared_interests(cohort):
    for mentee, mentor, _, components, reasons, weights in every_pair(*cohort):
        listed = [r for r in reasons if r.startswith("shared interests: ")]
        if components["interests"]["points"] > 0:
            (reason,) = listed
            names = reason.removeprefix("shared interests: ").split(", ")
            expected = sorted(NAMES.interests[i] for i in mentee.interests & mentor.interests)
            assert names == expected
        elif weights[2] > 0:
            assert listed == []
            assert "no shared interests" in reasons


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_the_region_reason_matches_the_region_level(cohort):
    for mentee, mentor, _, _, reasons, _ in every_pair(*cohort):
        level = reference_region(mentee, mentor)
        assert REGION_TEXT[level](mentee, mentor) in reasons


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_the_components_points_add_up_to_the_score_and_their_maxima_to_100(cohort):
    for _, _, hundredths, components, _, _ in every_pair(*cohort):
        assert set(components) == set(COMPONENTS)
        points = sum(c["points"] for c in components.values())
        maxima = sum(c["max"] for c in components.values())
        assert abs(points - hundredths / 100) <= 0.05
        assert abs(maxima - 100) <= 0.05


@settings(max_examples=60, deadline=None)
@given(cohorts)
@example(
    # Background weighs 1/32 of the total, so its maximum is 3.125 points, shown as 3.12;
    # with the mentor practising the one wanted area and further along, it scores it all.
    cohort=(
        [
            Person(
                id=1,
                member_id=1,
                practice_areas=frozenset({1}),
                stage_order=1,
                background_importance=2,
                region_importance=2,
            )
        ],
        [Person(id=2, member_id=2, practice_areas=frozenset({1}), stage_order=2)],
        Weights(background=1, region=31, interests=0, shared_background=0, min_score=0),
    )
)
def test_no_component_shows_more_points_than_its_maximum(cohort):
    for *_, components, _, _ in every_pair(*cohort):
        for name, component in components.items():
            assert 0 <= component["points"] <= component["max"], (name, component)
