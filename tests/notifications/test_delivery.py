"""What "send once" can and cannot promise, against a real SMTP server on loopback.

Before the server has the whole message, a failure is safe to retry. After it, a timeout does not
say whether the server kept the message: that row is "maybe sent", never retried by itself, and
staff resending it are warned it may arrive twice.
"""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notification_resend, notifications_sweep, notify
from tests.browser import assert_valid_html
from tests.notifications.smtp_sink import SMTPSink, use_smtp

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


def _notify(member, key="delivery:1"):
    return notify(
        kind="test_message", key=key, recipient=member, context={"requested_by": "a test"}
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_server_that_stores_the_message_then_answers_too_late_gets_it_once(
    member, settings, eager_retries, django_capture_on_commit_callbacks
):
    with SMTPSink(stall_after_data=True) as sink:
        use_smtp(settings, sink.port)
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(member)
        notification.refresh_from_db()
        assert len(sink.messages) == 1
        assert notification.status == Notification.Status.MAYBE_SENT
        assert notification.attempts == 1
        assert "may have accepted it" in notification.last_error
        assert "resend from admin" in notification.last_error

        # Nothing sends it again by itself: not the sweeper, however late.
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            notifications_sweep()
        notification.refresh_from_db()
        assert notification.status == Notification.Status.MAYBE_SENT
        assert len(sink.messages) == 1


def test_a_4xx_to_rcpt_is_retried_and_delivered_once(
    member, settings, eager_retries, django_capture_on_commit_callbacks
):
    with SMTPSink(rcpt_replies=["451 4.3.0 Try again later"]) as sink:
        use_smtp(settings, sink.port)
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(member)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert len(sink.messages) == 1


def test_a_refused_connection_is_retried_and_then_certainly_failed(
    member, settings, eager_retries, django_capture_on_commit_callbacks
):
    use_smtp(settings, _closed_port())
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(member)
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.status == Notification.Status.FAILED
    assert "ConnectionRefusedError" in notification.last_error


def test_a_resend_of_the_same_notification_carries_the_same_message_id(
    member, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://mentorship.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(member)
        _notify(member, key="delivery:2")
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_resend(notification=notification)

    first, other, resent = (m.message()["Message-ID"] for m in mail.outbox)
    assert resent == first
    assert first.startswith(f"<notification.{notification.pk}.")
    assert first.endswith("@mentorship.example.org>")
    assert other != first


def test_the_message_id_survives_the_trip_through_smtp(
    member, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://mentorship.example.org"
    with SMTPSink() as sink:
        use_smtp(settings, sink.port)
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(member)
    [message] = sink.messages
    assert f"Message-ID: <notification.{notification.pk}.".encode() in message
    assert b"@mentorship.example.org>" in message


def _row(member, key: str, status: str, **fields) -> Notification:
    return Notification.objects.create(
        kind="test_message",
        idempotency_key=key,
        recipient=member,
        to_email=member.email,
        context={"requested_by": "a test"},
        status=status,
        **fields,
    )


def test_staff_filter_the_log_to_the_emails_that_may_have_been_sent(client, staff, member):
    _row(member, "maybe", Notification.Status.MAYBE_SENT, last_error="The worker stopped.")
    _row(member, "failed", Notification.Status.FAILED)
    client.force_login(staff)
    response = client.get(CHANGELIST, {"status__exact": "maybe_sent"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Maybe sent" in html
    assert "1 notification" in html


def test_resending_an_email_that_may_have_been_sent_asks_staff_to_confirm_first(
    client, staff, member, django_capture_on_commit_callbacks
):
    maybe = _row(
        member,
        "maybe",
        Notification.Status.MAYBE_SENT,
        last_attempt_at=timezone.now(),
        last_error="The worker stopped while sending.",
    )
    failed = _row(member, "failed", Notification.Status.FAILED)
    client.force_login(staff)

    # The certainly-failed one goes at once; the maybe-sent one waits for a yes.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST, {"action": "resend_failed", "_selected_action": [maybe.pk, failed.pk]}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 selected email may already have been delivered" in html
    assert "The worker stopped while sending." in html
    assert member.email in html
    assert_valid_html(html, context="resend confirmation")
    failed.refresh_from_db()
    maybe.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert maybe.status == Notification.Status.MAYBE_SENT
    assert len(mail.outbox) == 1

    # The page's own form, as staff submit it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {
                "action": "resend_failed",
                "_selected_action": [maybe.pk],
                "confirm_duplicates": "yes",
            },
            follow=True,
        )
    assert "1 notification(s) queued again." in response.content.decode()
    maybe.refresh_from_db()
    assert maybe.status == Notification.Status.SENT
    assert len(mail.outbox) == 2


def test_a_maybe_sent_email_is_not_resent_without_staff_accepting_a_duplicate(member):
    maybe = _row(member, "maybe", Notification.Status.MAYBE_SENT)
    assert notification_resend(notification=maybe) is False
    maybe.refresh_from_db()
    assert maybe.status == Notification.Status.MAYBE_SENT
