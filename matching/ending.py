"""Ending matches: staff end an approved match, or a person of the pair leaves (their
application is withdrawn, declined or waitlisted). The mentor's place frees up; `emails` tells
the two members and the other staff."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from core.text import join_words

from .decisions import cohorts_lock, pair_text
from .emails import match_ended_tell, staff_tell_match_ended
from .exceptions import MatchingError
from .models import Match


def match_end(*, match: Match, ended_by, reason: str, now: datetime | None = None) -> Match:
    """End an approved match early, with the reason on record. The mentor's place frees up.

    Both members get a kind note if they had been told of the pair; the other staff learn that
    a place is free.
    """
    reason = reason.strip()
    if not reason:
        raise MatchingError("Say why the match ends; the reason is kept on record.")
    now = now or timezone.now()
    with transaction.atomic():
        cohorts_lock([match.cohort_id])
        match = Match.objects.select_for_update(of=("self",)).with_people().get(pk=match.pk)
        if match.status != Match.Status.APPROVED:
            raise MatchingError(
                f"Only an approved match can be ended; this one is "
                f"{match.get_status_display().lower()}."
            )
        match_close(match, ended_by=ended_by, reason=reason, now=now)
        staff_tell_match_ended(
            match,
            summary=f"The match of {pair_text(match)} has ended"
            + (f" (ended by {ended_by})" if ended_by else "")
            + f". Reason: {reason}",
            notes=[
                f"{match.mentor.member} has a mentor place free again, and {match.mentee.member} "
                "has no mentor."
            ],
            actor=ended_by,
        )
    return match


def match_close(match: Match, *, ended_by, reason: str, now: datetime) -> list[str]:
    """End an approved match (rows locked by the caller) and record why; the members are told
    (`emails.match_ended_tell`). Returns the names of the members told."""
    match.status = Match.Status.ENDED
    match.ended_at = now
    match.ended_by = ended_by
    match.end_reason = reason
    match.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    return match_ended_tell(match)


def matches_unmatch_application(*, application: Application, actor, how: str, now: datetime):
    """What an application leaving "accepted" (withdrawn, declined, waitlisted) does to its
    pairs: an approved match ends, a proposal is withdrawn, so no pair outlives one of its
    people. A proposal is set aside as superseded, not rejected: nobody decided against the
    pair, and if the person comes back (accepted from the waitlist, say) a later run may
    propose it again. Called by `applications.services` inside its transaction, with the
    cohort and the application locked (registered in matching/apps.py). Returns what it did,
    for staff."""
    notes = []
    matches = list(
        Match.objects.for_application(application)
        .filter(status__in=[Match.Status.APPROVED, Match.Status.PROPOSED])
        .select_for_update(of=("self",))
        .with_people()
        .order_by("pk")
    )
    for match in matches:
        partner = match.mentee if match.mentor_id == application.pk else match.mentor
        if match.status == Match.Status.APPROVED:
            told = match_close(match, ended_by=actor, reason=f"{how}.", now=now)
            told_text = (
                f"{join_words(told)} {'were' if len(told) > 1 else 'was'} emailed a note"
                if told
                else "it had not been released, so no member was emailed"
            )
            notes.append(f"Their approved match with {partner.member} has ended ({told_text}).")
        else:
            match.status = Match.Status.SUPERSEDED
            match.decided_at = now
            match.decided_by = actor
            match.save(update_fields=["status", "decided_at", "decided_by"])
            notes.append(
                f"The proposed match with {partner.member} was withdrawn (set aside, not "
                "rejected: a later run may propose it again)."
            )
    return notes
