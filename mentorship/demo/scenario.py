"""`seed_demo`: the whole story the demo tells, through the same services staff and members use.

Dates are computed from today, so the demo always has a cohort taking applications, one in
selection and matching, one in its mentorship period and one completed.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Role
from applications.services import profile_snapshot
from cohorts.models import Cohort
from matching.decisions import match_create, matches_approve
from matching.ending import match_end
from matching.models import Match
from matching.release import matches_release
from matching.runs import match_run_execute, match_run_start
from outcomes.certificates import CLOSING_GRACE_DAYS, pair_close
from outcomes.models import Certificate

from .accounts import DEFAULT_PASSWORD, seed_accounts
from .dates import at, cohort_dates, first_of_month, selection_dates
from .generated import seed_applicants
from .surveys import seed_surveys
from .workspaces import seed_meetings, seed_planned_meeting, seed_workspace


def demo_cohorts(today: date) -> list[tuple[str, str, dict]]:
    """(slug, name, dates) of a cohort in each phase: completed, active, matching, open."""
    open_start = first_of_month(today, 2)
    # Three months in: at least two months are over in every member's zone, even on the first
    # of a month, when New York is a day ahead of Los Angeles for three hours. (Two months in,
    # a pair in the west still had its second month under way, and its shortfall in that month
    # did not count yet: the demo lacked its "behind" and "at risk" pairs for those hours.)
    active_start = first_of_month(today, -3)
    completed_start = first_of_month(today, -14)
    return [
        ("pilot-completed", "Pilot cohort (completed)", cohort_dates(completed_start)),
        ("active", "Current cohort", cohort_dates(active_start)),
        ("matching", "Cohort in matching", selection_dates(today)),
        ("next", "Next cohort", cohort_dates(open_start)),
    ]


@transaction.atomic
def seed_demo(*, password: str = DEFAULT_PASSWORD, today: date | None = None) -> dict:
    """Create or refresh every demo account and cohort; safe to run again."""
    today = today or timezone.localdate()
    users = seed_accounts(password=password)
    cohorts = {}
    for slug, name, dates in demo_cohorts(today):
        cohort, _ = Cohort.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": (
                    "Student pharmacists paired with seasoned practitioners for six months of "
                    "one-on-one virtual mentorship: at least six hours, one hour a month."
                ),
                **dates,
            },
        )
        cohorts[slug] = cohort
    # Applications waiting for staff review in the open cohort (same seed: same people).
    seed_applicants(
        cohort=cohorts["next"],
        mentors=6,
        mentees=10,
        seed=2026,
        status=Application.Status.SUBMITTED,
    )
    now = at(today, 12)
    staff = users["staff@demo.test"]
    # A cohort whose matching run waits for staff review.
    seed_applicants(
        cohort=cohorts["matching"],
        mentors=9,
        mentees=14,
        seed=2027,
        status=Application.Status.ACCEPTED,
    )
    run = match_run_start(cohort=cohorts["matching"], started_by=staff, enqueue=False, now=now)
    match_run_execute(run_id=run.pk)
    _seed_active_pairs(cohorts["active"], users, now=now)
    _seed_completed_pairs(cohorts["pilot-completed"], users, now=now)
    seed_surveys(cohorts, now=now, demo_mentee=users["mentee@demo.test"])
    return {"users": users, "cohorts": cohorts}


def _seed_active_pairs(cohort: Cohort, users: dict, *, now: datetime) -> None:
    """The current cohort's pairs, approved and released; the demo mentor and mentee are one."""
    seed_applicants(
        cohort=cohort, mentors=6, mentees=8, seed=2025, status=Application.Status.ACCEPTED
    )
    demo = {
        role: _demo_application(users[f"{role}@demo.test"], cohort, role)
        for role in (Role.MENTOR, Role.MENTEE)
    }
    staff = users["staff@demo.test"]
    match_create(mentor=demo[Role.MENTOR], mentee=demo[Role.MENTEE], created_by=staff, now=now)
    _match_and_approve(cohort, staff, now=now)
    # Released the real way, as on the notification date: each member's announcement is sent
    # (where the seed_demo command puts the seed's emails).
    released_at = datetime.combine(
        cohort.match_notification_date, time(9), tzinfo=timezone.get_current_timezone()
    )
    matches_release(cohort=cohort, released_by=staff, now=released_at)

    pairs = list(Match.objects.for_cohort(cohort).approved().with_people().order_by("pk"))
    demo_pair = next(p for p in pairs if p.mentee_id == demo[Role.MENTEE].pk)
    seed_workspace(demo_pair)
    others = [p for p in pairs if p.pk != demo_pair.pk]
    # Every state of the ledger appears once: the demo pair is on track; the others, in turn,
    # strong, behind pace, at risk (a month without a meeting), never met, ended early.
    histories = [[90, 60, 45], [60, 30, 30], [60, 0, 0], [], [60, 60, 60]]
    seed_meetings(demo_pair, [60, 75, 60], now=now, last_unconfirmed=True)
    seed_planned_meeting(demo_pair, now=now)
    for index, pair in enumerate(others):
        seed_meetings(pair, histories[index % len(histories)], now=now, offset=index)
    if others:
        match_end(
            match=others[-1],
            ended_by=staff,
            reason="The mentee left the pharmacy program for a semester abroad.",
            now=now,
        )


def _seed_completed_pairs(cohort: Cohort, users: dict, *, now: datetime) -> None:
    """A finished cohort: most pairs met the commitment and hold certificates, some fell short.
    The demo alumna is a mentee whose pair met it."""
    # Certificates outlive a pair's deletion on purpose (they protect the match): the seed
    # removes its own before it replaces the cohort's generated people and pairs.
    Certificate.objects.filter(cohort=cohort).delete()
    seed_applicants(
        cohort=cohort, mentors=5, mentees=6, seed=2024, status=Application.Status.ACCEPTED
    )
    staff = users["staff@demo.test"]
    released_at = datetime.combine(
        cohort.match_notification_date, time(9), tzinfo=timezone.get_current_timezone()
    )
    alumna = _demo_application(users["alumni@demo.test"], cohort, Role.MENTEE)
    mentor = Application.objects.filter(cohort=cohort, role=Role.MENTOR).order_by("pk").first()
    match_create(
        mentor=mentor,
        mentee=alumna,
        created_by=staff,
        below_minimum_reason="The demo alumna's pair.",
        now=released_at,
    )
    _match_and_approve(cohort, staff, now=released_at)
    # Its pairs were told long ago: the release is recorded as of then, without announcing the
    # pairs now ("meet your mentor" for a mentorship that has ended would be nonsense).
    Match.objects.for_cohort(cohort).awaiting_release().update(notified_at=released_at)
    histories = [[60] * 6, [90, 60, 60, 75, 60, 60], [120, 60, 0, 90, 60, 60], [60, 45, 30]]
    pairs = list(Match.objects.for_cohort(cohort).approved().with_people().order_by("pk"))
    for index, pair in enumerate(pairs):
        history = [60] * 6 if pair.mentee_id == alumna.pk else histories[index % len(histories)]
        seed_meetings(pair, history, now=now, offset=index)
    # Closed as the closing job did a week after the period, its closing emails long sent.
    closed_at = at(cohort.period_end + timedelta(days=CLOSING_GRACE_DAYS), 6)
    for pair in pairs:
        pair_close(match_id=pair.pk, now=closed_at, tell=False)


def _match_and_approve(cohort: Cohort, staff: User, *, now: datetime) -> None:
    """Run matching as staff would and approve every pair it proposes."""
    run = match_run_start(cohort=cohort, started_by=staff, enqueue=False, now=now)
    match_run_execute(run_id=run.pk)
    matches_approve(
        match_ids=Match.objects.filter(run=run).proposed().values_list("pk", flat=True),
        approved_by=staff,
        now=now,
    )


def _demo_application(user: User, cohort: Cohort, role: str) -> Application:
    """A demo member's application, submitted before the deadline and accepted after it."""
    application, _ = Application.objects.update_or_create(
        cohort=cohort,
        member=user,
        defaults={
            "role": role,
            "status": Application.Status.ACCEPTED,
            "goals": "Prepare for residency applications and find my practice area."
            if role == Role.MENTEE
            else "",
            "offer": "Fifteen years in ambulatory care and residency precepting."
            if role == Role.MENTOR
            else "",
            "mentee_capacity": 1,
            "agrees_to_commitment": True,
            "agrees_to_confidentiality": True,
            "submitted_at": cohort.application_deadline - timedelta(days=10),
            "decided_at": cohort.application_deadline + timedelta(days=3),
            "profile_snapshot": profile_snapshot(user.profile),
        },
    )
    return application
