"""Account emails (address confirmation, password reset) go out while the member waits: when
the mail server is down, the member gets a clear message, the account is kept, and asking
again later works. Never a server error."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory
from tests.notifications.smtp_sink import SMTPSink, use_smtp

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Ana",
    "last_name": "Mentee",
    "email": "ana@example.test",
    "password1": "a-long-pass-phrase",
    "password2": "a-long-pass-phrase",
}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_signing_up_while_the_mail_server_is_down_keeps_the_account_and_says_so(client, settings):
    use_smtp(settings, closed_port())
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert User.objects.filter(email="ana@example.test").exists()
    assert any("could not send" in m for m in _messages(response))

    # A few minutes later, with the mail server back, signing in sends the link again.
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), SMTPSink() as sink:
        use_smtp(settings, sink.port)
        client.post(
            "/accounts/login/", {"login": "ana@example.test", "password": SIGNUP["password1"]}
        )
        assert any(b"ana@example.test" in message for message in sink.messages)


def test_a_password_reset_while_the_mail_server_is_down_says_so(client, settings):
    UserFactory(email="maya@example.test")
    use_smtp(settings, closed_port())
    response = client.post("/accounts/password/reset/", {"email": "maya@example.test"})
    assert response.status_code == 302
    assert any("could not send" in m for m in _messages(response))
