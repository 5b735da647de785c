"""Validators every app uses for values that must stay inside what Python and the database hold.

Dates: Python's calendar runs from year 1 to year 9999, and a time zone shift moves a date by a
day, so 9999-12-31 in the evening west of Greenwich is year 10000 in UTC, where it is stored;
reading it back, or showing it in another zone, then fails on every page that shows it. No date
of this program is anywhere near those years, so every date a person enters is kept to a range
that no zone shift can push out of bounds.

Time zones: a name is only good if it is one of the IANA zones on this machine. ``ZoneInfo()``
also opens other files and directories ("America", "../x", very long names) and raises
``OSError`` or ``ValueError`` for them, so names are checked against the list, never opened.
"""

import functools
import zoneinfo
from datetime import UTC, date, datetime

from django import forms
from django.core.exceptions import ValidationError

EARLIEST_YEAR = 2000
LATEST_YEAR = 2200
DATE_RANGE_MESSAGE = f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
# For check constraints in the database: dates exactly; moments, stored in UTC, with a day to
# spare on either side, since a moment in range in its own zone may be a day out in UTC.
EARLIEST_DATE = date(EARLIEST_YEAR, 1, 1)
LATEST_DATE = date(LATEST_YEAR, 12, 31)
EARLIEST_MOMENT = datetime(EARLIEST_YEAR - 1, 12, 30, tzinfo=UTC)
LATEST_MOMENT = datetime(LATEST_YEAR + 1, 1, 2, tzinfo=UTC)


def validate_program_date(value: date | datetime | None) -> None:
    """A date, or a date and time, between EARLIEST_YEAR and LATEST_YEAR (in its own zone)."""
    if value is not None and not is_program_date(value):
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def is_program_date(value: date | datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


@functools.cache
def available_time_zones() -> frozenset[str]:
    # available_timezones() walks the zone directories on every call; the list is fixed for the
    # life of the process (the tzdata package or the system's files).
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in available_time_zones():
        raise ValidationError(
            "Choose a time zone from the list, for example America/New_York.",
            code="unknown_time_zone",
        )


def zone_or_none(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone of that name, or None for an empty or unknown name: a bad name already stored
    must not break every page of the member it belongs to."""
    if not name or name not in available_time_zones():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


# The largest id a BigAutoField holds; larger numbers find nothing and some databases refuse them.
MAX_ID = 2**63 - 1


def id_or_none(value: object) -> int | None:
    """A database id read from a URL or a query string, or None when it is not one.

    Django's IntegerField decides, not str.isdigit(), which accepts "²" (a digit that int()
    refuses): words, superscripts, NULs, negatives and numbers beyond any id all give None.
    """
    try:
        return forms.IntegerField(min_value=1, max_value=MAX_ID).clean(value)
    except ValidationError:
        return None
