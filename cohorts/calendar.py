"""Calendar files (.ics) for the program's events, built with the icalendar library.

Every event carries a stable UID so that a calendar app updates the event it already has
when the file or the feed is fetched again, instead of adding a copy.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    duration: timedelta
    summary: str
    description: str = ""
    url: str = ""
    updated: datetime | None = None
    cancelled: bool = False


def _uid(uid: str) -> str:
    return f"{uid}@{urlsplit(settings.SITE_URL).hostname}"


def ics_calendar(events: Iterable[CalendarEvent], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.PROGRAM_NAME}//Mentorship//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    now = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", _uid(item.uid))
        event.add("dtstamp", item.updated or now)
        # Times go out in UTC; each calendar app shows them in its owner's own zone.
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", (item.start + item.duration).astimezone(UTC))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
            event.add("location", item.url)
        if item.cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()


def ics_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Calendar links can be secrets (feeds) or private (meetings): no shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


def orientation_event(cohort) -> CalendarEvent:
    """The cohort's training orientation, for its .ics file and for members' calendar feeds."""
    description = [f"Training orientation of {cohort.name}."]
    if cohort.orientation_details.strip():
        description.append(cohort.orientation_details.strip())
    if cohort.orientation_link:
        description.append(f"Join: {cohort.orientation_link}")
    return CalendarEvent(
        uid=f"orientation-{cohort.pk}",
        start=cohort.orientation_at,
        duration=timedelta(minutes=cohort.orientation_duration),
        summary=f"{cohort.name}: orientation",
        description="\n\n".join(description),
        url=cohort.orientation_link,
        updated=cohort.updated_at,
    )
