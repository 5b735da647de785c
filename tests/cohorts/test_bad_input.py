"""A cohort's dates stay in years every zone can show: staff are told next to the field, and
the pages that show cohorts to everyone keep working at the edges of the allowed range."""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/cohorts/cohort/add/"
DATE_FIELDS = [
    "applications_open_at",
    "application_deadline",
    "match_notification_date",
    "orientation_at",
    "period_start",
    "period_end",
]


def _form(day: str) -> dict:
    """A new cohort whose every date is `day`, a few minutes apart where they must differ."""
    return {
        "name": "Far future",
        "slug": "far-future",
        "applications_open_at_0": day,
        "applications_open_at_1": "22:00",
        "application_deadline_0": day,
        "application_deadline_1": "23:00",
        "match_notification_date": day,
        "orientation_at_0": day,
        "orientation_at_1": "23:30",
        "orientation_duration": "60",
        "period_start": day,
        "period_end": day,
        "min_total_hours": "6",
        "min_monthly_hours": "1",
        "mentee_capacity": "20",
        "mentor_capacity": "20",
        "default_mentees_per_mentor": "1",
        "max_mentees_per_mentor": "2",
        "weight_background": "40",
        "weight_region": "20",
        "weight_interests": "30",
        "weight_shared_background": "10",
        "min_match_score": "30",
        "matching_objective": "total",
    }


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2201-01-01"])
def test_staff_are_told_next_to_each_date_outside_the_programs_years(client, staff, day):
    client.force_login(staff)
    response = client.post(ADD_URL, _form(day))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    for name in DATE_FIELDS:
        assert errors[name] == ["Enter a date between the years 2000 and 2200."], name
    assert not Cohort.objects.exists()
    assert client.get(reverse("home")).status_code == 200


def test_a_cohort_at_the_edges_of_the_allowed_years_is_saved(client, staff):
    client.force_login(staff)
    response = client.post(ADD_URL, {**_form("2200-12-31"), "applications_open_at_0": "2000-01-01"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Cohort.objects.get().period_end == date(2200, 12, 31)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("period_end", date(9999, 12, 31)),
        ("period_start", date(1, 1, 1)),
        ("application_deadline", datetime(9999, 12, 31, tzinfo=timezone.get_fixed_timezone(0))),
    ],
)
def test_the_database_refuses_a_date_outside_the_programs_years(field, value):
    cohort = CohortFactory()
    setattr(cohort, field, value)
    if field == "period_start":
        cohort.match_notification_date = value
    with pytest.raises(IntegrityError), transaction.atomic():
        cohort.save()


def test_cohorts_at_the_edges_of_the_allowed_years_show_on_every_page(client, staff, member):
    """The latest moment allowed, seen from the zones furthest east and west, and the earliest."""
    latest = timezone.make_aware(datetime(2200, 12, 31, 23, 59))  # noqa: DTZ001 - in the program zone
    earliest = timezone.make_aware(datetime(2000, 1, 1, 0, 0))  # noqa: DTZ001 - in the program zone
    late = CohortFactory(
        slug="late",
        applications_open_at=latest.replace(hour=20),
        application_deadline=latest,
        match_notification_date=date(2200, 12, 31),
        orientation_at=latest,
        period_start=date(2200, 12, 31),
        period_end=date(2200, 12, 31),
    )
    early = CohortFactory(
        slug="early",
        applications_open_at=earliest,
        application_deadline=earliest.replace(minute=1),
        match_notification_date=date(2000, 1, 1),
        orientation_at=earliest.replace(minute=2),
        period_start=date(2000, 1, 1),
        period_end=date(2000, 1, 1),
    )
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        member.profile.time_zone = zone
        member.profile.save()
        for user in (None, member, staff):
            client.logout()
            if user is not None:
                client.force_login(user)
            for url in [
                reverse("home"),
                late.get_absolute_url(),
                early.get_absolute_url(),
                reverse("cohorts:orientation_ics", args=[late.slug]),
            ]:
                assert client.get(url).status_code in {200, 302, 404}, (zone, user, url)
    client.force_login(staff)
    for url in [
        "/admin/cohorts/cohort/",
        f"/admin/cohorts/cohort/{late.pk}/change/",
        f"/admin/cohorts/cohort/{early.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
