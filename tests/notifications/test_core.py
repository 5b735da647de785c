import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import (
    notification_claim,
    notification_resend,
    notifications_sweep,
    notify,
)
from notifications.tasks import send_notification

pytestmark = pytest.mark.django_db


def _notify(member, key="welcome:1", **kwargs):
    return notify(
        kind="test_message",
        key=key,
        recipient=member,
        context={"requested_by": "a test"},
        **kwargs,
    )


def test_it_sends_the_email_once_the_transaction_commits(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _notify(member)
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject == "Test email from Guided Mentorship Program"
    assert "sent by a test" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "sent by a test" in html
    assert "http://127.0.0.1:8000/" in email.body  # absolute links from SITE_URL
    assert email.extra_headers["X-Notification-Key"] == "welcome:1"


def test_it_sends_nothing_when_the_callers_transaction_rolls_back(member):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _notify(member)
        raise Boom
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_the_same_key_twice_sends_one_email(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(member, key="application-received:7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = _notify(member, key="application-received:7")
    assert second.pk == first.pk
    assert callbacks == []
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_duplicate_key_leaves_the_callers_transaction_usable(member):
    with transaction.atomic():
        _notify(member, key="k")
        _notify(member, key="k")
        # Still inside the same transaction: a failed insert must not have poisoned it.
        assert Notification.objects.filter(idempotency_key="k").count() == 1


def test_running_the_send_task_twice_sends_once(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification = _notify(member)
    assert send_notification.apply(args=[notification.pk]).get() == "sent"
    assert send_notification.apply(args=[notification.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_two_workers_cannot_both_claim_a_notification(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notification = _notify(member)
    assert notification_claim(notification_id=notification.pk) is not None
    assert notification_claim(notification_id=notification.pk) is None


def test_a_transient_smtp_error_is_retried_until_it_goes_through(
    member, eager_retries, django_capture_on_commit_callbacks
):
    real_send = mail.EmailMultiAlternatives.send
    failures = [smtplib.SMTPServerDisconnected("gone"), smtplib.SMTPDataError(451, b"try later")]

    def flaky_send(message, *args, **kwargs):
        if failures:
            raise failures.pop(0)
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", flaky_send),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(member)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 3
    assert len(mail.outbox) == 1


def test_retries_stop_at_the_attempt_limit(
    member, settings, eager_retries, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    error = smtplib.SMTPServerDisconnected("still gone")
    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=error) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(member)
    notification.refresh_from_db()
    assert send.call_count == 3
    assert notification.status == Notification.Status.FAILED
    assert "SMTPServerDisconnected" in notification.last_error


def test_a_permanent_smtp_error_fails_without_retrying(member, django_capture_on_commit_callbacks):
    refused = smtplib.SMTPRecipientsRefused({member.email: (550, b"no such user")})
    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=refused) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(member)
    notification.refresh_from_db()
    assert send.call_count == 1
    assert notification.status == Notification.Status.FAILED


def test_the_sweeper_sends_what_was_left_pending_when_the_broker_was_down(
    member, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(send_notification, "delay", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(member)  # the enqueue fails, quietly
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert mail.outbox == []

    # Within the grace period the sweeper leaves it alone: its task may still be on its way.
    assert notifications_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert notifications_sweep() == 1
        assert notifications_sweep() == 0  # already sent: a second sweep sends nothing more
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_marks_a_notification_stuck_mid_send_maybe_sent(member):
    notification = Notification.objects.create(
        kind="test_message",
        idempotency_key="stuck",
        to_email=member.email,
        status=Notification.Status.SENDING,
        last_attempt_at=timezone.now() - timedelta(hours=1),
    )
    notifications_sweep()
    notification.refresh_from_db()
    # Its worker died: it may or may not have gone, so it waits for a person, never resent alone.
    assert notification.status == Notification.Status.MAYBE_SENT
    assert "duplicate" in notification.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        notifications_sweep()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.MAYBE_SENT
    assert mail.outbox == []


def test_staff_can_resend_a_failed_notification(member, django_capture_on_commit_callbacks):
    notification = Notification.objects.create(
        kind="test_message",
        idempotency_key="failed-once",
        recipient=member,
        to_email=member.email,
        status=Notification.Status.FAILED,
        attempts=5,
        context={"requested_by": "a test"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_resend(notification=notification) is True
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_resend(notification=notification) is False  # only failed ones
    assert len(mail.outbox) == 1


def test_the_admin_resend_action_requeues_failed_rows_only(
    client, staff, member, django_capture_on_commit_callbacks
):
    failed = Notification.objects.create(
        kind="test_message", idempotency_key="a", to_email=member.email, status="failed"
    )
    sent = Notification.objects.create(
        kind="test_message",
        idempotency_key="b",
        to_email=member.email,
        status="sent",
        sent_at=timezone.now(),
    )
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notifications/notification/",
            {"action": "resend_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 notification(s) queued again." in response.content.decode()
    assert "1 skipped" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_the_notification_log_lists_in_constant_queries(
    client, staff, django_assert_max_num_queries
):
    Notification.objects.bulk_create(
        Notification(kind="test_message", idempotency_key=f"k{i}", to_email=f"m{i}@example.test")
        for i in range(120)
    )
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/notifications/notification/")
    assert response.status_code == 200


def test_send_test_email_command_sends_through_the_queue(
    capsys, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_test_email", "office@example.test")
    assert "office@example.test" in capsys.readouterr().out
    [email] = mail.outbox
    assert email.to == ["office@example.test"]
    assert Notification.objects.get().status == Notification.Status.SENT
