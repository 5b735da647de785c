"""Dates at the edge of the calendar, planned, logged or corrected, get a message, never a 500.

A date and time of 9999-12-31 late in the evening west of Greenwich is year 10000 in UTC; one
of 0001-01-01 just after midnight east of it is year 0. Neither exists in Python, so any
conversion between zones used to raise OverflowError.
"""

import zoneinfo
from datetime import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from meetings import services
from meetings.models import ActionItem, Goal, Meeting
from meetings.services import WorkspaceError
from tests.factories import MeetingFactory, PairFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]


# (the member's own zone, what they type): both are outside any year a zone shift can reach.
EDGES = {
    "the last evening of year 9999 in Los Angeles": ("America/Los_Angeles", "9999-12-31T23:30"),
    "the first minutes of year 1 in Tokyo": ("Asia/Tokyo", "0001-01-01T00:30"),
}


@pytest.fixture
def pair():
    return PairFactory()


def _mentor_in(pair, zone: str):
    mentor = pair.mentor.member
    mentor.profile.time_zone = zone
    mentor.profile.save()
    return mentor


@pytest.mark.parametrize("edge", EDGES)
@pytest.mark.parametrize("kind", ["meeting_plan", "meeting_log"])
def test_a_meeting_at_the_edge_of_the_calendar_is_refused_next_to_the_date(
    client, pair, edge, kind
):
    zone, typed = EDGES[edge]
    client.force_login(_mentor_in(pair, zone))
    response = client.post(
        reverse(f"meetings:{kind}", args=[pair.pk]),
        {"starts_at": typed, "duration_minutes": "60", "format": "video"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["starts_at"]
    assert errors == ["Enter a date between the years 2000 and 2200."]
    # What the member typed stays in the form.
    assert typed in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("service", "edge"),
    [
        ("meeting_plan", "the last evening of year 9999 in Los Angeles"),
        ("meeting_log", "the first minutes of year 1 in Tokyo"),
    ],
)
def test_the_services_refuse_an_edge_date_with_the_period_message(pair, service, edge):
    """What no form checked (a task, a shell) is refused in words too, not with a traceback."""
    zone, typed = EDGES[edge]
    starts_at = datetime.fromisoformat(typed).replace(tzinfo=zoneinfo.ZoneInfo(zone))
    with pytest.raises(WorkspaceError, match="pick a date in the mentorship period"):
        getattr(services, service)(
            match=pair,
            user=pair.mentor.member,
            starts_at=starts_at,
            duration_minutes=60,
            format="video",
        )


@pytest.mark.parametrize("status", ["held", "cancelled"])
@pytest.mark.parametrize("typed", ["9999-12-31T23:30", "0001-01-01T00:00"])
def test_staff_correcting_a_meeting_to_an_edge_date_are_told_next_to_the_date(
    client, staff, pair, typed, status
):
    meeting = MeetingFactory(match=pair)
    client.force_login(staff)  # no profile: New York time, while the mentee is in Denver
    response = client.post(
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        {"starts_at": typed, "duration_minutes": "60", "format": "video", "status": status},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["starts_at"]
    assert errors == ["Enter a date between the years 2000 and 2200."]
    before = meeting.starts_at
    meeting.refresh_from_db()
    assert meeting.starts_at == before


def test_the_database_refuses_a_meeting_outside_the_programs_years(pair):
    meeting = MeetingFactory(match=pair)
    meeting.starts_at = datetime(9999, 12, 31, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_a_goal_or_step_due_outside_the_programs_years_is_refused_next_to_the_date(
    client, pair, typed
):
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:goal_new", args=[pair.pk]),
        {"title": "Residency", "target_date": typed, "status": "not_started"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_date"] == [
        "Enter a date between the years 2000 and 2200."
    ]
    goal = Goal.objects.create(match=pair, title="Residency")
    client.post(
        reverse("meetings:step_add", args=[pair.pk, goal.pk]),
        {"step-title": "Ask for a letter", "step-due_date": typed},
    )
    assert not ActionItem.objects.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("token", ["%00", "abc%00def", "%C2%B2", "x" * 500])
def test_a_calendar_address_with_a_character_no_token_has_is_not_found(client, token):
    """PostgreSQL refuses a NUL in a query; the address is refused before it gets there."""
    assert client.get(f"/mentorship/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("page", ["meeting_reschedule", "meeting_held", "meeting_log_edit"])
def test_a_meeting_number_zero_is_not_found_not_a_new_meeting(client, pair, page):
    client.force_login(pair.mentee.member)
    assert client.get(reverse(f"meetings:{page}", args=[pair.pk, 0])).status_code == 404


@pytest.mark.parametrize("admin_page", ["meetings_pair_change", "meetings_meeting_change"])
@pytest.mark.parametrize("object_id", ["²", "99999999999999999999", "-1", "abc"])
def test_an_admin_id_that_is_no_number_is_not_found(client, staff, pair, admin_page, object_id):
    """'²'.isdigit() is True, but int('²') raises: Django's IntegerField decides instead."""
    client.force_login(staff)
    url = reverse(f"admin:{admin_page}", args=["0"]).replace("/0/", f"/{object_id}/")
    assert client.get(url).status_code == 404
