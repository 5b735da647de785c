"""The membership check is limited per account and per address, like allauth's sign-in."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from applications.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED_ACCOUNT = "Too many membership checks from your account. Try again in 15 minutes"
REFUSED_NETWORK = "Too many membership checks from your network. Try again in 15 minutes"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.MEMBERSHIP_CHECK_LIMIT_PER_ACCOUNT = 3
    settings.MEMBERSHIP_CHECK_LIMIT_PER_IP = 5
    settings.MEMBERSHIP_CHECK_WINDOW = 15 * 60


def _check(client, number="NOPE-1", last_name="Nonmember", ip="192.0.2.10"):
    return client.post(
        "/membership/", {"member_number": number, "last_name": last_name}, REMOTE_ADDR=ip
    )


def test_the_check_after_the_limit_is_refused_with_a_message_even_for_the_right_number(
    client, non_member
):
    MembershipFactory(member_number="A-777", last_name="Nonmember")
    client.force_login(non_member)
    for _ in range(3):
        assert "We could not find that member number" in _check(client).content.decode()
    response = _check(client, number="A-777")
    assert response.status_code == 429
    assert REFUSED_ACCOUNT in response.content.decode()
    assert 'value="A-777"' in response.content.decode()  # what was typed is kept
    assert Membership.objects.get(member_number="A-777").user is None


def test_another_account_from_another_address_is_not_affected(client, non_member):
    MembershipFactory(member_number="B-1", last_name="Other")
    client.force_login(non_member)
    for _ in range(4):
        _check(client)
    other = UserFactory(last_name="Other")
    client.force_login(other)
    response = _check(client, number="B-1", last_name="Other", ip="198.51.100.7")
    assert response.status_code == 302
    assert Membership.objects.get(member_number="B-1").user == other


def test_many_accounts_guessing_from_one_address_are_refused_past_the_address_limit(client):
    for _ in range(5):
        client.force_login(UserFactory())
        assert _check(client).status_code == 200
    client.force_login(UserFactory())
    response = _check(client)
    assert response.status_code == 429
    assert REFUSED_NETWORK in response.content.decode()


def test_checks_are_allowed_again_once_the_window_has_passed(client, non_member, settings):
    # Travelling in time moves this process's clock, not Redis's: count in memory here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client.force_login(non_member)
    for _ in range(4):
        _check(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _check(client)
    assert response.status_code == 200
    assert "We could not find that member number" in response.content.decode()


def test_a_limit_of_zero_turns_the_limit_off(client, non_member, settings):
    settings.MEMBERSHIP_CHECK_LIMIT_PER_ACCOUNT = 0
    settings.MEMBERSHIP_CHECK_LIMIT_PER_IP = 0
    client.force_login(non_member)
    for _ in range(10):
        assert _check(client).status_code == 200
