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
from cohorts.models import Cohort

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo accounts only, printed by the command


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    is_staff: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("staff@demo.test", "Sam", "Staffer", is_staff=True),
    DemoAccount("mentee@demo.test", "Maya", "Mentee"),
    DemoAccount("mentor@demo.test", "Morgan", "Mentor"),
    DemoAccount("outsider@demo.test", "Oliver", "Outsider"),
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


def demo_cohorts(today: date) -> list[tuple[str, str, dict]]:
    open_start = _first_of_month(today, 2)
    active_start = _first_of_month(today, -2)
    completed_start = _first_of_month(today, -14)
    return [
        ("pilot-completed", "Pilot cohort (completed)", _cohort_dates(completed_start)),
        ("active", "Current cohort", _cohort_dates(active_start)),
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
    return {"users": users, "cohorts": cohorts}
