import pytest

from tests.factories import CohortFactory


@pytest.fixture
def cohort():
    """A cohort open for applications (a module needing other capacities defines its own)."""
    return CohortFactory(slug="fall", name="Fall cohort")
