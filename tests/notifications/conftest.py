import pytest


@pytest.fixture
def eager_retries():
    """Let an in-process task's retry run again at once, as a worker would run it later."""
    from mentorship.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous
