"""The orientation as the cohort's participants see it in their workspace."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _render(cohort) -> str:
    return render_to_string("cohorts/_orientation.html", {"cohort": cohort})


def test_an_upcoming_orientation_shows_when_how_long_what_and_how_to_join(cohort):
    cohort.orientation_at = timezone.make_aware(datetime(2030, 10, 2, 12))  # noqa: DTZ001
    with timezone.override(zoneinfo.ZoneInfo("America/Denver")):
        html = _render(cohort)
    assert "Wednesday, October 2, 2030, 10:00 AM MDT" in html
    assert "1 hour 30 minutes" in html
    assert "<p>Meet the program staff.<br>Bring your questions.</p>" in html
    assert (
        '<a class="btn btn-primary" href="https://meet.example.org/fall-orientation"'
        ' rel="noopener noreferrer">Join the orientation</a>'
    ) in html
    ics = reverse("cohorts:orientation_ics", args=[cohort.slug])
    assert f'href="{ics}">Add to calendar (.ics)</a>' in html


def test_without_a_link_there_is_no_join_button_but_still_the_calendar_file(cohort):
    cohort.orientation_link = ""
    html = _render(cohort)
    assert "Join the orientation" not in html
    assert "Add to calendar (.ics)" in html


def test_an_orientation_under_way_still_offers_the_link(cohort):
    cohort.orientation_at = timezone.now() - timedelta(minutes=80)  # 90 minutes long
    assert "Join the orientation" in _render(cohort)


def test_a_past_orientation_says_when_it_took_place(cohort):
    cohort.orientation_at = timezone.now() - timedelta(minutes=91)
    html = _render(cohort)
    assert f"took place on {timezone.localtime(cohort.orientation_at):%A, %B} " in html
    assert "Join the orientation" not in html
    assert "Add to calendar" not in html


def test_a_cohort_without_an_orientation_renders_nothing(cohort):
    cohort.orientation_at = None
    assert _render(cohort).strip() == ""


@pytest.mark.parametrize(
    ("minutes", "label"),
    [(15, "15 minutes"), (60, "1 hour"), (61, "1 hour 1 minute"), (150, "2 hours 30 minutes")],
)
def test_the_length_reads_in_hours_and_minutes(cohort, minutes, label):
    cohort.orientation_duration = minutes
    assert cohort.orientation_duration_label == label
