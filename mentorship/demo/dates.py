"""The program's rhythm of dates, computed from today so the demo never goes stale."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def first_of_month(day: date, months_ahead: int) -> date:
    """The first day of the month `months_ahead` after `day`'s (negative: before)."""
    month_index = day.month - 1 + months_ahead
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def at(day: date, hour: int) -> datetime:
    """`day` at `hour` o'clock in the program's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def cohort_dates(period_start: date, months: int = 6) -> dict:
    """The pilot's rhythm: applications close three weeks before pairs are told, a week later
    the period starts with an orientation, and it runs for six calendar months."""
    notify_by = period_start - timedelta(days=1)
    deadline = notify_by - timedelta(days=21)
    return {
        "applications_open_at": at(deadline - timedelta(days=45), 9),
        "application_deadline": at(deadline, 23),
        "match_notification_date": notify_by,
        "orientation_at": at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": first_of_month(period_start, months) - timedelta(days=1),
    }


def selection_dates(today: date) -> dict:
    """Applications closed last week; pairs are told before the period starts next month."""
    period_start = first_of_month(today, 1)
    if period_start - today < timedelta(days=3):
        period_start = first_of_month(today, 2)
    return {
        "applications_open_at": at(today - timedelta(days=50), 9),
        "application_deadline": at(today - timedelta(days=7), 23),
        "match_notification_date": period_start - timedelta(days=1),
        "orientation_at": at(period_start + timedelta(days=2), 12),
        "period_start": period_start,
        "period_end": first_of_month(period_start, 6) - timedelta(days=1),
    }
