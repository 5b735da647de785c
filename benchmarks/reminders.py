"""Cost of the monthly hour-commitment job and of the weekly staff digest over many pairs.

Seeds N released pairs in one cohort (bulk inserts; timed, but not part of the figures) whose
period started two months before this one, so the job reports on its second month: 60 % of the
pairs met both months, 25 % met the first twice over and logged 30 minutes in the second (a
nudge), 15 % met nothing since the first (the firmer note). Then, with tasks in-process:

- the monthly job's finder alone (the fan-out stubbed), to show its queries grow only with
  N / batch size;
- the whole monthly job: finder plus one task per batch of pairs, each recording its batch's
  emails in a fixed number of queries (one bulk insert). Sending is
  left out (the rows stay pending): `benchmarks/notifications.py` measures it, and in production
  workers send in parallel;
- the same job again, which must record nothing more;
- the staff digest's content over the same pairs.

BENCH_REMINDER_PAIRS=2000 chooses N (default 20,000). Runs on a throwaway SQLite database (or
DATABASE_URL when set). The machine may be shared: the CPU time of this process is printed next
to each wall time (the database server's own time is in the wall time only).
"""

import os
import time
import zoneinfo
from datetime import date, datetime, timedelta
from unittest import mock

from _django import QueryCounter, setup_django

setup_django("bench-reminders-")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from applications.models import Application, MemberProfile  # noqa: E402
from cohorts.models import Cohort  # noqa: E402
from matching.models import Match  # noqa: E402
from meetings import reminders  # noqa: E402
from meetings.digest import staff_digest_compute  # noqa: E402
from meetings.models import Meeting  # noqa: E402
from meetings.tasks import remind_pairs_hours, send_monthly_hour_reminders  # noqa: E402
from notifications.models import Notification  # noqa: E402

# A worker runs with DEBUG off: don't let the debug cursor log (and quote) every query.
settings.DEBUG = False

N = int(os.environ.get("BENCH_REMINDER_PAIRS", "20000"))
SLUG = "bench-reminders"
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    month = seed(N)
    print(
        f"pairs: {N:,}; database: {connection.vendor}; reported month: {month:%B %Y}; "
        f"batch size: {reminders.BATCH_SIZE}; seeded in {time.perf_counter() - started:.1f} s"
    )

    counter = QueryCounter()
    with (
        connection.execute_wrapper(counter),
        mock.patch.object(remind_pairs_hours, "delay") as delay,
    ):
        started = time.perf_counter()
        send_monthly_hour_reminders()
        elapsed = time.perf_counter() - started
    print(
        f"finder only (fan-out stubbed): {elapsed:.2f} s, {counter.reset()} queries, "
        f"{delay.call_count:,} batch tasks"
    )
    batches = delay.call_count

    for label in ("monthly job", "monthly job again"):
        before = Notification.objects.count()
        # The send is left out: each row stays pending, as if the broker had it.
        with (
            connection.execute_wrapper(counter),
            mock.patch("notifications.services.notification_enqueue"),
        ):
            started, cpu = time.perf_counter(), time.process_time()
            send_monthly_hour_reminders()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        queries = counter.reset()
        created = Notification.objects.count() - before
        print(
            f"{label} (finder + {batches:,} batch tasks): {elapsed:.2f} s ({cpu:.2f} s CPU in "
            f"this process), {queries:,} queries "
            f"({queries / batches:,.1f} per batch of {reminders.BATCH_SIZE}), "
            f"emails recorded: {created:,}"
        )
    by_kind = Notification.objects.values_list("kind").order_by("kind")
    counts: dict[str, int] = {}
    for (kind,) in by_kind.iterator():
        counts[kind] = counts.get(kind, 0) + 1
    print("emails by kind: " + ", ".join(f"{kind} {count:,}" for kind, count in counts.items()))

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        digest = staff_digest_compute()
        elapsed = time.perf_counter() - started
    print(
        f"staff digest content: {elapsed:.2f} s, {counter.reset()} queries; "
        f"{digest['active_pairs']:,} pairs, {digest['at_risk_count']:,} at risk, "
        f"{digest['behind_count']:,} behind pace"
    )


def seed(n: int) -> date:
    """N released pairs of a cohort in its third month; returns the month the job reports on."""
    Notification.objects.all().delete()
    Meeting.objects.filter(match__cohort__slug=SLUG).delete()
    Match.objects.filter(cohort__slug=SLUG).delete()
    Application.objects.filter(cohort__slug=SLUG).delete()
    User.objects.filter(email__endswith="@reminders.bench").delete()

    reported = reminders.month_just_ended()
    first = (reported - timedelta(days=1)).replace(day=1)
    period_end = date(first.year + (first.month + 5) // 12, (first.month + 5) % 12 + 1, 1)
    office = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    opened = datetime(first.year, first.month, 1, tzinfo=office) - timedelta(days=60)
    cohort, _ = Cohort.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Benchmark cohort",
            "applications_open_at": opened,
            "application_deadline": opened + timedelta(days=30),
            "match_notification_date": first - timedelta(days=1),
            "period_start": first,
            "period_end": period_end - timedelta(days=1),
        },
    )

    now = timezone.now()
    User.objects.bulk_create(
        User(email=f"{role}{i}@reminders.bench", first_name=role.title(), last_name=f"No. {i}")
        for i in range(n)
        for role in ("mentor", "mentee")
    )
    users = dict(User.objects.filter(email__endswith="@reminders.bench").values_list("email", "pk"))
    MemberProfile.objects.bulk_create(
        MemberProfile(user_id=users[f"mentee{i}@reminders.bench"], time_zone=ZONES[i % 4])
        for i in range(n)
    )
    Application.objects.bulk_create(
        Application(
            cohort=cohort,
            member_id=users[f"{role}{i}@reminders.bench"],
            role=role,
            status=Application.Status.ACCEPTED,
            submitted_at=now,
            decided_at=now,
        )
        for i in range(n)
        for role in ("mentor", "mentee")
    )
    applications = {
        (role, member): pk
        for pk, role, member in Application.objects.filter(cohort=cohort).values_list(
            "pk", "role", "member_id"
        )
    }
    released = datetime(first.year, first.month, 1, tzinfo=office) - timedelta(days=2)
    Match.objects.bulk_create(
        Match(
            cohort=cohort,
            mentor_id=applications[("mentor", users[f"mentor{i}@reminders.bench"])],
            mentee_id=applications[("mentee", users[f"mentee{i}@reminders.bench"])],
            status=Match.Status.APPROVED,
            score=70,
            mentor_slot=1,
            mentor_capacity=1,
            decided_at=released,
            notified_at=released,
        )
        for i in range(n)
    )
    pairs = list(
        Match.objects.filter(cohort=cohort).order_by("pk").values_list("pk", "mentee__member_id")
    )

    def held(match_id: int, mentee_id: int, month: date, minutes: int, zone: str) -> Meeting:
        starts_at = datetime(month.year, month.month, 10, 17, tzinfo=zoneinfo.ZoneInfo(zone))
        return Meeting(
            match_id=match_id,
            status=Meeting.Status.HELD,
            starts_at=starts_at,
            duration_minutes=minutes,
            held_on=starts_at.date(),
            logged_at=starts_at + timedelta(hours=2),
            logged_by_id=mentee_id,
            created_by_id=mentee_id,
        )

    meetings = []
    for i, (match_id, mentee_id) in enumerate(pairs):
        zone = ZONES[i % 4]
        share = i % 20
        if share < 12:  # 60 %: met both months
            meetings.append(held(match_id, mentee_id, first, 60, zone))
            meetings.append(held(match_id, mentee_id, reported, 60, zone))
        elif share < 17:  # 25 %: ahead in the first month, 30 minutes in the second
            meetings.append(held(match_id, mentee_id, first, 120, zone))
            meetings.append(held(match_id, mentee_id, reported, 30, zone))
        else:  # 15 %: nothing since the first month
            meetings.append(held(match_id, mentee_id, first, 60, zone))
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    return reported


if __name__ == "__main__":
    main()
