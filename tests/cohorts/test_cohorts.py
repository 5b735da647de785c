from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Cohort
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def _aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001 - made aware in the program's zone


@pytest.fixture
def pilot():
    """The pilot's dates: applications close Sept 9, pairs told by Sept 30, Oct 1 to Mar 31."""
    return CohortFactory(
        slug="pilot",
        applications_open_at=_aware(2026, 8, 1, 9),
        application_deadline=_aware(2026, 9, 9, 23, 59),
        match_notification_date=date(2026, 9, 30),
        orientation_at=_aware(2026, 10, 2, 12),
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
    )


@pytest.mark.parametrize(
    ("moment", "phase"),
    [
        ((2026, 7, 31, 12), Cohort.Phase.UPCOMING),
        ((2026, 8, 1, 9), Cohort.Phase.APPLICATIONS_OPEN),
        ((2026, 9, 9, 23, 58), Cohort.Phase.APPLICATIONS_OPEN),
        ((2026, 9, 9, 23, 59), Cohort.Phase.SELECTION),
        ((2026, 9, 30, 12), Cohort.Phase.SELECTION),
        ((2026, 10, 1, 0, 1), Cohort.Phase.ACTIVE),
        ((2027, 3, 31, 23), Cohort.Phase.ACTIVE),
        ((2027, 4, 1, 0, 1), Cohort.Phase.COMPLETED),
    ],
)
def test_the_phase_follows_the_cohorts_dates(pilot, moment, phase):
    assert pilot.phase_at(_aware(*moment)) == phase


def test_open_for_applications_lists_only_cohorts_between_opening_and_deadline(pilot):
    with time_machine.travel(_aware(2026, 9, 1, 12)):
        assert list(Cohort.objects.open_for_applications()) == [pilot]
    with time_machine.travel(_aware(2026, 9, 10, 0, 0)):
        assert list(Cohort.objects.open_for_applications()) == []


def test_clean_explains_each_date_out_of_order(pilot):
    pilot.application_deadline = pilot.applications_open_at - timedelta(days=1)
    pilot.period_end = pilot.period_start - timedelta(days=1)
    pilot.default_mentees_per_mentor = 3
    pilot.max_mentees_per_mentor = 2
    with pytest.raises(ValidationError) as caught:
        pilot.full_clean()
    errors = caught.value.message_dict
    assert "weight_background" not in errors
    assert errors["application_deadline"] == ["The deadline must be after applications open."]
    assert errors["period_end"] == ["The period must end after it starts."]
    assert errors["default_mentees_per_mentor"] == ["The default cannot exceed the maximum."]


def test_the_database_refuses_a_period_that_ends_before_it_starts(pilot):
    pilot.period_end = pilot.period_start - timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        pilot.save()


def test_staff_see_a_readable_error_in_admin_for_dates_out_of_order(client, staff, pilot):
    client.force_login(staff)
    response = client.post(
        f"/admin/cohorts/cohort/{pilot.pk}/change/",
        {
            "name": pilot.name,
            "slug": pilot.slug,
            "applications_open_at_0": "2026-08-01",
            "applications_open_at_1": "09:00",
            "application_deadline_0": "2026-07-01",
            "application_deadline_1": "09:00",
            "match_notification_date": "2026-09-30",
            "period_start": "2026-10-01",
            "period_end": "2027-03-31",
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
        },
    )
    assert response.status_code == 200
    assert "The deadline must be after applications open." in response.content.decode()
    pilot.refresh_from_db()
    assert pilot.application_deadline == _aware(2026, 9, 9, 23, 59)


def test_a_cohort_needs_at_least_one_matching_weight(pilot):
    pilot.weight_background = pilot.weight_region = 0
    pilot.weight_interests = pilot.weight_shared_background = 0
    with pytest.raises(ValidationError) as caught:
        pilot.full_clean()
    assert caught.value.message_dict["weight_background"] == [
        "At least one matching weight must be above zero."
    ]
