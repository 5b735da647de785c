"""People around one cohort's orientation and resource library."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ApplicationFactory,
    SelectionCohortFactory,
    UserFactory,
)


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads go to a fresh directory that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cohort(db):
    return SelectionCohortFactory(
        name="Fall cohort",
        slug="fall",
        # Whole seconds, as a calendar file carries them.
        orientation_at=(timezone.now() + timedelta(days=20)).replace(microsecond=0),
        orientation_duration=90,
        orientation_link="https://meet.example.org/fall-orientation",
        orientation_details="Meet the program staff.\nBring your questions.",
    )


@pytest.fixture
def other_cohort(db):
    return SelectionCohortFactory(name="Spring cohort", slug="spring")


@pytest.fixture
def mentee(cohort):
    """An accepted mentee of the cohort: a participant."""
    return AcceptedFactory(cohort=cohort, member__email="mentee@example.test").member


@pytest.fixture
def mentor(cohort):
    """An accepted mentor of the cohort: a participant, in the other role."""
    return AcceptedMentorFactory(cohort=cohort, member__email="mentor@example.test").member


@pytest.fixture
def applicant(cohort):
    """Applied to the cohort and was not accepted (yet): not a participant."""
    return ApplicationFactory(cohort=cohort, status="waitlisted").member


@pytest.fixture
def other_mentee(other_cohort):
    """An accepted mentee of another cohort."""
    return AcceptedFactory(cohort=other_cohort).member


@pytest.fixture
def staffer(db):
    """Staff without superuser rights: being staff is enough to read every resource."""
    return UserFactory(is_staff=True)


@pytest.fixture
def sign_in(client, request):
    """Sign the test client in as the named persona fixture ("anonymous": nobody)."""

    def as_persona(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return as_persona
