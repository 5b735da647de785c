import pytest
import time_machine

from tests.meetings.clock import NOW


@pytest.fixture
def december():
    """The clock stopped mid-period, at `tests.meetings.clock.NOW`, for the whole test."""
    with time_machine.travel(NOW, tick=False):
        yield
