"""Two staff members acting at once, on PostgreSQL where rows really lock."""

import pytest

from applications.models import Application
from applications.services import ApplicationError, application_decide
from tests.concurrency import race
from tests.factories import ApplicationFactory, CohortFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    return race(*calls, expected=ApplicationError)


def test_two_staff_accepting_the_last_place_at_once_cannot_both_succeed():
    cohort = CohortFactory(mentee_capacity=1)
    first, second = ApplicationFactory.create_batch(2, cohort=cohort)
    staff_a, staff_b = StaffFactory(), StaffFactory()
    results = _race(
        lambda: application_decide(
            application_ids=[first.pk], decision="accepted", decided_by=staff_a
        ),
        lambda: application_decide(
            application_ids=[second.pk], decision="accepted", decided_by=staff_b
        ),
    )
    errors = [r for r in results if isinstance(r, ApplicationError)]
    assert len(errors) == 1, results
    assert "1 mentee places and 1 are taken" in str(errors[0])
    assert Application.objects.filter(status="accepted").count() == 1


def test_many_concurrent_accepts_fill_capacity_exactly():
    cohort = CohortFactory(mentee_capacity=3)
    applications = ApplicationFactory.create_batch(6, cohort=cohort)
    staff = StaffFactory()
    results = _race(
        *[
            (
                lambda pk=a.pk: application_decide(
                    application_ids=[pk], decision="accepted", decided_by=staff
                )
            )
            for a in applications
        ]
    )
    assert sum(1 for r in results if isinstance(r, ApplicationError)) == 3
    assert Application.objects.filter(status="accepted").count() == 3
