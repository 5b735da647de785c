"""Account journeys in a real browser, each page checked with axe as a person reaches it."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.browser import assert_accessible, field
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.totp import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link_in_last_email(prefix: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(rf"{re.escape(prefix)}\S+", body)
    assert match, f"no link starting {prefix} in:\n{body}"
    return match.group(0)


def test_a_visitor_signs_up_confirms_their_email_and_is_signed_in(page, live_server):
    page.goto("/")
    assert_accessible(page, context="home, signed out")
    page.get_by_role("link", name="Create account").first.click()
    expect(page.get_by_role("heading", name="Create account")).to_be_visible()
    assert_accessible(page, context="sign up")

    field(page, "First name").fill("Zoë-Ann")
    field(page, "Last name").fill("O'Neil")
    field(page, "Email").fill("student@example.test")
    field(page, "Password").fill("a-long-pass-phrase")
    field(page, "Password (again)").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert_accessible(page, context="verification sent")
    link = _link_in_last_email(f"{live_server.url}/accounts/confirm-email/")

    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    assert_accessible(page, context="confirm email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("You are signed in as")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert User.objects.get().emailaddress_set.get().verified


def test_a_member_who_forgot_their_password_resets_it_and_signs_in(page, live_server):
    UserFactory(email="forgetful@example.test")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page, context="password reset request")
    field(page, "Email").fill("forgetful@example.test")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()
    assert_accessible(page, context="password reset sent")

    page.goto(_link_in_last_email(f"{live_server.url}/accounts/password/reset/key/"))
    expect(page.get_by_role("heading", name="Change Password")).to_be_visible()
    assert_accessible(page, context="set new password")
    field(page, "New Password").fill("a-brand-new-phrase")
    field(page, "New Password (again)").fill("a-brand-new-phrase")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    page.goto("/accounts/login/")
    field(page, "Email").fill("forgetful@example.test")
    field(page, "Password").fill("a-brand-new-phrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in as forgetful@example.test")).to_be_visible()


def test_a_wrong_password_is_explained_and_the_email_kept(page):
    UserFactory(email="member@example.test")
    page.goto("/accounts/login/")
    field(page, "Email").fill("member@example.test")
    field(page, "Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(field(page, "Email")).to_have_value("member@example.test")
    assert_accessible(page, context="sign in with an error")


def test_signing_in_and_out_works_without_javascript(chromium_browser, live_server, settings):
    UserFactory(email="nojs@example.test")
    context = chromium_browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        field(page, "Email").fill("nojs@example.test")
        field(page, "Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("You are signed in as nojs@example.test")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")
        ).to_be_visible()
    finally:
        context.close()


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _set_up_authenticator_app(page) -> str:
    """From the set-up page's password check to the recovery codes; returns the secret."""
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page, context="confirm it is you")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    assert_accessible(page, context="set up an authenticator app")
    secret = page.locator(".totp-secret").inner_text()

    field(page, "Authenticator code").fill("000000" if totp_code(secret) != "000000" else "1")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code is not right.").first).to_be_visible()
    assert_accessible(page, context="set up, wrong code")

    field(page, "Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    assert_accessible(page, context="recovery codes")
    return secret


def test_a_member_turns_on_two_step_sign_in_and_then_signs_in_with_a_code(page, settings):
    # The code is computed here and checked by the server a moment later: a step of
    # tolerance keeps a code made in a step's last second good, as phones' clocks need too.
    settings.MFA_TOTP_TOLERANCE = 1
    member = UserFactory(email="careful@example.test")
    _sign_in(page, member.email)
    page.get_by_role("link", name="Profile").click()
    page.get_by_role("link", name="two-step sign-in").click()
    expect(page.get_by_text("Off: signing in asks for your password only.")).to_be_visible()
    assert_accessible(page, context="two-step sign-in, off")
    page.get_by_role("link", name="Set up an authenticator app").click()
    secret = _set_up_authenticator_app(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_text("On: signing in asks for a code from your app.")).to_be_visible()
    assert_accessible(page, context="two-step sign-in, on")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, member.email)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_accessible(page, context="enter your sign-in code")
    field(page, "Code").fill("123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right.").first).to_be_visible()
    assert_accessible(page, context="enter your sign-in code, wrong")
    field(page, "Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in as careful@example.test")).to_be_visible()


def test_staff_are_sent_to_set_up_two_step_sign_in_before_the_admin(page, settings):
    settings.STAFF_REQUIRE_MFA = True
    settings.MFA_TOTP_TOLERANCE = 1
    StaffFactory(email="office@example.test")
    page.goto("/admin/")
    field(page, "Email").fill("office@example.test")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Staff accounts need two-step sign-in.")).to_be_visible()
    _set_up_authenticator_app(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Program administration")).to_be_visible()
