"""Demo data: realistic enough to click through every state of the program.

Dates are computed from today, so the demo always has a cohort taking applications, one in its
mentorship period and one completed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import (
    Application,
    CareerStage,
    Interest,
    Location,
    MemberProfile,
    Membership,
    PracticeArea,
    Role,
)
from applications.services import profile_snapshot
from cohorts.models import Cohort
from matching.models import Match, MatchRun
from matching.services import (
    match_create,
    match_end,
    match_run_execute,
    match_run_start,
    matches_approve,
    matches_release,
)
from meetings.models import Goal, Meeting
from meetings.selectors import pair_zone
from meetings.services import (
    action_item_add,
    action_item_set_done,
    expectations_acknowledge,
    expectations_save,
    goal_comment_add,
    goal_save,
    meeting_confirm,
    meeting_log,
    meeting_plan,
)

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo accounts only, printed by the command


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    is_staff: bool = False
    member_number: str = ""
    location: str = ""
    career_stage: str = ""
    credentials: str = ""
    institution: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("staff@demo.test", "Sam", "Staffer", is_staff=True),
    DemoAccount(
        "mentee@demo.test",
        "Maya",
        "Mentee",
        member_number="D-1001",
        location="CO",
        career_stage="Student pharmacist, P3",
        credentials="PharmD candidate",
        institution="University of Colorado Skaggs School of Pharmacy",
    ),
    DemoAccount(
        "mentor@demo.test",
        "Morgan",
        "Mentor",
        member_number="D-1002",
        location="UT",
        career_stage="Experienced (16-25 years)",
        credentials="PharmD, BCPS",
        institution="Intermountain Health",
    ),
    DemoAccount(
        "outsider@demo.test",
        "Oliver",
        "Outsider",
        member_number="D-1003",
        location="OH",
        career_stage="New practitioner (0-5 years)",
        credentials="PharmD",
        institution="Cleveland Clinic",
    ),
)


def _first_of_month(day: date, months_ahead: int) -> date:
    month_index = day.month - 1 + months_ahead
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _cohort_dates(period_start: date, months: int = 6) -> dict:
    """The pilot's rhythm: applications close three weeks before pairs are told, a week later
    the period starts with an orientation, and it runs for six calendar months."""
    notify_by = period_start - timedelta(days=1)
    deadline = notify_by - timedelta(days=21)
    return {
        "applications_open_at": _at(deadline - timedelta(days=45), 9),
        "application_deadline": _at(deadline, 23),
        "match_notification_date": notify_by,
        "orientation_at": _at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": _first_of_month(period_start, months) - timedelta(days=1),
    }


def _selection_dates(today: date) -> dict:
    """Applications closed last week; pairs are told before the period starts next month."""
    period_start = _first_of_month(today, 1)
    if period_start - today < timedelta(days=3):
        period_start = _first_of_month(today, 2)
    return {
        "applications_open_at": _at(today - timedelta(days=50), 9),
        "application_deadline": _at(today - timedelta(days=7), 23),
        "match_notification_date": period_start - timedelta(days=1),
        "orientation_at": _at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": _first_of_month(period_start, 6) - timedelta(days=1),
    }


def demo_cohorts(today: date) -> list[tuple[str, str, dict]]:
    open_start = _first_of_month(today, 2)
    active_start = _first_of_month(today, -2)
    completed_start = _first_of_month(today, -14)
    return [
        ("pilot-completed", "Pilot cohort (completed)", _cohort_dates(completed_start)),
        ("active", "Current cohort", _cohort_dates(active_start)),
        ("matching", "Cohort in matching", _selection_dates(today)),
        ("next", "Next cohort", _cohort_dates(open_start)),
    ]


@transaction.atomic
def seed_demo(*, password: str = DEFAULT_PASSWORD, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "is_staff": account.is_staff,
                "is_superuser": account.is_staff,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.member_number:
            _demo_member(user, account)
        users[account.email] = user

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
    now = _at(today, 12)
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
    _seed_completed_pairs(cohorts["pilot-completed"], staff, now=now)
    return {"users": users, "cohorts": cohorts}


def _seed_active_pairs(cohort: Cohort, users: dict, *, now: datetime) -> None:
    """The current cohort's pairs, approved and released; the demo mentor and mentee are one."""
    seed_applicants(
        cohort=cohort, mentors=6, mentees=8, seed=2025, status=Application.Status.ACCEPTED
    )
    demo = {
        role: _demo_application(users[f"{role}@demo.test"], cohort, role, now=now)
        for role in (Role.MENTOR, Role.MENTEE)
    }
    staff = users["staff@demo.test"]
    match_create(mentor=demo[Role.MENTOR], mentee=demo[Role.MENTEE], created_by=staff, now=now)
    run = match_run_start(cohort=cohort, started_by=staff, enqueue=False, now=now)
    match_run_execute(run_id=run.pk)
    matches_approve(
        match_ids=Match.objects.filter(run=run).proposed().values_list("pk", flat=True),
        approved_by=staff,
        now=now,
    )
    # Released the real way, as on the notification date: each member's announcement is sent
    # (where the seed_demo command puts the seed's emails).
    released_at = datetime.combine(
        cohort.match_notification_date, time(9), tzinfo=timezone.get_current_timezone()
    )
    matches_release(cohort=cohort, released_by=staff, now=released_at)

    pairs = list(Match.objects.for_cohort(cohort).approved().with_people().order_by("pk"))
    demo_pair = next(p for p in pairs if p.mentee_id == demo[Role.MENTEE].pk)
    _seed_workspace(demo_pair, now=now)
    others = [p for p in pairs if p.pk != demo_pair.pk]
    # Every state of the ledger appears once: the demo pair is on track; the others, in turn,
    # strong, behind pace, at risk (a month without a meeting), never met, ended early.
    histories = [[90, 60, 45], [60, 30, 30], [60, 0, 0], [], [60, 60, 60]]
    _seed_meetings(demo_pair, [60, 75, 60], now=now, last_unconfirmed=True)
    _seed_planned_meeting(demo_pair, now=now)
    for index, pair in enumerate(others):
        _seed_meetings(pair, histories[index % len(histories)], now=now, offset=index)
    if others:
        match_end(
            match=others[-1],
            ended_by=staff,
            reason="The mentee left the pharmacy program for a semester abroad.",
            now=now,
        )


def _seed_completed_pairs(cohort: Cohort, staff: User, *, now: datetime) -> None:
    """A finished cohort: most pairs met the commitment, some fell short."""
    seed_applicants(
        cohort=cohort, mentors=5, mentees=6, seed=2024, status=Application.Status.ACCEPTED
    )
    released_at = datetime.combine(
        cohort.match_notification_date, time(9), tzinfo=timezone.get_current_timezone()
    )
    run = match_run_start(cohort=cohort, started_by=staff, enqueue=False, now=released_at)
    match_run_execute(run_id=run.pk)
    matches_approve(
        match_ids=Match.objects.filter(run=run).proposed().values_list("pk", flat=True),
        approved_by=staff,
        now=released_at,
    )
    # Its pairs were told long ago: the release is recorded as of then, without announcing the
    # pairs now ("meet your mentor" for a mentorship that has ended would be nonsense).
    Match.objects.for_cohort(cohort).approved().filter(notified_at__isnull=True).update(
        notified_at=released_at
    )
    histories = [[60] * 6, [90, 60, 60, 75, 60, 60], [120, 60, 0, 90, 60, 60], [60, 45, 30]]
    pairs = Match.objects.for_cohort(cohort).approved().with_people().order_by("pk")
    for index, pair in enumerate(pairs):
        _seed_meetings(pair, histories[index % len(histories)], now=now, offset=index)


def _seed_meetings(
    match: Match, minutes: list[int], *, now: datetime, offset: int = 0, last_unconfirmed=False
) -> None:
    """One meeting a month with the given minutes, from the period's first month, never in the
    future; logged alternately by the mentee and the mentor, confirmed by the other."""
    zone = pair_zone(match)
    month = match.cohort.period_start
    logged = []
    for index, length in enumerate(minutes):
        day = month + timedelta(days=7 + offset % 14)
        starts_at = datetime.combine(day, time(17 + offset % 3), tzinfo=zone)
        if length and starts_at + timedelta(minutes=length) < now:
            author, partner = (
                (match.mentee.member, match.mentor.member)
                if index % 2 == 0
                else (match.mentor.member, match.mentee.member)
            )
            meeting = meeting_log(
                match=match,
                user=author,
                starts_at=starts_at,
                duration_minutes=length,
                format=Meeting.Format.VIDEO if index % 3 else Meeting.Format.PHONE,
                topics=DEMO_TOPICS[index % len(DEMO_TOPICS)],
                next_steps="Draft the next action items before the next meeting.",
                now=starts_at + timedelta(hours=length // 60 + 2),
            )
            logged.append((meeting, partner))
        month = _first_of_month(month, 1)
    for position, (meeting, partner) in enumerate(logged):
        if last_unconfirmed and position == len(logged) - 1:
            break
        meeting_confirm(meeting=meeting, user=partner, now=meeting.logged_at + timedelta(days=1))


def _seed_planned_meeting(match: Match, *, now: datetime) -> None:
    starts_at = datetime.combine(
        timezone.localdate(now) + timedelta(days=6), time(18), tzinfo=pair_zone(match)
    )
    if starts_at.date() <= match.cohort.period_end:
        meeting_plan(
            match=match,
            user=match.mentee.member,
            starts_at=starts_at,
            duration_minutes=60,
            agenda="Review my CV before residency applications; plan the poster for the "
            "midyear meeting.",
            video_link="https://meet.example.org/demo-pair",
            now=now,
        )


def _seed_workspace(match: Match, *, now: datetime) -> None:
    """The demo pair's expectations, goals, action plan and a comment from the mentor."""
    mentee, mentor = match.mentee.member, match.mentor.member
    expectations_save(
        match=match,
        user=mentee,
        meeting_plan="A one-hour video call in the second week of each month, planned a week "
        "ahead.",
        communication="Email between meetings; we answer within three working days.",
        other="What we discuss stays between us.",
    )
    expectations_acknowledge(match=match, user=mentor)
    cv = goal_save(
        match=match,
        user=mentee,
        title="Strengthen my residency application",
        description="A CV and letter of intent ready for the ASHP Midyear match.",
        target_date=match.cohort.period_start + timedelta(days=100),
        status=Goal.Status.IN_PROGRESS,
    )
    for title, done in (
        ("Send my CV draft", True),
        ("Rewrite the letter of intent", False),
        ("Mock interview", False),
    ):
        item = action_item_add(goal=cv, user=mentee, title=title)
        if done:
            action_item_set_done(item=item, user=mentee, done=True)
    goal_comment_add(
        goal=cv,
        user=mentor,
        body="Your CV reads well. Lead with the ambulatory care rotation; it is your strongest.",
    )
    goal_save(
        match=match,
        user=mentee,
        title="Choose a practice area to pursue",
        status=Goal.Status.NOT_STARTED,
    )


DEMO_TOPICS = (
    "Introductions, goals for the mentorship, how we will work together.",
    "Residency programs: what to look for, how to read the match statistics.",
    "CV review and the letter of intent.",
    "A day in ambulatory care practice; precepting students.",
    "Interview preparation and questions to ask programs.",
    "Looking back on the six months; what comes next.",
)


def _demo_application(user: User, cohort: Cohort, role: str, *, now: datetime) -> Application:
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


def _demo_member(user: User, account: DemoAccount) -> None:
    Membership.objects.update_or_create(
        member_number=account.member_number,
        defaults={
            "email": account.email,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "user": user,
            "linked_at": timezone.now(),
        },
    )
    location = Location.objects.get(code=account.location)
    profile, _ = MemberProfile.objects.update_or_create(
        user=user,
        defaults={
            "location": location,
            "time_zone": location.default_time_zone,
            "career_stage": CareerStage.objects.get(name=account.career_stage),
            "credentials": account.credentials,
            "institution": account.institution,
        },
    )
    profile.practice_areas.set(PracticeArea.objects.order_by("order")[:2])
    profile.interests.set(Interest.objects.order_by("name")[:3])


# Rough shares of the US pharmacist workforce by state, so a generated cohort clusters the way
# a real one does; every other state and "outside the US" get a small share.
STATE_WEIGHTS = {
    "CA": 12, "TX": 9, "FL": 7, "NY": 6, "PA": 4, "IL": 4, "OH": 4, "GA": 3, "NC": 3, "MI": 3,
    "NJ": 3, "VA": 3, "MA": 2, "WA": 2, "TN": 2, "IN": 2, "MO": 2, "MD": 2, "AZ": 2, "MN": 2,
}  # fmt: skip
# Names from many backgrounds, as in a real cohort.
FIRST_NAMES = (  # noqa: SIM905 - a word list reads best as one string
    "Aaliyah Aarav Abigail Adrian Aisha Alejandro Amara Ana Andre Angela Ben Camila Carlos "
    "Chen Chloe Daniel Darius Deepa Diego Elena Emily Fatima Gabriel Grace Hana Hector Imani "
    "Isaac Jasmine Javier Jin Jordan Kai Kavya Keisha Kevin Laila Liam Lucia Malik Maria "
    "Mateo Mei Michael Mohammed Nadia Noah Olivia Omar Priya Rafael Rosa Samir Sara Sofia "
    "Tariq Thomas Valentina Wei Yusuf Zara"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Adams Ali Baker Brown Chen Clark Davis Diaz Evans Garcia Gomez Green Hall Harris "
    "Hernandez Hill Jackson Johnson Khan Kim Lee Lewis Lopez Martin Martinez Miller Nguyen "
    "Okafor Patel Perez Ramirez Robinson Rodriguez Sanchez Scott Shah Singh Smith Taylor "
    "Thomas Thompson Torres Walker White Williams Wilson Wright Young"
).split()


def seed_cohort(*, slug: str, mentors: int, mentees: int, seed: int = 0) -> Cohort:
    """A cohort in selection and matching with every applicant accepted, built with bulk inserts.

    The same seed gives the same people, profiles and applications. Re-running with the same
    slug replaces the cohort's generated applicants.
    """
    today = timezone.localdate()
    period_start = _first_of_month(today, 2)
    notify_by = period_start - timedelta(days=1)
    dates = {
        "applications_open_at": _at(today - timedelta(days=60), 9),
        "application_deadline": _at(today - timedelta(days=3), 23),
        "match_notification_date": notify_by,
        "orientation_at": _at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": _first_of_month(period_start, 6) - timedelta(days=1),
    }
    with transaction.atomic():
        cohort, _ = Cohort.objects.update_or_create(
            slug=slug,
            defaults={
                "name": f"Generated cohort {slug}",
                "mentee_capacity": mentees,
                "mentor_capacity": mentors,
                "max_mentees_per_mentor": 3,
                **dates,
            },
        )
        seed_applicants(
            cohort=cohort,
            mentors=mentors,
            mentees=mentees,
            seed=seed,
            status=Application.Status.ACCEPTED,
        )
    return cohort


def seed_applicants(*, cohort: Cohort, mentors: int, mentees: int, seed: int, status: str) -> None:
    """Generated members with profiles and applications to `cohort`, by bulk inserts."""
    import random

    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    locations = list(Location.objects.all())
    weights = [STATE_WEIGHTS.get(loc.code, 1) for loc in locations]
    stages = list(CareerStage.objects.order_by("order"))
    student_stages = [s for s in stages if s.is_student]
    practitioner_stages = [s for s in stages if not s.is_student and s.order >= 80] or stages
    areas = list(PracticeArea.objects.filter(is_active=True))
    interests = list(Interest.objects.filter(is_active=True))
    submitted = min(cohort.application_deadline - timedelta(days=7), timezone.now())
    decided = submitted + timedelta(days=8) if status != Application.Status.SUBMITTED else None
    prefix = f"gen-{cohort.slug}-"

    # Draw every person first, then write each table in one bulk insert. Bulk inserts set the
    # primary keys on PostgreSQL and SQLite, so the rows can be linked without reading back.
    people = []
    for role, count in ((Role.MENTOR, mentors), (Role.MENTEE, mentees)):
        for i in range(count):
            location = rng.choices(locations, weights)[0]
            user = User(
                email=f"{prefix}{role}{i}@demo.test",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password="!",  # noqa: S106 - unusable: generated applicants never sign in
            )
            profile = MemberProfile(
                user=user,
                location=location,
                time_zone=location.default_time_zone or "Europe/London",
                career_stage=rng.choice(
                    student_stages if role == Role.MENTEE else practitioner_stages
                ),
            )
            own_areas = rng.sample(areas, rng.randint(1, 2))
            own_interests = rng.sample(interests, rng.randint(2, 5))
            application = Application(
                cohort=cohort,
                member=user,
                role=role,
                status=status,
                goals="Prepare for residency applications." if role == Role.MENTEE else "",
                offer="Career advice and residency preparation." if role == Role.MENTOR else "",
                mentee_capacity=rng.choice([1, 1, 2, 3]) if role == Role.MENTOR else 1,
                region_importance=rng.randint(0, 2),
                background_importance=rng.randint(0, 2),
                interests_importance=rng.randint(0, 2),
                agrees_to_commitment=True,
                agrees_to_confidentiality=True,
                submitted_at=submitted,
                decided_at=decided,
                profile_snapshot=profile_snapshot(
                    profile,
                    practice_areas=[a.pk for a in own_areas],
                    interests=[i.pk for i in own_interests],
                    background_groups=[],
                ),
            )
            wanted = rng.sample(areas, rng.randint(1, 3)) if role == Role.MENTEE else []
            people.append((user, profile, own_areas, own_interests, application, wanted))

    area_through = MemberProfile.practice_areas.through
    interest_through = MemberProfile.interests.through
    desired_through = Application.desired_practice_areas.through
    with transaction.atomic():
        # Matches hold on to their applications; a regenerated cohort starts unmatched.
        Match.objects.filter(cohort=cohort).delete()
        MatchRun.objects.filter(cohort=cohort).delete()
        User.objects.filter(email__startswith=prefix).delete()
        User.objects.bulk_create([p[0] for p in people], batch_size=2000)
        for user, profile, *_ in people:
            profile.user = user  # picks up the primary key the insert assigned
        MemberProfile.objects.bulk_create([p[1] for p in people], batch_size=2000)
        for user, _profile, _areas, _interests, application, _wanted in people:
            application.member = user
        Application.objects.bulk_create([p[4] for p in people], batch_size=2000)
        area_through.objects.bulk_create(
            (area_through(memberprofile=p[1], practicearea=a) for p in people for a in p[2]),
            batch_size=5000,
        )
        interest_through.objects.bulk_create(
            (interest_through(memberprofile=p[1], interest=i) for p in people for i in p[3]),
            batch_size=5000,
        )
        desired_through.objects.bulk_create(
            (desired_through(application=p[4], practicearea=a) for p in people for a in p[5]),
            batch_size=5000,
        )
