import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_member_signs_in_with_email_and_password(client, member):
    response = _login(client, member.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == member


def test_signing_in_ignores_the_case_of_the_email(client, member):
    response = _login(client, member.email.upper())
    assert response.status_code == 302


def test_an_unverified_member_cannot_sign_in_until_they_confirm(client):
    user = UserFactory(email="new@example.test", verified=False)
    response = _login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    [email] = mail.outbox
    assert email.to == ["new@example.test"]


def test_signup_creates_an_unverified_account_and_sends_a_link_on_site_url(client, settings):
    settings.SITE_URL = "https://mentorship.example.org"
    settings.ALLOWED_HOSTS = ["*"]  # as behind a proxy that passes any Host header on
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "José",
            "last_name": "Núñez",
            "email": "Student@Example.test",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
        HTTP_HOST="evil.example.com",
        SERVER_NAME="evil.example.com",
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "student@example.test"
    assert not EmailAddress.objects.get(user=user).verified
    [email] = mail.outbox
    link = re.search(r"https?://\S+", email.body).group(0)
    assert link.startswith("https://mentorship.example.org/accounts/confirm-email/")


def test_signup_refuses_an_address_already_registered_in_another_case(client, member):
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Maya",
            "last_name": "Member",
            "email": member.email.upper(),
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    # allauth does not reveal that the address exists: it sends that person a note instead.
    assert User.objects.count() == 1
    assert response.status_code == 302
    assert mail.outbox[0].to == [member.email]


def test_signup_keeps_what_was_typed_when_the_passwords_differ(client):
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Typed",
            "last_name": "Name",
            "email": "typed@example.test",
            "password1": "a-long-pass-phrase",
            "password2": "another-phrase",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "You must type the same password each time." in html
    assert 'value="typed@example.test"' in html
    assert User.objects.count() == 0


def test_repeated_failed_sign_ins_are_rate_limited(client, member):
    for _ in range(5):
        response = _login(client, member.email, "wrong-password")
        assert response.status_code == 200
        assert (
            "The email address and/or password you specified are not correct."
            in response.content.decode()
        )
    response = _login(client, member.email, "wrong-password")
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password is refused while the limit holds.
    response = _login(client, member.email)
    assert "_auth_user_id" not in client.session


def test_the_user_model_refuses_two_accounts_differing_only_in_case(member):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email=member.email.upper())


def test_the_staff_admin_is_closed_to_members(client, member):
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_reach_the_admin(client, staff):
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
