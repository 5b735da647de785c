"""A pair in trouble: a member tells the program office, and staff end the pair and rematch the
member who stays (`matching.rematch`)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from applications.models import Application
from matching.models import Match
from matching.rematch import match_rematch

from ..models import PairConcern
from .guards import WorkspaceError, require_active, require_role


def concern_raise(*, match: Match, user, kind: str, words: str = "") -> PairConcern:
    """One of the pair's two members tells the office; only staff read it."""
    require_role(match, user, "mentor", "mentee")
    require_active(match)
    if kind not in PairConcern.Kind.values:
        raise WorkspaceError("Choose what is wrong.")
    return PairConcern.objects.create(
        match=match, raised_by=user, kind=kind, words=words.strip(), created_at=timezone.now()
    )


def pair_rematch(
    *,
    match: Match,
    staying: Application,
    partner: Application,
    rematched_by,
    reason: str,
    now: datetime | None = None,
) -> Match:
    """End the pair, match the member who stays with `partner` (released at once), and close
    the pair's open concerns with the new pair on record. Raises `MatchingError`."""
    now = now or timezone.now()
    with transaction.atomic():
        new = match_rematch(
            match=match,
            staying=staying,
            partner=partner,
            rematched_by=rematched_by,
            reason=reason,
            now=now,
        )
        PairConcern.objects.for_match(match).unresolved().update(
            resolved_at=now, resolved_by=rematched_by, new_match=new
        )
    return new
