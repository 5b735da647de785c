"""Rematching the member who stays when staff end a pair in trouble: the best available partners
for one person, scored as a run scores them, and the new pair made and released at once.

The new pair's hour ledger starts on the rematch day (`Match.starts_on`); the ended pair keeps
its meetings and hours in its own record."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, Role

from .decisions import applications_lock, cohorts_lock, match_create
from .emails import announcements_record
from .ending import match_close
from .exceptions import MatchingError
from .models import Match
from .reasons import explain
from .scoring import Encoder, pair_details
from .selectors import cohort_inputs, cohort_weights, person_from_application

# The rematch page lists this many partners, best first.
CANDIDATES_SHOWN = 10


@dataclass
class Candidate:
    """One possible new partner: their application, the pair's score and its reasons."""

    application_id: int
    score: float
    components: dict
    reasons: list[str]
    free_places: int  # a mentor's places left; 1 for a mentee
    below_minimum: bool
    application: Application | None = None


def rematch_candidates(
    *, match: Match, staying: Application, limit: int = CANDIDATES_SHOWN
) -> list[Candidate]:
    """The best partners for `staying` (a member of `match`) among the cohort's accepted
    applicants who are free: mentors with a free place for a mentee who stays, mentees without
    a pair for a mentor who stays. Never their partner now, anyone they were paired with before
    nor a pair staff rejected. Scored by the matching scorer, one row; a fixed number of
    queries whatever the cohort's size."""
    cohort = match.cohort
    inputs = cohort_inputs(cohort)
    is_mentee = staying.role == Role.MENTEE
    paired_before = set()
    for a, b in (
        Match.objects.paired()
        .filter(Q(mentor__member_id=staying.member_id) | Q(mentee__member_id=staying.member_id))
        .values_list("mentor__member_id", "mentee__member_id")
    ):
        paired_before |= {a, b}
    rejected = set(
        Match.objects.for_application(staying)
        .filter(status=Match.Status.REJECTED)
        .values_list("mentee_id", "mentor_id")
    )
    if is_mentee:
        others = [(p, free) for p, free in zip(inputs.mentors, inputs.free_places, strict=True)]
    else:
        others = [(p, 1) for p in inputs.mentees]
    others = [
        (p, free)
        for p, free in others
        if p.member_id not in paired_before
        and p.member_id != staying.member_id
        and ((staying.pk, p.id) if is_mentee else (p.id, staying.pk)) not in rejected
    ]
    if not others:
        return []
    weights = cohort_weights(cohort)
    desired = frozenset(staying.desired_practice_areas.values_list("pk", flat=True))
    person = person_from_application(staying, desired, 1)
    people = [p for p, _ in others]
    mentees, mentors = ([person], people) if is_mentee else (people, [person])
    encoder = Encoder()
    encoder.prepare(mentees, mentors)
    mentees_encoded = encoder.encode(mentees, mentees=True, weights=weights)
    mentors_encoded = encoder.encode(mentors, mentees=False)
    import numpy as np  # here, not at start-up: only matching needs it

    k = np.arange(len(people))
    zeros = np.zeros(len(people), dtype=np.int64)
    rows, cols = (zeros, k) if is_mentee else (k, zeros)
    hundredths, values = pair_details(mentees_encoded, mentors_encoded, rows, cols)
    order = sorted(range(len(people)), key=lambda i: (-int(hundredths[i]), people[i].id))[:limit]
    candidates = []
    for i in order:
        components, reasons = explain(
            mentees[rows[i]],
            mentors[cols[i]],
            component_values=values[:, i],
            mentee_weights=mentees_encoded.weights[rows[i]],
            names=inputs.names,
        )
        score = int(hundredths[i]) / 100
        candidates.append(
            Candidate(
                application_id=people[i].id,
                score=score,
                components=components,
                reasons=reasons,
                free_places=others[i][1],
                below_minimum=score < weights.min_score,
            )
        )
    applications = Application.objects.select_related("member__profile__location").in_bulk(
        [c.application_id for c in candidates]
    )
    for candidate in candidates:
        candidate.application = applications[candidate.application_id]
    return candidates


def match_rematch(
    *,
    match: Match,
    staying: Application,
    partner: Application,
    rematched_by,
    reason: str,
    now: datetime | None = None,
) -> Match:
    """End `match` (if it still runs) and pair `staying` with `partner`, released at once.

    The ended pair's members get the kind match-ended note; the new pair's two members get
    their match announcement. The new pair's ledger starts today. All or nothing."""
    reason = reason.strip()
    if not reason:
        raise MatchingError("Say why the pair ends; the reason is kept on record.")
    now = now or timezone.now()
    with transaction.atomic():
        cohorts_lock([match.cohort_id])
        applications_lock([match.mentor_id, match.mentee_id, partner.pk])
        match = Match.objects.select_for_update(of=("self",)).with_people().get(pk=match.pk)
        if staying.pk not in (match.mentor_id, match.mentee_id):
            raise MatchingError("Choose one of the two members of this pair to rematch.")
        if partner.pk in (match.mentor_id, match.mentee_id):
            raise MatchingError("Choose a new partner, not the one this pair already has.")
        if match.status == Match.Status.APPROVED and match.notified_at is not None:
            match_close(match, ended_by=rematched_by, reason=reason, now=now)
        elif match.status != Match.Status.ENDED:
            raise MatchingError(
                f"Only a running or ended pair can be rematched; this one is "
                f"{match.get_status_display().lower()}."
            )
        mentor, mentee = (staying, partner) if staying.role == Role.MENTOR else (partner, staying)
        new = match_create(
            mentor=mentor,
            mentee=mentee,
            created_by=rematched_by,
            below_minimum_reason=f"Rematch: {reason}",
            now=now,
        )
        new = Match.objects.with_people().get(pk=new.pk)
        new.starts_on = timezone.localdate(now)
        new.notified_at = now
        new.reasons = [r for r in new.reasons if r != "matched by hand by staff"] + [
            "a rematch by staff after an earlier pair ended"
        ]
        new.save(update_fields=["starts_on", "notified_at", "reasons"])
        announcements_record(new, now=now)
    return new
