"""Releasing approved matches: from then on both members see their pair, and each is sent an
announcement (`emails`). By staff at any time, or by the schedule on the cohort's match
notification date (`tasks`)."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from cohorts.models import Cohort

from .decisions import applications_lock, cohorts_lock, pair_text
from .emails import announcements_record, staff_tell_match_ended
from .ending import match_close
from .models import Match

logger = logging.getLogger(__name__)


def matches_release(*, cohort: Cohort, released_by=None, now: datetime | None = None) -> int:
    """Release a cohort's approved matches that are not released yet; return how many.

    From this moment both members of each pair see it. Each member's announcement email is
    recorded (pending) in the same transaction, so it cannot be lost: it is sent once this
    commits, or by the notifications sweeper if the task queue is down. Matches approved after
    an earlier release are released by the next one; releasing again with nothing new approved
    releases and sends nothing.

    Locks are taken as approvals and withdrawals take them (the cohort row, then the
    applications, then the matches), so a match approved, ended or withdrawn from at the same
    moment is either released now or not at all, never half-way. A match whose person is no
    longer accepted (data from before withdrawals ended pairs) is ended, not announced.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cohorts_lock([cohort.pk])
        waiting = Match.objects.for_cohort(cohort).awaiting_release()
        applications_lock(
            pk for pair in waiting.values_list("mentor_id", "mentee_id") for pk in pair
        )
        matches = list(waiting.select_for_update(of=("self",)).with_people().order_by("pk"))
        released = []
        for match in matches:
            gone = [
                app
                for app in (match.mentor, match.mentee)
                if app.status != Application.Status.ACCEPTED
            ]
            if gone:
                _release_refused(match, gone, now=now)
                continue
            released.append(match)
        if released:
            Match.objects.filter(pk__in=[m.pk for m in released]).update(notified_at=now)
            for match in released:
                match.notified_at = now
                announcements_record(match, now=now)
    if released:
        logger.info(
            "%d matches of %s released by %s", len(released), cohort, released_by or "the schedule"
        )
    return len(released)


def _release_refused(match: Match, gone: list[Application], *, now: datetime) -> None:
    how = ", ".join(
        f"the application of {app.member} is {app.get_status_display().lower()}" for app in gone
    )
    match_close(match, ended_by=None, reason=f"Not released: {how}.", now=now)
    staff_tell_match_ended(
        match,
        summary=f"The approved match of {pair_text(match)} was not released and has ended: {how}.",
        notes=["Nobody was told of this pair."],
        actor=None,
    )
