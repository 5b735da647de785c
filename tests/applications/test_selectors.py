"""Reads about applications shared by pages and services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.selectors import capacity_counters
from cohorts.models import Cohort
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db


def test_capacity_counters_count_each_cohorts_accepted_people_and_submissions():
    now = timezone.now()
    later = CohortFactory(applications_open_at=now - timedelta(days=5), name="Later")
    sooner = CohortFactory(applications_open_at=now - timedelta(days=9), name="Sooner")
    empty = CohortFactory(applications_open_at=now - timedelta(days=1), name="Empty")
    for status, role, how_many in (
        ("accepted", "mentee", 3),
        ("accepted", "mentor", 2),
        ("submitted", "mentee", 1),
        ("waitlisted", "mentor", 1),
        ("draft", "mentee", 2),  # neither drafts nor withdrawn applications are submissions
        ("withdrawn", "mentor", 1),
    ):
        ApplicationFactory.create_batch(how_many, cohort=sooner, status=status, role=role)
    ApplicationFactory(cohort=later, status="accepted", role="mentor")

    counters = capacity_counters(Cohort.objects.all())

    # By application deadline, a cohort without applications counted as nothing.
    assert [counter.cohort for counter in counters] == [sooner, later, empty]
    counted = [(c.submitted, c.accepted_mentees, c.accepted_mentors) for c in counters]
    assert counted == [(7, 3, 2), (1, 0, 1), (0, 0, 0)]
    assert capacity_counters(Cohort.objects.filter(pk=later.pk))[0].accepted_mentors == 1
    assert capacity_counters(Cohort.objects.none()) == []
