"""A notification travels through a real Celery worker on Redis: broker, JSON, ack, send."""

import os
import time

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.worker


@pytest.fixture
def celery_worker(transactional_db):
    """A worker thread consuming from the configured Redis broker, as `celery worker` would."""
    from celery.contrib.testing.worker import start_worker

    from mentorship.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    # A queue of our own, so a stray worker elsewhere on this Redis cannot take the task.
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"
        ):
            yield app
    finally:
        app.conf.task_always_eager = previous
        app.conf.task_default_queue = "celery"


def test_a_real_worker_sends_a_committed_notification_once(celery_worker):
    member = UserFactory(email="worker-test@example.test")
    with transaction.atomic():
        notification = notify(
            kind="test_message",
            key="worker-test:1",
            recipient=member,
            context={"requested_by": "the worker test"},
        )
    # Recording the same event again after commit must not produce a second email.
    with transaction.atomic():
        notify(kind="test_message", key="worker-test:1", recipient=member, context={})

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.status == Notification.Status.SENT:
            break
        time.sleep(0.1)
    assert notification.status == Notification.Status.SENT
    time.sleep(0.5)  # give a duplicate, if there were one, time to arrive
    assert [m.to for m in mail.outbox] == [["worker-test@example.test"]]
    assert notification.attempts == 1
