"""Words for people: dates, moments, lengths of time, names and lists, one function per idea.

Every page and email says a date the same way ("September 9, 2026"), a month one way
("September 2026"), a length one way ("1 hour 30 minutes", or "1 h 30 min" where a table cell
is small). Say a new thing here once, not where it is shown.
"""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.dateformat import format as date_format

DAY_FORMAT = "F j, Y"  # September 9, 2026
DAY_IN_YEAR_FORMAT = "F j"  # September 9
MONTH_FORMAT = "F Y"  # September 2026
CLOCK_FORMAT = "g:i A"  # 9:59 PM
TIME_FORMAT = f"{CLOCK_FORMAT} T"  # 9:59 PM MDT


def _local(value: date | datetime, zone: zoneinfo.ZoneInfo | None = None) -> date | datetime:
    """A moment in the given zone (the active one by default); a plain date as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value, zone)
    return value


def day_text(value: date | datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "September 9, 2026": the day of a date, or of a moment in the given (or active) zone."""
    return date_format(_local(value, zone), DAY_FORMAT)


def day_in_year_text(value: date | datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "September 9": the day without its year, where the year goes without saying."""
    return date_format(_local(value, zone), DAY_IN_YEAR_FORMAT)


def month_text(month: date) -> str:
    """ "September 2026"."""
    return date_format(month, MONTH_FORMAT)


def month_short_text(month: date) -> str:
    """ "Sep 2026": a month in a cell too small for its whole name."""
    return date_format(month, "M Y")


def month_name_text(month: date) -> str:
    """ "September": a month of the year the reader is in."""
    return date_format(month, "F")


def moment_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "September 9, 2026, 9:59 PM MDT": a moment, in the given (or active) zone."""
    local = _local(moment, zone)
    return f"{date_format(local, DAY_FORMAT)}, {date_format(local, TIME_FORMAT)}"


def moment_with_weekday_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Wednesday, September 9, 2026, 9:59 PM MDT": a moment a person must act by or attend,
    the same on pages and in emails."""
    return f"{weekday_text(moment, zone)}, {moment_text(moment, zone)}"


def day_with_weekday_text(value: date | datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Wednesday, September 9, 2026": the day of something that happens on it."""
    return f"{weekday_text(value, zone)}, {day_text(value, zone)}"


def time_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "9:59 PM MDT": the time of a moment whose day goes without saying."""
    return date_format(_local(moment, zone), TIME_FORMAT)


def clock_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "9:59 PM": a time without its zone, where a time next to it names the zone."""
    return date_format(_local(moment, zone), CLOCK_FORMAT)


def weekday_text(moment: date | datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Wednesday": the day of the week of a day, or of a moment in the given (or active) zone."""
    return date_format(_local(moment, zone), "l")


def day_in_year_and_time_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "November 12 at 5:00 PM": on a page, where the reader's own zone is the active one."""
    return date_format(_local(moment, zone), r"F j \a\t g:i A")


def upcoming_moment_text(moment: datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Thursday, November 12, 5:00 PM MST": a moment coming up this year, said like
    `moment_with_weekday_text` without the year."""
    return date_format(_local(moment, zone), "l, F j, " + TIME_FORMAT)


def period_text(start: date, end: date) -> str:
    """ "January 15, 2027 to July 15, 2027"."""
    return f"{day_text(start)} to {day_text(end)}"


def duration_text(minutes: int) -> str:
    """ "45 minutes", "1 hour", "1 hour 30 minutes": a length in words, for pages and emails."""
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{pluralize(hours)}")
    if minutes:
        parts.append(f"{minutes} minute{pluralize(minutes)}")
    return " ".join(parts)


def duration_short_text(minutes: int) -> str:
    """ "45 min", "1 h", "2 h 30 min": short enough for a table cell."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def hours_text(value: Decimal) -> str:
    """Decimal("6.00") -> "6 hours", Decimal("1") -> "1 hour", Decimal("1.50") -> "1.5 hours"."""
    number = f"{value.normalize():f}"
    return f"{number} hour{'' if value == 1 else 's'}"


def time_left_text(remaining: timedelta) -> str:
    """ "7 days", "1 day", "5 hours": how long is left, rounded the way a person would say it."""
    hours = remaining.total_seconds() / 3600
    if hours >= 36:
        return f"{round(hours / 24)} days"
    if hours >= 20:
        return "1 day"
    if hours >= 1.5:
        return f"{round(hours)} hours"
    return "less than 2 hours"


def first_name(user) -> str:
    """What an email calls a person: their first name, else the name the site shows for them."""
    return user.first_name or user.display_name


def join_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
