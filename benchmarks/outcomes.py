"""Cost of the program dashboard and of `program_report` for one large cohort.

Seeds a cohort whose twelve-month period ended last month (bulk inserts; timed, but not part of
the figures): N released pairs (default 5,000) and their meetings over the year, 70 % meeting an
hour every month, 15 % 45 minutes most months, 10 % skipping one month in three, 5 % ended by
staff after four months; certificates for the pairs that met the commitment (one revoked in a
hundred); a confidential midpoint survey and an anonymous end-of-program survey, every member
invited to both, three in four answering two questions each. Then, each run twice (the second
with warm caches):

- the cohort's dashboard page (the request, the numbers, the charts, the template);
- the overview of every cohort side by side;
- `program_report COHORT --json`.

Wall time and this process's CPU time are both printed: on a shared machine the first depends
on the other work; the second leaves out the database server's (PostgreSQL's) own time.
BENCH_OUTCOMES_PAIRS=1000 chooses N. Runs on a throwaway SQLite database (or DATABASE_URL).
"""

import json
import os
import time
import zoneinfo
from datetime import date, datetime, timedelta
from io import StringIO

from _django import QueryCounter, setup_django

setup_django("bench-outcomes-")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from applications.models import Application, MemberProfile  # noqa: E402
from cohorts.models import Cohort  # noqa: E402
from core.dates import month_after, months_between  # noqa: E402
from matching.models import Match  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from outcomes.models import (  # noqa: E402
    Answer,
    Certificate,
    Invitation,
    Question,
    Response,
    Survey,
)

settings.DEBUG = False  # no debug cursor logging (and quoting) every query

N = int(os.environ.get("BENCH_OUTCOMES_PAIRS", "5000"))
SLUG = "bench-outcomes"
DOMAIN = "@outcomes.bench"
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = seed(N)
    print(
        f"pairs: {N:,}; database: {connection.vendor}; "
        + ", ".join(f"{what}: {n:,}" for what, n in counts.items())
        + f"; seeded in {time.perf_counter() - started:.1f} s"
    )
    staff = User.objects.get(email=f"staff{DOMAIN}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)

    counter = QueryCounter()
    for label, url in (
        ("cohort dashboard page", f"/outcomes/dashboard/{SLUG}/"),
        ("dashboard overview page", "/outcomes/dashboard/"),
    ):
        for run in ("first", "again"):
            with connection.execute_wrapper(counter):
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            print(
                f"{label} ({run}): {elapsed:.2f} s ({cpu:.2f} s CPU here), "
                f"{counter.reset()} queries, {len(response.content) / 1024:.0f} KB of HTML"
            )

    for run in ("first", "again"):
        out = StringIO()
        with connection.execute_wrapper(counter):
            started, cpu = time.perf_counter(), time.process_time()
            call_command("program_report", SLUG, "--json", stdout=out)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        report = json.loads(out.getvalue())
        print(
            f"program_report --json ({run}): {elapsed:.2f} s ({cpu:.2f} s CPU here), "
            f"{counter.reset()} queries"
        )
    print(
        "report: pair_status "
        + ", ".join(f"{k} {v:,}" for k, v in report["pair_status"].items() if v)
        + f"; surveys answered {sum(s['responded'] for s in report['surveys']):,} of "
        f"{sum(s['invited'] for s in report['surveys']):,}; certificates "
        f"{report['certificates']['valid']:,} valid"
    )


def _clear() -> None:
    Certificate.objects.filter(cohort__slug=SLUG).delete()
    Survey.objects.filter(cohort__slug=SLUG).delete()
    Meeting.objects.filter(match__cohort__slug=SLUG).delete()
    Match.objects.filter(cohort__slug=SLUG).delete()
    Application.objects.filter(cohort__slug=SLUG).delete()
    User.objects.filter(email__endswith=DOMAIN).delete()


def seed(n: int) -> dict[str, int]:
    _clear()
    office = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    this_month = timezone.localdate().replace(day=1)
    first = this_month
    for _ in range(12):
        first = (first - timedelta(days=1)).replace(day=1)
    months = months_between(first, this_month - timedelta(days=1))
    opened = datetime(first.year, first.month, 1, tzinfo=office) - timedelta(days=90)
    cohort, _ = Cohort.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Benchmark cohort",
            "applications_open_at": opened,
            "application_deadline": opened + timedelta(days=30),
            "match_notification_date": first - timedelta(days=2),
            "period_start": first,
            "period_end": this_month - timedelta(days=1),
            "min_total_hours": 12,
            "mentee_capacity": n,
            "mentor_capacity": n,
        },
    )
    User.objects.create(email=f"staff{DOMAIN}", is_staff=True, is_superuser=True)

    now = timezone.now()
    User.objects.bulk_create(
        (
            User(email=f"{role}{i}{DOMAIN}", first_name=role.title(), last_name=f"No. {i}")
            for i in range(n)
            for role in ("mentor", "mentee")
        ),
        batch_size=2000,
    )
    users = dict(User.objects.filter(email__endswith=DOMAIN).values_list("email", "pk"))
    MemberProfile.objects.bulk_create(
        (
            MemberProfile(user_id=users[f"mentee{i}{DOMAIN}"], time_zone=ZONES[i % 4])
            for i in range(n)
        ),
        batch_size=2000,
    )
    Application.objects.bulk_create(
        (
            Application(
                cohort=cohort,
                member_id=users[f"{role}{i}{DOMAIN}"],
                role=role,
                status=Application.Status.ACCEPTED,
                submitted_at=now,
                decided_at=now,
            )
            for i in range(n)
            for role in ("mentor", "mentee")
        ),
        batch_size=2000,
    )
    applications = dict(Application.objects.filter(cohort=cohort).values_list("member_id", "pk"))
    released = datetime(first.year, first.month, 1, tzinfo=office) - timedelta(days=3)
    ended_at = datetime(months[4].year, months[4].month, 20, tzinfo=office)
    Match.objects.bulk_create(
        (
            Match(
                cohort=cohort,
                mentor_id=applications[users[f"mentor{i}{DOMAIN}"]],
                mentee_id=applications[users[f"mentee{i}{DOMAIN}"]],
                status=Match.Status.ENDED if i % 20 == 19 else Match.Status.APPROVED,
                score=40 + (i * 37) % 60,
                mentor_slot=None if i % 20 == 19 else 1,
                mentor_capacity=None if i % 20 == 19 else 1,
                decided_at=released,
                notified_at=released,
                ended_at=ended_at if i % 20 == 19 else None,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    pairs = list(
        Match.objects.filter(cohort=cohort)
        .order_by("pk")
        .values_list("pk", "mentee__member_id", "mentor__member_id")
    )

    meetings, completed = [], []
    for i, (match_id, mentee_id, _mentor_id) in enumerate(pairs):
        zone = zoneinfo.ZoneInfo(ZONES[i % 4])
        share = i % 20
        met_all = True
        for k, month in enumerate(months):
            if share == 19 and k > 4:
                break  # ended early
            if share in (17, 18) and k % 3 == 2:
                met_all = False
                continue  # skips one month in three
            minutes = 45 if share in (14, 15, 16) and k % 4 else 60
            met_all = met_all and minutes >= 60
            starts_at = datetime(month.year, month.month, 1 + i % 27, 17, tzinfo=zone)
            meetings.append(
                Meeting(
                    match_id=match_id,
                    status=Meeting.Status.HELD,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    held_on=starts_at.date(),
                    logged_at=starts_at + timedelta(hours=2),
                    logged_by_id=mentee_id,
                    created_by_id=mentee_id,
                    confirmed_at=starts_at + timedelta(days=1),
                )
            )
        if met_all and share != 19:
            completed.append(i)
    Meeting.objects.bulk_create(meetings, batch_size=2000)

    issued = timezone.now()
    Certificate.objects.bulk_create(
        (
            Certificate(
                cohort=cohort,
                match_id=pairs[i][0],
                user_id=pairs[i][2 if role == "mentor" else 1],
                role=role,
                name=f"{role.title()} No. {i}",
                program="Guided Mentorship Program",
                cohort_name=cohort.name,
                period_start=cohort.period_start,
                period_end=cohort.period_end,
                confirmed_minutes=60 * len(months),
                meetings=len(months),
                issued_at=issued,
                revoked_at=issued if i % 100 == 0 else None,
            )
            for i in completed
            for role in ("mentor", "mentee")
        ),
        batch_size=2000,
    )

    answers = 0
    for title, privacy, point, opens_on in (
        ("Midpoint check-in", Survey.Privacy.CONFIDENTIAL, Survey.Point.MIDPOINT, months[6]),
        ("End of program", Survey.Privacy.ANONYMOUS, Survey.Point.END, None),
    ):
        answers += _survey(cohort, users, n, title, privacy, point, opens_on)
    return {
        "meetings": len(meetings),
        "certificates": 2 * len(completed),
        "survey answers": answers,
    }


def _survey(cohort, users, n, title, privacy, point, opens_on: date | None) -> int:
    survey = Survey.objects.create(
        cohort=cohort, title=title, privacy=privacy, point=point, opens_on=opens_on
    )
    satisfaction = Question.objects.create(
        survey=survey,
        order=1,
        text="How satisfied are you with your match?",
        kind=Question.Kind.SCALE,
        measures_match_satisfaction=True,
    )
    recommend = Question.objects.create(
        survey=survey, order=2, text="How likely are you to recommend it?", kind="recommend"
    )
    opens = timezone.now() - timedelta(days=40)
    closes = month_after(timezone.localdate().replace(day=1))
    people = [(role, i) for i in range(n) for role in ("mentor", "mentee")]
    Invitation.objects.bulk_create(
        (
            Invitation(
                survey=survey,
                user_id=users[f"{role}{i}{DOMAIN}"],
                role=role,
                opens_at=opens,
                closes_at=datetime(closes.year, closes.month, 1, tzinfo=zoneinfo.ZoneInfo("UTC")),
                responded_at=opens + timedelta(days=2) if i % 4 else None,
            )
            for role, i in people
        ),
        batch_size=2000,
    )
    invitations = dict(
        Invitation.objects.filter(survey=survey, responded_at__isnull=False).values_list(
            "user_id", "pk"
        )
    )
    answered = [(role, i) for role, i in people if i % 4]
    responses = [
        Response(
            survey=survey,
            invitation_id=None if survey.is_anonymous else invitations[users[f"{role}{i}{DOMAIN}"]],
        )
        for role, i in answered
    ]
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(
        (
            Answer(response=response, question=question, number=number)
            for k, response in enumerate(responses)
            for question, number in ((satisfaction, 1 + k % 5), (recommend, k % 11))
        ),
        batch_size=2000,
    )
    return 2 * len(responses)


if __name__ == "__main__":
    main()
