"""The weekly staff digest: pairs at risk, matches waiting for approval, applications to review.

Computed once a week for all staff (`staff_digest_compute`, JSON), then recorded for each staff
member by `emails.staff_digest_notify` under a key naming the ISO week, so a re-run that week
sends nothing more. The tasks in `tasks.py` fan out one task per staff member.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.text import day_text, duration_short_text
from matching.models import Match

from .hooks import digest_sections
from .ledger import LedgerStatus
from .models import PairConcern
from .selectors import ledgers_for

BATCH_SIZE = 500
DIGEST_LIST_LIMIT = 50


def staff_digest_week(now: datetime | None = None) -> str:
    """'2026-W49': the ISO week in the program's time zone, the digest's idempotency period."""
    year, week, _ = timezone.localdate(now or timezone.now()).isocalendar()
    return f"{year}-W{week:02d}"


def _running_pairs(today: date) -> QuerySet[Match]:
    return (
        Match.objects.released()
        .approved()
        .filter(cohort__period_start__lte=today, cohort__period_end__gte=today)
    )


def _pair_batches(queryset: QuerySet[Match], batch_size: int) -> Iterator[list[Match]]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


def staff_digest_compute(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """The digest's content, once for all staff (JSON): pairs at risk, approvals, applications.

    Two queries per batch of running pairs (the pairs, their ledgers), two more for the
    counts and one for the pairs whose members told the office they are in trouble. Names,
    cohorts and the ledger's reason only: no notes, no goal text, no member's own words.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    cohorts: dict[int, dict] = {}
    at_risk: list[dict] = []
    active = 0
    for batch in _pair_batches(_running_pairs(today).with_people(), batch_size):
        ledgers = ledgers_for(batch, now=now)
        for match in batch:
            active += 1
            ledger = ledgers[match.pk]
            counts = cohorts.setdefault(
                match.cohort_id,
                {"name": match.cohort.name, "pairs": 0, "at_risk": 0, "behind": 0},
            )
            counts["pairs"] += 1
            if ledger.status == LedgerStatus.BEHIND:
                counts["behind"] += 1
            elif ledger.status == LedgerStatus.AT_RISK:
                counts["at_risk"] += 1
                at_risk.append(
                    {
                        "cohort": match.cohort.name,
                        "mentor": match.mentor.member.display_name,
                        "mentee": match.mentee.member.display_name,
                        "reason": ledger.reason,
                        "total_label": duration_short_text(ledger.total_minutes),
                        "url": settings.SITE_URL
                        + reverse("admin:meetings_pair_change", args=[match.pk]),
                    }
                )
    at_risk.sort(key=lambda row: (row["cohort"], row["mentee"], row["mentor"]))

    approvals = _pending_by_cohort(
        Match.objects.proposed(),
        reverse("admin:matching_match_changelist"),
        "status__exact=proposed",
    )
    applications = _pending_by_cohort(
        Application.objects.filter(status=Application.Status.SUBMITTED),
        reverse("admin:applications_application_changelist"),
        "status__exact=submitted",
    )
    cohort_rows = sorted(cohorts.values(), key=lambda row: row["name"])
    concerns = _open_concerns()
    return {
        "week": staff_digest_week(now),
        "week_of_label": day_text(today - timedelta(days=today.weekday())),
        "active_pairs": active,
        "at_risk_count": len(at_risk),
        "behind_count": sum(row["behind"] for row in cohort_rows),
        "at_risk": at_risk[:DIGEST_LIST_LIMIT],
        "at_risk_more": max(0, len(at_risk) - DIGEST_LIST_LIMIT),
        "cohorts": cohort_rows,
        "concerns": concerns[:DIGEST_LIST_LIMIT],
        "concerns_total": len(concerns),
        "approvals": approvals,
        "approvals_total": sum(row["count"] for row in approvals),
        "applications": applications,
        "applications_total": sum(row["count"] for row in applications),
        "pairs_url": settings.SITE_URL + reverse("admin:meetings_pair_changelist"),
        # Lists other apps add (`hooks.digest_section_register`): pairs a survey answer flags.
        "sections": [
            section
            for section in (registered.compute(now) for registered in digest_sections())
            if section
        ],
    }


def _open_concerns() -> list[dict]:
    """Members who told the office their pair is in trouble, not handled yet: who, which pair,
    what, when. Their own words stay in admin, a click away, not in an email."""
    rows = (
        PairConcern.objects.open()
        .select_related("raised_by", "match__cohort", "match__mentor__member")
        .select_related("match__mentee__member")
        .order_by("created_at", "pk")
    )
    return [
        {
            "cohort": concern.match.cohort.name,
            "mentor": concern.match.mentor.member.display_name,
            "mentee": concern.match.mentee.member.display_name,
            "raised_by": concern.raised_by.display_name,
            "kind": concern.get_kind_display(),
            "day": day_text(timezone.localdate(concern.created_at)),
            "url": settings.SITE_URL
            + reverse("admin:meetings_pair_change", args=[concern.match_id]),
        }
        for concern in rows
    ]


def _pending_by_cohort(queryset: QuerySet, changelist: str, status_filter: str) -> list[dict]:
    rows = (
        queryset.values("cohort_id", "cohort__name")
        .annotate(count=Count("pk"))
        .order_by("cohort__name")
    )
    return [
        {
            "cohort": row["cohort__name"],
            "count": row["count"],
            "url": f"{settings.SITE_URL}{changelist}?cohort__id__exact={row['cohort_id']}"
            f"&{status_filter}",
        }
        for row in rows
    ]


def staff_digest_is_empty(digest: dict) -> bool:
    """Nothing running and nothing waiting: between cohorts, staff get no digest."""
    return not (
        digest["active_pairs"]
        or digest["approvals"]
        or digest["applications"]
        or digest.get("concerns")
        or digest.get("sections")
    )
