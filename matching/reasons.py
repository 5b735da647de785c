"""The reasons behind a pair's score, in words staff and the pair can read.

`scoring` computes the numbers; this module says them: the components as points out of their
maximum, and one sentence a component, strongest first. Reasons that touch self-identification
carry `PRIVATE_MARK`, so `public_reasons` can leave them out for people not entitled to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.text import join_words

from .scoring import (
    COMPONENT_LABELS,
    COMPONENTS,
    REGION_DIVISION,
    REGION_REGION,
    REGION_STATE,
    REGION_TIME_ZONE,
    Names,
    Person,
    wanted_areas,
)

if TYPE_CHECKING:
    import numpy as np

PRIVATE_MARK = "self-identified"  # in every reason that touches self-identification


def public_reasons(reasons: list[str]) -> list[str]:
    """The reasons without those about self-identification, for people not entitled to it."""
    return [reason for reason in reasons if PRIVATE_MARK not in reason]


def explain(
    mentee: Person,
    mentor: Person,
    *,
    component_values: np.ndarray,
    mentee_weights: np.ndarray,
    names: Names,
) -> tuple[dict, list[str]]:
    """The components as points out of their maximum, and the reasons, strongest first."""
    components = {}
    reasons: list[tuple[float, str]] = []
    for k, name in enumerate(COMPONENTS):
        maximum = 100.0 * float(mentee_weights[k])
        points = maximum * float(component_values[k])
        components[name] = {"points": round(points, 2), "max": round(maximum, 2)}
    points = {name: components[name]["points"] for name in COMPONENTS}

    # Professional background
    wanted = wanted_areas(mentee)
    shared_areas = sorted(
        wanted & mentor.practice_areas, key=lambda a: names.practice_areas.get(a, "")
    )
    area_names = [names.practice_areas.get(a, f"area {a}") for a in shared_areas]
    if shared_areas and mentee.desired_areas:
        reasons.append(
            (
                points["background"],
                f"mentor practises in {join_words(area_names)}, "
                f"{'an area' if len(area_names) == 1 else 'areas'} the mentee asked for",
            )
        )
    elif shared_areas:
        reasons.append((points["background"], f"both practise in {join_words(area_names)}"))
    elif wanted:
        wanted_names = sorted(names.practice_areas.get(a, f"area {a}") for a in wanted)
        reasons.append(
            (
                0.0,
                "mentor does not practise in the areas the mentee asked for "
                f"({join_words(wanted_names)})",
            )
        )
    if mentor.stage_order is not None and mentee.stage_order is not None:
        if mentor.stage_order > mentee.stage_order:
            reasons.append(
                (
                    points["background"] / 2,
                    f"mentor is further along the career path ({mentor.stage_name}; "
                    f"mentee: {mentee.stage_name})",
                )
            )
        elif mentor.stage_order == mentee.stage_order:
            reasons.append((0.0, f"both at the same career stage ({mentor.stage_name})"))
        else:
            reasons.append(
                (
                    0.0,
                    f"mentor is earlier in their career ({mentor.stage_name}) than the mentee "
                    f"({mentee.stage_name})",
                )
            )

    # Region
    level = float(component_values[1])
    if level == REGION_STATE:
        text = f"both in {mentor.location_name or mentor.location}"
    elif level == REGION_DIVISION:
        text = f"both in the {names.divisions.get(mentor.division, mentor.division)} division"
    elif level == REGION_REGION:
        text = f"both in the {names.regions.get(mentor.region, mentor.region)} region"
    elif level == REGION_TIME_ZONE:
        text = f"same time zone ({mentor.time_zone})"
    else:
        text = (
            f"far apart ({mentor.location_name or 'unknown'} and "
            f"{mentee.location_name or 'unknown'}, different time zones)"
        )
    reasons.append((points["region"], text))

    # Interests
    shared = sorted(
        names.interests.get(i, f"interest {i}") for i in mentee.interests & mentor.interests
    )
    if shared:
        reasons.append((points["interests"], f"shared interests: {', '.join(shared)}"))
    else:
        reasons.append((0.0, "no shared interests"))

    # Shared background: never says which, only that the opt-in preference was met.
    if mentee_weights[3] > 0:
        if component_values[3] > 0:
            reasons.append(
                (
                    points["shared_background"],
                    "share a self-identified background, as the mentee asked",
                )
            )
        else:
            reasons.append((0.0, "no shared self-identified background (the mentee asked)"))

    # Stable order: strongest first, then as written.
    ordered = sorted(enumerate(reasons), key=lambda item: (-item[1][0], item[0]))
    return components, [text for _, (_, text) in ordered] + _not_counted(mentee, mentee_weights)


def _not_counted(mentee: Person, mentee_weights: np.ndarray) -> list[str]:
    """Components the mentee asked to leave out, so a fact shown with no points is explained."""
    importance = (
        mentee.background_importance,
        mentee.region_importance,
        mentee.interests_importance,
    )
    left_out = [
        COMPONENT_LABELS[name].lower()
        for k, name in enumerate(COMPONENTS[:3])
        if mentee_weights[k] == 0 and importance[k] == 0
    ]
    if not left_out:
        return []
    return [f"not counted, as the mentee said it does not matter to them: {join_words(left_out)}"]
