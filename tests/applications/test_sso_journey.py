"""Single sign-on in Chromium, end to end against a real OpenID Connect provider on loopback."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from applications.models import Membership
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import MembershipFactory
from tests.oidc import CALLBACK_PATH, PROVIDER_NAME, oidc_provider, sso_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server, settings):
    with oidc_provider(redirect_uris=[f"{live_server.url}{CALLBACK_PATH}"]) as issuer:
        sso_settings(settings, issuer)
        yield issuer


def test_a_member_signs_in_with_the_association_and_lands_linked_and_named(
    page, live_server, provider
):
    MembershipFactory(member_number="SSO-1001", first_name="María", last_name="Okafor-Núñez")

    page.goto("/accounts/login/")
    assert_accessible(page, context="sign in, with single sign-on")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()

    # At the provider (oidc-provider's own development pages): sign in, then consent.
    _sign_in_at_provider(page, provider, "maria")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("You are signed in as")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page, context="home, signed in through the provider")

    user = User.objects.get(email="maria.sso@example.test")
    assert (user.first_name, user.last_name) == ("María", "Okafor-Núñez")
    assert Membership.objects.get(member_number="SSO-1001").user == user

    page.goto("/membership/")
    expect(page.get_by_text("SSO-1001")).to_be_visible()


def _sign_in_at_provider(page, provider: str, account: str) -> None:
    page.wait_for_url(re.compile(rf"^{re.escape(provider)}/interaction/"))
    page.get_by_placeholder("Enter any login").fill(account)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_provider_that_gives_no_email_asks_for_one_and_never_for_a_password(
    page, live_server, provider
):
    page.goto("/accounts/signup/")
    assert_accessible(page, context="sign up, with single sign-on")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    _sign_in_at_provider(page, provider, "quiet")

    expect(page.get_by_role("heading", name="Create account")).to_be_visible()
    expect(page.get_by_text(f"You signed in with {PROVIDER_NAME}")).to_be_visible()
    assert page.locator("input[type=password]").count() == 0
    assert_accessible(page, context="sign up after single sign-on")
    assert_valid_html(page.content(), context="sign up after single sign-on")

    field(page, "Email").fill("quinn@example.test")
    page.get_by_role("button", name="Create account").click()
    # An address the provider did not vouch for is verified by email, as at sign-up.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    user = User.objects.get(email="quinn@example.test")
    assert (user.first_name, user.last_name) == ("Quinn", "Quiet")
    assert not user.has_usable_password()


def test_the_pages_on_the_way_are_accessible(page, live_server, provider):
    for path, heading in [
        ("/accounts/oidc/association/login/", f"Sign in with {PROVIDER_NAME}"),
        ("/accounts/3rdparty/login/cancelled/", "Sign-in cancelled"),
        ("/accounts/3rdparty/login/error/", "Sign-in did not work"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_accessible(page, context=path)
