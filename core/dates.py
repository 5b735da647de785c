"""Calendar arithmetic and whose time zone a date is read in."""

import zoneinfo
from datetime import date

from django.conf import settings

from .validators import zone_or_none


def month_after(month: date) -> date:
    """The first day of the calendar month after `month`'s."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every calendar month that overlaps start..end."""
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = month_after(current)
    return months


def program_zone() -> zoneinfo.ZoneInfo:
    """The program office's time zone (settings.TIME_ZONE)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def member_zone(user) -> zoneinfo.ZoneInfo:
    """The member's own time zone (their profile's), else the program office's.

    Reads `user.profile`, so callers that select_related it pay no query; a name that is no
    zone (stored before names were checked) gives the program's.
    """
    name = getattr(getattr(user, "profile", None), "time_zone", "")
    return zone_or_none(name) or program_zone()
