"""Words for people: one spelling of each date, moment, length and name, in every zone."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from core.dates import member_zone, month_after, program_zone
from core.text import (
    clock_text,
    day_in_year_and_time_text,
    day_in_year_text,
    day_text,
    day_with_weekday_text,
    duration_text,
    first_name,
    hours_text,
    join_words,
    moment_text,
    moment_with_weekday_text,
    month_name_text,
    month_short_text,
    month_text,
    period_text,
    time_left_text,
    time_text,
    upcoming_moment_text,
    weekday_text,
)

DENVER = zoneinfo.ZoneInfo("America/Denver")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
# 03:59 UTC on the 10th is the evening of the 9th in Denver and midday of the 10th in Tokyo.
MOMENT = datetime(2026, 9, 10, 3, 59, tzinfo=UTC)


def test_a_day_reads_month_day_year_without_a_leading_zero():
    assert day_text(date(2026, 9, 9)) == "September 9, 2026"
    assert day_in_year_text(date(2026, 9, 9)) == "September 9"
    assert month_text(date(2026, 9, 1)) == "September 2026"
    assert month_name_text(date(2026, 9, 1)) == "September"
    assert month_short_text(date(2026, 9, 1)) == "Sep 2026"
    assert day_with_weekday_text(date(2026, 9, 9)) == "Wednesday, September 9, 2026"
    assert period_text(date(2027, 1, 15), date(2027, 7, 15)) == "January 15, 2027 to July 15, 2027"


def test_the_day_of_a_moment_is_the_day_in_the_readers_zone():
    assert day_text(MOMENT, DENVER) == "September 9, 2026"
    assert day_text(MOMENT, TOKYO) == "September 10, 2026"
    with timezone.override(DENVER):
        assert day_in_year_text(MOMENT) == "September 9"


def test_a_moment_reads_with_its_time_and_zone():
    assert moment_text(MOMENT, DENVER) == "September 9, 2026, 9:59 PM MDT"
    assert moment_with_weekday_text(MOMENT, DENVER) == ("Wednesday, September 9, 2026, 9:59 PM MDT")
    assert day_with_weekday_text(MOMENT, TOKYO) == "Thursday, September 10, 2026"
    assert clock_text(MOMENT, DENVER) == "9:59 PM"


def test_a_moment_this_week_or_this_year_reads_without_its_year():
    assert weekday_text(MOMENT, DENVER) == "Wednesday"
    assert time_text(MOMENT, DENVER) == "9:59 PM MDT"
    assert upcoming_moment_text(MOMENT, DENVER) == "Wednesday, September 9, 9:59 PM MDT"
    with timezone.override(TOKYO):
        assert day_in_year_and_time_text(MOMENT) == "September 10 at 12:59 PM"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(45, "45 minutes"), (60, "1 hour"), (90, "1 hour 30 minutes"), (121, "2 hours 1 minute")],
)
def test_a_length_in_words(minutes, text):
    assert duration_text(minutes) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("6.00"), "6 hours"), (Decimal("1"), "1 hour"), (Decimal("1.50"), "1.5 hours")],
)
def test_hours_drop_needless_decimals(value, text):
    assert hours_text(value) == text


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=7), "7 days"),
        (timedelta(hours=30), "1 day"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(minutes=50), "less than 2 hours"),
    ],
)
def test_time_left_is_rounded_the_way_a_person_says_it(left, text):
    assert time_left_text(left) == text


def test_a_person_is_called_by_first_name_else_by_the_name_the_site_shows():
    assert first_name(User(email="ana@example.org", first_name="Ana")) == "Ana"
    assert first_name(User(email="omar.q@example.org")) == "omar.q"


def test_lists_join_with_and():
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_the_month_after_december_is_january():
    assert month_after(date(2026, 12, 1)) == date(2027, 1, 1)
    assert month_after(date(2026, 1, 31)) == date(2026, 2, 1)


@pytest.mark.django_db
def test_a_members_zone_is_their_profiles_else_the_programs(settings):
    from tests.factories import ProfileFactory, UserFactory

    profile = ProfileFactory(user=UserFactory(), time_zone="Asia/Tokyo")
    assert member_zone(profile.user) == TOKYO
    profile.time_zone = "Not/A_Zone"
    assert member_zone(profile.user) == program_zone()
    assert member_zone(User(email="new@example.org")) == zoneinfo.ZoneInfo(settings.TIME_ZONE)
