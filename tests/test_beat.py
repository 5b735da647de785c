"""The production-like process set: a real Celery worker with beat, on Redis and PostgreSQL.

Beat fires the meeting-reminder job every second from its database schedule; the member
reminders still go out once each, because every email has its idempotency key.
"""

import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from meetings.models import Meeting
from notifications.models import Notification
from tests.factories import CohortFactory, MeetingFactory, PairFactory

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _current_cohort():
    today = timezone.localdate()
    return CohortFactory(
        applications_open_at=timezone.now() - timedelta(days=80),
        application_deadline=timezone.now() - timedelta(days=60),
        match_notification_date=today - timedelta(days=40),
        orientation_at=timezone.now() - timedelta(days=35),
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=150),
    )


def _messages_in(directory: Path) -> list[str]:
    text = "".join(p.read_text() for p in directory.glob("*.log"))
    return [chunk for chunk in text.split("\n" + "-" * 79 + "\n") if "Message-ID:" in chunk]


def test_a_real_worker_and_beat_deliver_a_scheduled_reminder_once(tmp_path):
    pair = PairFactory(cohort=_current_cohort())
    meeting = MeetingFactory(
        match=pair, status="planned", starts_at=timezone.now() + timedelta(hours=3)
    )
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    # Other transactional tests flush the tables the schedule migrations filled: set the one
    # schedule this test needs, firing every second, and nothing else.
    PeriodicTask.objects.update(enabled=False)
    PeriodicTask.objects.update_or_create(
        name="Meeting reminders",
        defaults={
            "task": "meetings.tasks.send_meeting_reminders",
            "interval": every_second,
            "crontab": None,
            "enabled": True,
        },
    )

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"beat-test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"filemail://{mail_dir}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            celery,
            "-A",
            "mentorship",
            "worker",
            "--beat",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        sent = Notification.objects.filter(kind="meeting_reminder", status="sent")
        while time.monotonic() < deadline and sent.count() < 2:
            time.sleep(0.5)
        assert sent.count() == 2, (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(4)  # beat keeps firing every second: nothing more may go out
    finally:
        process.terminate()
        process.wait(20)
        log.close()

    assert Notification.objects.filter(kind="meeting_reminder").count() == 2
    messages = _messages_in(mail_dir)
    recipients = sorted(
        line.removeprefix("To: ")
        for m in messages
        for line in m.splitlines()
        if line.startswith("To: ")
    )
    assert recipients == sorted([pair.mentor.member.email, pair.mentee.member.email])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
