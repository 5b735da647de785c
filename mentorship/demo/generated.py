"""Generated cohorts: as many reproducible applicants as a benchmark or a demo needs.

Built with bulk inserts, so tens of thousands of people take seconds; the same seed gives the
same people, profiles and applications.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import (
    Application,
    CareerStage,
    Interest,
    Location,
    MemberProfile,
    PracticeArea,
    Role,
)
from applications.services import profile_snapshot
from cohorts.models import Cohort
from matching.models import Match, MatchRun

from .dates import at, first_of_month

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
# Rows per INSERT: large enough to be fast, small enough for SQLite's variable limit.
PEOPLE_BATCH = 2000
LINKS_BATCH = 5000


def seed_cohort(*, slug: str, mentors: int, mentees: int, seed: int = 0) -> Cohort:
    """A cohort in selection and matching with every applicant accepted, built with bulk inserts.

    The same seed gives the same people, profiles and applications. Re-running with the same
    slug replaces the cohort's generated applicants.
    """
    today = timezone.localdate()
    period_start = first_of_month(today, 2)
    notify_by = period_start - timedelta(days=1)
    dates = {
        "applications_open_at": at(today - timedelta(days=60), 9),
        "application_deadline": at(today - timedelta(days=3), 23),
        "match_notification_date": notify_by,
        "orientation_at": at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": first_of_month(period_start, 6) - timedelta(days=1),
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
        User.objects.bulk_create([p[0] for p in people], batch_size=PEOPLE_BATCH)
        for user, profile, *_ in people:
            profile.user = user  # picks up the primary key the insert assigned
        MemberProfile.objects.bulk_create([p[1] for p in people], batch_size=PEOPLE_BATCH)
        for user, _profile, _areas, _interests, application, _wanted in people:
            application.member = user
        Application.objects.bulk_create([p[4] for p in people], batch_size=PEOPLE_BATCH)
        area_through.objects.bulk_create(
            (area_through(memberprofile=p[1], practicearea=a) for p in people for a in p[2]),
            batch_size=LINKS_BATCH,
        )
        interest_through.objects.bulk_create(
            (interest_through(memberprofile=p[1], interest=i) for p in people for i in p[3]),
            batch_size=LINKS_BATCH,
        )
        desired_through.objects.bulk_create(
            (desired_through(application=p[4], practicearea=a) for p in people for a in p[5]),
            batch_size=LINKS_BATCH,
        )
