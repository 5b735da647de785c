"""Staff decisions on matches: approving and rejecting proposals, and making a match by hand.

Each checks the program's rules under row locks and raises `MatchingError` with a message staff
can act on. Locks are always taken in one order: cohort rows, then applications, then matches
(`cohorts_lock`, `applications_lock`), by every writer of these rows (release and ending too),
so none can deadlock another."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, Role
from cohorts.models import Cohort

from .exceptions import MatchingError
from .models import Match
from .selectors import mentor_places

if TYPE_CHECKING:
    from .engine import Proposal

# A refusal names this many problems, then says how many more there are.
PROBLEMS_SHOWN = 5


def cohorts_lock(cohort_ids) -> dict[int, Cohort]:
    # Always in primary-key order, so two staff members' bulk actions cannot deadlock.
    return {
        c.pk: c
        for c in Cohort.objects.select_for_update().filter(pk__in=set(cohort_ids)).order_by("pk")
    }


def applications_lock(application_ids) -> None:
    # After the cohort rows, in primary-key order: the order every writer of these rows keeps
    # (cohort, then applications, then matches), so none can deadlock another.
    list(
        Application.objects.select_for_update()
        .filter(pk__in=set(application_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def pair_text(match: Match) -> str:
    """ "Mentor with Mentee", for what staff are told."""
    return f"{match.mentor.member} with {match.mentee.member}"


def _not_proposed(matches: list[Match]) -> list[str]:
    return [
        f"{pair_text(m)} is {m.get_status_display().lower()}, not proposed"
        for m in matches
        if m.status != Match.Status.PROPOSED
    ]


def matches_approve(*, match_ids, approved_by, now: datetime | None = None) -> list[Match]:
    """Approve proposed matches, all or none.

    The cohort rows are locked first, then each mentee's and mentor's state is re-read, so
    two staff members approving at once are served one after the other and the second is told
    what the first did. The database's constraints (one approved match per mentee, one per
    mentor place, places within capacity) back this up.
    """
    now = now or timezone.now()
    ids = sorted(set(match_ids))
    if not ids:
        raise MatchingError("Select at least one proposed match.")
    with transaction.atomic():
        cohort_ids = Match.objects.filter(pk__in=ids).values_list("cohort_id", flat=True)
        cohorts = cohorts_lock(cohort_ids)
        # Then the people's applications, which a withdrawal or a decision changes under the
        # same cohort lock: the statuses `_allocate` reads cannot change until this commits.
        applications_lock(
            pk
            for pair in Match.objects.filter(pk__in=ids).values_list("mentor_id", "mentee_id")
            for pk in pair
        )
        matches = list(
            Match.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("mentor__member", "mentee__member")
            .order_by("pk")
        )
        problems = _not_proposed(matches) + _allocate(matches, cohorts)
        if problems:
            raise MatchingError(_refusal(problems))
        for match in matches:
            match.status = Match.Status.APPROVED
            match.decided_at = now
            match.decided_by = approved_by
        try:
            with transaction.atomic():
                Match.objects.bulk_update(
                    matches,
                    ["status", "decided_at", "decided_by", "mentor_slot", "mentor_capacity"],
                )
        except IntegrityError:
            raise MatchingError(
                "Another change to these matches was saved at the same moment. Nothing was "
                "approved; reload the page and try again."
            ) from None
    return matches


def _allocate(matches: list[Match], cohorts: dict[int, Cohort]) -> list[str]:
    """Give each match a free place of its mentor; return what makes that impossible."""
    mentor_ids = {m.mentor_id for m in matches}
    mentee_ids = {m.mentee_id for m in matches}
    approved = Match.objects.approved().filter(
        Q(mentor_id__in=mentor_ids) | Q(mentee_id__in=mentee_ids)
    )
    used_slots: dict[int, set[int]] = defaultdict(set)
    matched_mentees: dict[int, Match] = {}
    for other in approved.select_related("mentor__member", "decided_by"):
        if other.mentor_id in mentor_ids:
            used_slots[other.mentor_id].add(other.mentor_slot)
        if other.mentee_id in mentee_ids:
            matched_mentees[other.mentee_id] = other
    offered = dict(
        Application.objects.filter(pk__in=mentor_ids).values_list("pk", "mentee_capacity")
    )
    statuses = dict(
        Application.objects.filter(pk__in=mentor_ids | mentee_ids).values_list("pk", "status")
    )
    problems = []
    for match in matches:
        if match.status != Match.Status.PROPOSED:
            continue
        not_accepted = [
            str(app.member)
            for app in (match.mentor, match.mentee)
            if statuses.get(app.pk) != Application.Status.ACCEPTED
        ]
        if not_accepted:
            problems.append(
                f"{pair_text(match)}: the application of {', '.join(not_accepted)} is no longer "
                "accepted"
            )
            continue
        if match.mentee_id in matched_mentees:
            other = matched_mentees[match.mentee_id]
            by = f" by {other.decided_by}" if other.decided_by else ""
            problems.append(
                f"{match.mentee.member} already has an approved match with "
                f"{other.mentor.member} (approved{by})"
            )
            continue
        places = mentor_places(offered=offered[match.mentor_id], cohort=cohorts[match.cohort_id])
        free = [s for s in range(1, places + 1) if s not in used_slots[match.mentor_id]]
        if not free:
            problems.append(
                f"{match.mentor.member} has no free place left ({places} of {places} taken)"
            )
            continue
        match.mentor_slot = free[0]
        match.mentor_capacity = places
        used_slots[match.mentor_id].add(free[0])
        matched_mentees[match.mentee_id] = match
    return problems


def _refusal(problems: list[str]) -> str:
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = f"; and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
    return f"Nothing was approved: {shown}{more}."


def matches_reject(*, match_ids, rejected_by, now: datetime | None = None) -> list[Match]:
    """Reject proposed matches. A rejected pair is never proposed again in this cohort."""
    now = now or timezone.now()
    ids = sorted(set(match_ids))
    with transaction.atomic():
        matches = list(
            Match.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("mentor__member", "mentee__member")
            .order_by("pk")
        )
        problems = _not_proposed(matches)
        if problems:
            raise MatchingError(
                "Nothing was rejected: " + "; ".join(problems[:PROBLEMS_SHOWN]) + "."
            )
        for match in matches:
            match.status = Match.Status.REJECTED
            match.decided_at = now
            match.decided_by = rejected_by
        Match.objects.bulk_update(matches, ["status", "decided_at", "decided_by"])
    return matches


def match_preview(*, mentor: Application, mentee: Application) -> Proposal:
    """Score and reasons for one pair staff may make by hand, as a run would compute them."""
    _assert_pairable(mentor, mentee)
    from .engine import pair_proposal  # the engine (and NumPy) only when a pair is scored

    return pair_proposal(mentor=mentor, mentee=mentee)


def _assert_pairable(mentor: Application, mentee: Application) -> None:
    if mentor.cohort_id != mentee.cohort_id:
        raise MatchingError("The mentor and the mentee must be in the same cohort.")
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE:
        raise MatchingError("Choose a mentor's application and a mentee's application.")
    if mentor.member_id == mentee.member_id:
        raise MatchingError("A member cannot mentor themselves.")
    not_accepted = [
        f"{app.member} ({app.get_status_display().lower()})"
        for app in (mentor, mentee)
        if app.status != Application.Status.ACCEPTED
    ]
    if not_accepted:
        raise MatchingError(
            "Only accepted applicants can be matched: " + ", ".join(not_accepted) + "."
        )
    before = (
        Match.objects.paired()
        .exclude(cohort_id=mentee.cohort_id)
        .filter(
            Q(mentor__member_id=mentor.member_id, mentee__member_id=mentee.member_id)
            | Q(mentor__member_id=mentee.member_id, mentee__member_id=mentor.member_id)
        )
        .select_related("cohort")
        .order_by("pk")
        .first()
    )
    if before is not None:
        # Matching never proposes them again either: the program pairs people once.
        raise MatchingError(
            f"{mentor.member} and {mentee.member} were already a pair in {before.cohort.name}; "
            "the program does not pair the same two people again."
        )


def match_create(
    *,
    mentor: Application,
    mentee: Application,
    created_by,
    below_minimum_reason: str = "",
    now: datetime | None = None,
) -> Match:
    """A match staff make by hand: scored like any other, approved at once, within the rules.

    A pair scoring below the cohort's minimum is made only with `below_minimum_reason`: staff
    confirmed it and said why, and the reason stays on the match.
    """
    now = now or timezone.now()
    below_minimum_reason = below_minimum_reason.strip()
    with transaction.atomic():
        cohorts = cohorts_lock([mentee.cohort_id])
        applications_lock([mentor.pk, mentee.pk])
        # Read again under the locks: the page was filled in with what was true then.
        mentor = Application.objects.select_related("member", "cohort").get(pk=mentor.pk)
        mentee = Application.objects.select_related("member", "cohort").get(pk=mentee.pk)
        proposal = match_preview(mentor=mentor, mentee=mentee)
        cohort = cohorts[mentee.cohort_id]
        below_minimum = proposal.score < cohort.min_match_score
        if below_minimum and not below_minimum_reason:
            raise MatchingError(
                f"{mentor.member} and {mentee.member} score {proposal.score:.2f}, below "
                f"{cohort.name}'s minimum of {cohort.min_match_score}. To match them anyway, "
                "confirm it and say why; the reason is kept with the match."
            )
        match = Match(
            cohort_id=mentee.cohort_id,
            mentor=mentor,
            mentee=mentee,
            status=Match.Status.PROPOSED,
            score=Decimal(f"{proposal.score:.2f}"),
            components=proposal.components,
            reasons=[*proposal.reasons, "matched by hand by staff"],
            below_minimum_reason=below_minimum_reason if below_minimum else "",
        )
        problems = _allocate([match], cohorts)
        if problems:
            raise MatchingError("The match was not made: " + "; ".join(problems) + ".")
        # A pending proposal for either person would contradict this decision.
        Match.objects.for_cohort(mentee.cohort).proposed().filter(mentee=mentee).update(
            status=Match.Status.SUPERSEDED
        )
        match.status = Match.Status.APPROVED
        match.decided_at = now
        match.decided_by = created_by
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:
            raise MatchingError(
                "Another change to these people's matches was saved at the same moment. "
                "Reload the page and try again."
            ) from None
    return match
