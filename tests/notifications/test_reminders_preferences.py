"""Optional reminders: the unsubscribe link, the preference page, and attachments."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.services import (
    notify,
    reminders_enabled_for,
    reminders_set,
    unsubscribe_token,
)
from tests.browser import assert_valid_html

pytestmark = pytest.mark.django_db


def _remind(member, key="reminder:1", **kwargs):
    return notify(
        kind="test_message",
        key=key,
        recipient=member,
        context={"requested_by": "a test"},
        optional=True,
        **kwargs,
    )


def test_an_optional_email_carries_a_working_unsubscribe_link(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _remind(member)
    [email] = mail.outbox
    url = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert url in email.body
    assert url in email.alternatives[0][0]
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)  # no sign-in needed
    assert "Turn off reminders" in page.content.decode()
    assert reminders_enabled_for(member)  # a GET (a link preview) changes nothing
    client.post(path)
    assert not reminders_enabled_for(member)


def test_mail_clients_one_click_unsubscribe_needs_no_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(member)
    response = client.post(
        reverse("notifications:unsubscribe", args=[token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert not reminders_enabled_for(member)


def test_a_forged_or_altered_token_unsubscribes_nobody(client, member, outsider):
    token = unsubscribe_token(member)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(reverse("notifications:unsubscribe", args=[forged]))
    assert response.status_code == 404
    assert reminders_enabled_for(member)
    assert reminders_enabled_for(outsider)


def test_no_reminder_is_recorded_for_a_member_who_turned_them_off(
    member, django_capture_on_commit_callbacks
):
    reminders_set(user=member, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _remind(member) is None
        # Announcements are not optional: they still go.
        notify(kind="test_message", key="announcement:1", recipient=member, context={})
    assert [n.idempotency_key for n in Notification.objects.all()] == ["announcement:1"]
    [email] = mail.outbox
    assert "List-Unsubscribe" not in email.extra_headers
    assert "Stop these reminders" not in email.body


def test_members_turn_reminders_off_and_on_from_their_preferences(client, member):
    client.force_login(member)
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert_valid_html(page.content)
    client.post(url, {})
    assert not reminders_enabled_for(member)
    client.post(url, {"reminders_enabled": "on"})
    assert reminders_enabled_for(member)


def test_a_calendar_file_travels_with_the_email(member, django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="test_message",
            key="with-file:1",
            recipient=member,
            context={},
            attachments=[
                {"filename": "orientation.ics", "content": ics, "mimetype": "text/calendar"}
            ],
        )
    [email] = mail.outbox
    [(filename, content, mimetype)] = email.attachments
    assert (filename, content, mimetype) == ("orientation.ics", ics, "text/calendar")
