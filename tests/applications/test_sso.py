"""Single sign-on through the association's OpenID Connect provider.

Against a real provider (oidc-provider from npm, started on loopback by tests/oidc/): our side
runs allauth's whole flow, the token exchange with the provider included; only the person at the
provider's pages is played by `sign_in_at_provider` instead of a browser (test_sso_journey.py
has Chromium do it).
"""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import User
from applications.models import Membership
from mentorship.settings import oidc_providers
from tests.browser import assert_valid_html
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.oidc import (
    CALLBACK_PATH,
    PROVIDER_NAME,
    oidc_provider,
    sign_in_at_provider,
    sso_settings,
)
from tests.test_settings_env import PRODUCTION_ENV, _django

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/oidc/association/login/"


@pytest.fixture(scope="module")
def issuer():
    with oidc_provider(redirect_uris=[f"http://testserver{CALLBACK_PATH}"]) as url:
        yield url


@pytest.fixture
def sso(settings, issuer):
    sso_settings(settings, issuer)
    return issuer


def _sign_in(client, account: str, *, next_url: str = ""):
    """Press "Sign in with ..." on our sign-in page, sign in at the provider, come back."""
    response = client.post(LOGIN_URL + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    back = sign_in_at_provider(response["Location"], account=account, back_to="http://testserver")
    return client.get(back.removeprefix("http://testserver"), follow=True)


def _signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_without_a_provider_nothing_about_single_sign_on_appears(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        issuer="", client_id="", secret="", name="", scopes=["openid"]
    )
    for path in ["/accounts/login/", "/accounts/signup/"]:
        page = client.get(path).content.decode()
        assert "Sign in with" not in page
        assert "/accounts/oidc/" not in page
        assert "Members of the association" not in page
    assert client.get(LOGIN_URL).status_code == 404
    assert client.post(LOGIN_URL).status_code == 404
    assert client.get(f"{LOGIN_URL}callback/?code=x&state=y").status_code == 404


def test_with_a_provider_sign_in_and_sign_up_offer_it_by_its_name(client, settings):
    sso_settings(settings, "https://sso.example.org")
    for path in ["/accounts/login/", "/accounts/signup/"]:
        response = client.get(path)
        page = response.content.decode()
        assert f"Sign in with {PROVIDER_NAME}" in page
        assert f'action="{LOGIN_URL}' in page
        assert_valid_html(response.content, context=path)
    # The password form is still there for everyone else.
    assert 'name="password"' in client.get("/accounts/login/").content.decode()


def test_a_provider_stored_in_the_database_is_never_offered(client, settings):
    sso_settings(settings, "https://sso.example.org")
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="rogue",
        name="Rogue Portal",
        client_id="rogue",
        settings={"server_url": "https://rogue.example.org"},
    )
    page = client.get("/accounts/login/").content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page
    assert "Rogue Portal" not in page
    assert client.post("/accounts/oidc/rogue/login/").status_code == 404


def test_the_pages_single_sign_on_can_reach_are_valid_html(client, settings):
    sso_settings(settings, "https://sso.example.org")
    pages = {LOGIN_URL: 200, "/accounts/3rdparty/login/cancelled/": 200}
    pages["/accounts/3rdparty/login/error/"] = 401  # allauth's status for a failed sign-in
    for path, status in pages.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert_valid_html(response.content, context=path)


def test_a_new_member_signs_in_with_the_provider_and_is_named_and_linked(client, sso):
    MembershipFactory(member_number="SSO-1001", first_name="María", last_name="Okafor-Núñez")

    response = _sign_in(client, "maria", next_url="/membership/")

    user = _signed_in_user(client)
    assert user is not None and user.email == "maria.sso@example.test"
    assert (user.first_name, user.last_name) == ("María", "Okafor-Núñez")
    assert not user.has_usable_password()  # nobody was asked for one
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(member_number="SSO-1001").user == user
    assert SocialAccount.objects.get(user=user).uid == "maria"
    assert response.redirect_chain[-1][0] == "/membership/"


def test_signing_in_again_finds_the_same_account(client, sso):
    MembershipFactory(member_number="SSO-1001", last_name="Okafor-Núñez")
    _sign_in(client, "maria")
    client.logout()

    _sign_in(client, "maria")

    assert _signed_in_user(client).email == "maria.sso@example.test"
    assert User.objects.count() == 1


def test_a_verified_email_signs_in_to_the_account_that_has_it_and_connects_it(client, sso):
    owner = UserFactory(email="owner@example.test", first_name="", last_name="")
    MembershipFactory(member_number="SSO-1003", last_name="Owner")

    _sign_in(client, "owner")

    assert _signed_in_user(client) == owner
    owner.refresh_from_db()
    assert (owner.first_name, owner.last_name) == ("Olu", "Owner")  # empty names filled
    assert SocialAccount.objects.get(uid="owner").user == owner
    assert Membership.objects.get(member_number="SSO-1003").user == owner
    assert owner.check_password(PASSWORD)  # a verified address keeps the password


def test_a_name_the_member_gave_is_kept(client, sso):
    owner = UserFactory(email="owner@example.test", first_name="Oluwaseun", last_name="Owner")
    _sign_in(client, "owner")
    owner.refresh_from_db()
    assert owner.first_name == "Oluwaseun"


def test_an_unverified_email_never_reaches_the_account_that_has_it(client, sso, mailoutbox):
    existing = UserFactory(email="taken@example.test")
    MembershipFactory(member_number="SSO-1002", last_name="Verified")

    _sign_in(client, "unverified")

    assert _signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1
    assert existing.check_password(PASSWORD)
    assert Membership.objects.get(member_number="SSO-1002").user is None
    # allauth tells the address's owner instead, as it does for a sign-up with a taken address.
    assert [message.to for message in mailoutbox] == [["taken@example.test"]]


def test_an_email_verified_claim_that_is_not_true_but_a_string_counts_as_unverified(client, sso):
    existing = UserFactory(email="taken@example.test")

    _sign_in(client, "stringly")  # email_verified: "false", which Python finds truthy

    assert _signed_in_user(client) is None
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_an_unknown_member_number_signs_in_without_a_membership_and_says_why(client, sso):
    response = _sign_in(client, "stranger")

    user = _signed_in_user(client)
    assert user is not None and user.email == "stranger@example.test"
    assert not Membership.objects.filter(user=user).exists()
    [warning] = [m for m in _messages(response) if "could not be confirmed" in m]
    assert "member number NO-SUCH-1" in warning
    assert "We could not find that member number" in warning
    assert "could not be confirmed" in response.content.decode()


def test_an_expired_membership_signs_in_without_it_and_says_when_it_ended(client, sso):
    ended = timezone.localdate() - timedelta(days=3)
    MembershipFactory(member_number="SSO-1005", last_name="Lapsed", expires_on=ended)

    response = _sign_in(client, "lapsed")

    user = _signed_in_user(client)
    assert user is not None
    assert Membership.objects.get(member_number="SSO-1005").user is None
    assert any("That membership expired on" in m for m in _messages(response))


def test_a_membership_linked_to_someone_else_stays_theirs(client, sso):
    holder = UserFactory(email="holder@example.test")
    MembershipFactory(member_number="SSO-1001", last_name="Okafor-Núñez", user=holder)

    response = _sign_in(client, "maria")

    assert _signed_in_user(client).email == "maria.sso@example.test"
    assert Membership.objects.get(member_number="SSO-1001").user == holder
    assert any("already linked to another account" in m for m in _messages(response))


def test_without_a_member_number_claim_configured_no_membership_is_linked(client, settings, issuer):
    sso_settings(settings, issuer, member_number_claim="")
    MembershipFactory(member_number="SSO-1001", last_name="Okafor-Núñez")

    _sign_in(client, "maria")

    assert _signed_in_user(client) is not None
    assert Membership.objects.get(member_number="SSO-1001").user is None


def test_an_issuer_without_its_client_stops_the_process_naming_what_is_missing():
    result = _django(["check"], {**PRODUCTION_ENV, "OIDC_ISSUER": "https://sso.example.org"})
    assert result.returncode != 0
    assert "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too" in result.stderr


def test_an_issuer_over_plain_http_is_refused_unless_it_is_this_machine():
    client = {"OIDC_CLIENT_ID": "site", "OIDC_CLIENT_SECRET": "secret"}
    remote = _django(
        ["check"], {**PRODUCTION_ENV, **client, "OIDC_ISSUER": "http://sso.example.org"}
    )
    assert remote.returncode != 0
    assert "OIDC_ISSUER must start with https://" in remote.stderr
    local = _django(["check"], {**PRODUCTION_ENV, **client, "OIDC_ISSUER": "http://127.0.0.1:9"})
    assert local.returncode == 0, local.stderr


def test_a_claim_setting_without_an_issuer_is_refused():
    result = _django(["check"], {**PRODUCTION_ENV, "OIDC_MEMBER_NUMBER_CLAIM": "member_number"})
    assert result.returncode != 0
    assert "need OIDC_ISSUER" in result.stderr


def test_a_current_membership_is_not_taken_for_expired(client, sso):
    MembershipFactory(
        member_number="SSO-1001", last_name="Okafor-Núñez", expires_on=date(2200, 1, 1)
    )
    _sign_in(client, "maria")
    assert Membership.objects.get(member_number="SSO-1001").user is not None
