"""A worker killed with SIGKILL in the middle of a batch, against a real SMTP server.

The email it was sending had reached the server (which kept it and had not answered yet), so
sending it again would deliver it twice: the sweeper marks it "maybe sent" for staff, and sends
the rest of the batch, which the worker never started.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notifications_sweep, notify
from tests.factories import UserFactory
from tests.notifications.smtp_sink import SMTPSink

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _wait_for(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"{what} never happened:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)


def test_the_email_a_killed_worker_was_sending_is_marked_maybe_sent_not_sent_again(tmp_path):
    from mentorship.celery import app

    members = [UserFactory(email=f"batch-{i}@example.test") for i in range(3)]
    queue = f"kill-test-{os.getpid()}-{time.monotonic_ns()}"
    log_path = tmp_path / "worker.log"
    with SMTPSink(stall_after_data=True) as sink, log_path.open("w") as log:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": "mentorship.settings",
        }
        celery = shutil.which("celery", path=str(Path(sys.executable).parent))
        worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [celery, "-A", "mentorship", "worker", "--pool=solo", "-Q", queue, "-l", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        app.conf.update(task_always_eager=False, task_default_queue=queue)
        try:
            with transaction.atomic():
                for i, member in enumerate(members):
                    notify(
                        kind="test_message",
                        key=f"batch:{i}",
                        recipient=member,
                        context={"requested_by": "the kill test"},
                    )
            # The server holds the first message, unanswered; the worker waits for its reply.
            _wait_for(lambda: len(sink.messages) == 1, "the first message", log_path)
        finally:
            app.conf.update(task_always_eager=True, task_default_queue="celery")
            worker.send_signal(signal.SIGKILL)
            worker.wait(20)

    statuses = sorted(Notification.objects.values_list("status", flat=True))
    assert statuses == ["pending", "pending", "sending"]

    # The sweeper, once the row has been "sending" too long: not sent again, marked for staff;
    # the two the worker never started go out (here in-process).
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert notifications_sweep() == 2
    stuck = Notification.objects.get(status=Notification.Status.MAYBE_SENT)
    assert "worker stopped while sending" in stuck.last_error
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 2
    assert len(sink.messages) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        m.email for m in members if m.email != stuck.to_email
    )
