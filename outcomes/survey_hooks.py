"""What surveys add to the meetings app's staff views (registered in `apps.py`): the pairs a low
"how satisfied are you with your match?" answer flags, in the pair list and the weekly digest.

Only confidential surveys flag: an anonymous answer must not lead to anyone.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from meetings.hooks import DigestSection, PairFlag

from .selectors import low_satisfaction_pair_ids

DIGEST_LIST_LIMIT = 50

LOW_SATISFACTION_FLAG = PairFlag(
    key="low_satisfaction",
    label="Low match satisfaction (survey)",
    pair_ids=low_satisfaction_pair_ids,
)


def low_satisfaction_digest(now: datetime) -> dict | None:
    """The digest's list of running pairs a member rated 1 or 2 for match satisfaction."""
    today = timezone.localdate(now)
    flagged = (
        Match.objects.released()
        .approved()
        .filter(
            cohort__period_start__lte=today,
            cohort__period_end__gte=today,
            pk__in=low_satisfaction_pair_ids(),
        )
        .with_people()
        .order_by("cohort__name", "mentee__member__last_name", "pk")
    )
    pairs = list(flagged[: DIGEST_LIST_LIMIT + 1])
    if not pairs:
        return None
    more = flagged.count() - DIGEST_LIST_LIMIT if len(pairs) > DIGEST_LIST_LIMIT else 0
    return {
        "title": "Low match satisfaction",
        "intro": "A member of each of these pairs rated their match 1 or 2 of 5 in a survey.",
        "items": [
            {
                "text": f"{pair.mentor.member.display_name} (mentor) and "
                f"{pair.mentee.member.display_name} (mentee), {pair.cohort.name}",
                "url": settings.SITE_URL + reverse("admin:meetings_pair_change", args=[pair.pk]),
            }
            for pair in pairs[:DIGEST_LIST_LIMIT]
        ],
        "more": more,
    }


LOW_SATISFACTION_DIGEST = DigestSection(key="low_satisfaction", compute=low_satisfaction_digest)
