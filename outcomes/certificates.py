"""Completion and certificates: who met the commitment when a cohort closes, and the records.

The rule: a member earns a certificate when their pair met the cohort's commitment (the total
hours and every month's minimum) counting only the meetings the partner confirmed. The hour
ledger's own arithmetic (`meetings.ledger`) decides it, fed confirmed minutes only; a pair that
staff ended early has not met it. Both members of a pair earn one or neither.

A cohort closes `CLOSING_GRACE_DAYS` after its period ends, so a meeting logged on the last day
can still be confirmed. The closing job then, once per pair, records a certificate for each
member who earned one and emails both members the closing message (with the PDF, or with what
they did achieve). Certificates are unique per pair and role and the emails keyed per pair and
role, so a second run records and sends nothing.

Staff may revoke a certificate or issue one as an exception; both record who, when and why.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cohorts.models import Cohort
from matching.models import Match
from meetings.ledger import LedgerStatus
from meetings.models import Meeting
from meetings.selectors import ledgers_for

from .models import Certificate, Role

CLOSING_GRACE_DAYS = 7
# A cohort whose closing day is further back than this is not looked at again: the job runs
# daily and the window covers any outage; later corrections are staff exceptions.
CLOSING_WINDOW_DAYS = 60


class CertificateError(Exception):
    pass


@dataclass(frozen=True)
class Achievement:
    """What a pair did, counting confirmed meetings only: the same for both members."""

    confirmed_minutes: int
    meetings: int
    months_met: int
    months: int
    required_minutes: int
    met: bool


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------


def closing_day(cohort: Cohort) -> date:
    return cohort.period_end + timedelta(days=CLOSING_GRACE_DAYS)


def cohorts_due_for_closing(*, today: date) -> QuerySet[Cohort]:
    return Cohort.objects.filter(
        period_end__lte=today - timedelta(days=CLOSING_GRACE_DAYS),
        period_end__gte=today - timedelta(days=CLOSING_GRACE_DAYS + CLOSING_WINDOW_DAYS),
    )


def pair_ids_to_close(*, cohort_id: int) -> list[int]:
    # Released pairs, ended or not: a member of a pair ended early hears what they achieved.
    return list(
        Match.objects.released()
        .filter(cohort_id=cohort_id, status__in=[Match.Status.APPROVED, Match.Status.ENDED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def achievements_for(
    matches: list[Match], *, now: datetime | None = None
) -> dict[int, Achievement]:
    """Each pair's confirmed achievement, in two queries whatever the number of pairs (the
    matches need their cohort and the mentee's profile, as for the ledger)."""
    ledgers = ledgers_for(matches, now=now, confirmed_only=True)
    ids = [m.pk for m in matches]
    # Meetings per pair and month, so that only the months the ledger counts are counted.
    counts: dict[tuple[int, date], int] = {}
    for row in (
        Meeting.objects.confirmed()
        .filter(match_id__in=ids)
        .annotate(month=TruncMonth("held_on"))
        .values("match_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        month = row["month"]
        if isinstance(month, datetime):  # some backends return a datetime for a date field
            month = month.date()
        counts[row["match_id"], month] = row["n"]
    result = {}
    for match in matches:
        ledger = ledgers[match.pk]
        result[match.pk] = Achievement(
            confirmed_minutes=ledger.total_minutes,
            meetings=sum(counts.get((match.pk, row.month), 0) for row in ledger.months),
            months_met=sum(1 for month in ledger.months if month.is_met),
            months=len(ledger.months),
            required_minutes=ledger.required_minutes,
            met=ledger.status == LedgerStatus.MET,
        )
    return result


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------


def _member(match: Match, role: str):
    return match.mentor.member if role == Role.MENTOR else match.mentee.member


def _certificate_record(
    *,
    match: Match,
    role: str,
    achievement: Achievement,
    now: datetime,
    issued_by=None,
    reason: str = "",
) -> tuple[Certificate, bool]:
    """The member's certificate, created unless one exists (revoked or not): (row, created)."""
    existing = Certificate.objects.filter(match=match, role=role).first()
    if existing is not None:
        return existing, False
    user = _member(match, role)
    cohort = match.cohort
    try:
        # The savepoint keeps the caller's transaction usable when a racing run got there first.
        with transaction.atomic():
            certificate = Certificate.objects.create(
                cohort=cohort,
                match=match,
                user=user,
                role=role,
                name=user.get_full_name() or user.email,
                program=settings.PROGRAM_NAME,
                cohort_name=cohort.name,
                period_start=cohort.period_start,
                period_end=cohort.period_end,
                confirmed_minutes=achievement.confirmed_minutes,
                meetings=achievement.meetings,
                issued_at=now,
                issued_by=issued_by,
                exception_reason=reason,
            )
    except IntegrityError:
        return Certificate.objects.get(match=match, role=role), False
    return certificate, True


def pair_close(*, match_id: int, now: datetime | None = None, tell: bool = True) -> list[str]:
    """Close one pair of a closed cohort: certificates for its members if the pair met the
    commitment, and the closing message to both (unless `tell` is false: the demo's cohort that
    closed long ago). Safe to run twice: returns what was new."""
    from .emails import cohort_closing_notify

    now = now or timezone.now()
    done = []
    with transaction.atomic():
        match = Match.objects.released().with_people().select_related("cohort").get(pk=match_id)
        achievement = achievements_for([match], now=now)[match.pk]
        for role in (Role.MENTEE, Role.MENTOR):
            certificate = None
            if achievement.met:
                certificate, created = _certificate_record(
                    match=match, role=role, achievement=achievement, now=now
                )
                if created:
                    done.append(f"{role} certificate")
            if not tell:
                continue
            cohort_closing_notify(
                match=match,
                role=role,
                user=_member(match, role),
                achievement=achievement,
                certificate=certificate,
            )
    return done


def certificate_issue_exception(
    *, match: Match, role: str, issued_by, reason: str, now: datetime | None = None
) -> Certificate:
    """Staff issue a certificate the rule did not give, with a reason; the member is emailed.
    The figures are the pair's confirmed ones as they stand."""
    from .emails import certificate_issued_notify

    reason = reason.strip()
    if not reason:
        raise CertificateError("Give the reason for the exception.")
    if role not in Role.values:
        raise CertificateError("Choose the mentor or the mentee.")
    now = now or timezone.now()
    with transaction.atomic():
        match = (
            Match.objects.released()
            .with_people()
            .select_related("cohort")
            .select_for_update(of=("self",))
            .get(pk=match.pk)
        )
        achievement = achievements_for([match], now=now)[match.pk]
        certificate, created = _certificate_record(
            match=match,
            role=role,
            achievement=achievement,
            now=now,
            issued_by=issued_by,
            reason=reason,
        )
        if not created:
            state = "a revoked one" if certificate.is_revoked else "one"
            raise CertificateError(
                f"{certificate.name} already has {state} for this pair ({certificate.code})."
            )
        certificate_issued_notify(certificate=certificate)
    return certificate


def certificate_revoke(
    *, certificate: Certificate, revoked_by, reason: str, now: datetime | None = None
) -> None:
    reason = reason.strip()
    if not reason:
        raise CertificateError("Give the reason for revoking the certificate.")
    # Claimed with a conditional update: two staff revoking at once record one of them.
    updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now(), revoked_by=revoked_by, revoke_reason=reason
    )
    if updated != 1:
        raise CertificateError("This certificate is already revoked.")
    certificate.refresh_from_db()
