"""Two-step sign-in (allauth's MFA): members may turn it on; staff must have it when
STAFF_REQUIRE_MFA is on. Codes are computed from the secret as a phone would (tests/totp.py),
at a frozen moment so that the 30-second step cannot turn over mid-test."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.messages import get_messages

from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.test_settings_env import PRODUCTION_ENV, _django
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Five seconds into a 30-second step: the code of this moment holds for 25 more seconds.
MOMENT = datetime(2026, 11, 30, 12, 0, 5, tzinfo=UTC)
ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def _with_two_step(user, secret: str = SECRET):
    TOTP.activate(user, secret)
    return RecoveryCodes.activate(user).generate_codes()


def _password_step(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def _sign_in(client, user, code: str | None = None):
    """Through the sign-in pages, then the password once more, as a person does: allauth asks
    for it again before any change to how the account signs in."""
    _password_step(client, user)
    if code is not None:
        client.post(AUTHENTICATE, {"code": code})
    assert _signed_in(client)
    response = client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == 302


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Setting it up --------------------------------------------------------------------------


def test_a_member_sets_up_an_authenticator_app_with_a_code_from_the_secret(client, member, frozen):
    _sign_in(client, member)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Set up an authenticator app ·" in html
    secret = page.context["form"].secret
    assert f'<code class="totp-secret">{secret}</code>' in html
    assert 'src="data:image/svg+xml;base64,' in html

    response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get("/accounts/2fa/recovery-codes/")
    unused = RecoveryCodes(
        Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(unused) == 10
    assert all(f"<li>{code}</li>" in codes.content.decode() for code in unused)


def test_a_wrong_code_while_setting_up_turns_nothing_on_and_says_why(client, member, frozen):
    _sign_in(client, member)
    secret = client.get(ACTIVATE).context["form"].secret
    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"

    response = client.post(ACTIVATE, {"code": wrong})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Set up an authenticator app" in html
    assert "That code is not right." in html
    assert 'aria-invalid="true"' in html
    assert not Authenticator.objects.filter(user=member).exists()
    # The same secret is offered again, so the app the member already set up still works.
    assert response.context["form"].secret == secret


def test_the_profile_and_account_pages_lead_members_to_two_step_sign_in(client, member):
    client.force_login(member)
    assert 'href="/accounts/2fa/">two-step sign-in</a>' in client.get("/profile/").content.decode()
    page = client.get("/accounts/2fa/").content.decode()
    assert "Off: signing in asks for your password only." in page
    assert 'href="/accounts/2fa/totp/activate/"' in page


# --- Signing in -----------------------------------------------------------------------------


def test_signing_in_asks_for_a_code_after_the_password_and_accepts_the_right_one(
    client, member, frozen
):
    _with_two_step(member)
    response = _password_step(client, member)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert not _signed_in(client)
    page = client.get(AUTHENTICATE).content.decode()
    assert "Enter your sign-in code" in page

    response = client.post(AUTHENTICATE, {"code": totp_code(SECRET)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in(client)
    assert client.get("/").context["user"] == member


def test_a_wrong_code_does_not_sign_in_and_is_explained(client, member, frozen):
    _with_two_step(member)
    _password_step(client, member)
    code_of_a_minute_ago = totp_code(SECRET, at=(MOMENT - timedelta(minutes=1)).timestamp())

    response = client.post(AUTHENTICATE, {"code": code_of_a_minute_ago})

    assert response.status_code == 200
    html = response.content.decode()
    assert "That code is not right." in html
    assert "<title>Error: Enter your sign-in code" in html
    assert not _signed_in(client)


def test_a_code_is_good_for_one_sign_in_only(client, member, frozen):
    _with_two_step(member)
    _password_step(client, member)
    client.post(AUTHENTICATE, {"code": totp_code(SECRET)})
    assert _signed_in(client)
    client.logout()

    _password_step(client, member)
    response = client.post(AUTHENTICATE, {"code": totp_code(SECRET)})

    assert not _signed_in(client)
    assert "That code is not right." in response.content.decode()


def test_a_recovery_code_signs_in_once(client, member, frozen):
    codes = _with_two_step(member)
    _password_step(client, member)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert _signed_in(client)
    client.logout()

    _password_step(client, member)
    response = client.post(AUTHENTICATE, {"code": codes[0]})
    assert not _signed_in(client)
    assert "That code is not right." in response.content.decode()

    client.post(AUTHENTICATE, {"code": codes[1]})
    assert _signed_in(client)
    authenticator = Authenticator.objects.get(user=member, type="recovery_codes")
    assert len(RecoveryCodes(authenticator).get_unused_codes()) == len(codes) - 2


def test_guessing_codes_is_stopped_after_five_tries_with_a_clear_message(client, member, frozen):
    _with_two_step(member)
    _password_step(client, member)
    for guess in ["000000", "111111", "222222", "333333", "444444"]:
        client.post(AUTHENTICATE, {"code": guess})
    response = client.post(AUTHENTICATE, {"code": totp_code(SECRET)})
    assert "Too many failed login attempts." in response.content.decode()
    assert not _signed_in(client)


def test_repeated_wrong_passwords_are_paused_with_a_message_that_says_what_to_do(client, member):
    for _ in range(6):
        response = client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    html = response.content.decode()
    assert "signing in is paused for a few minutes" in html
    assert "reset your password if you have forgotten it" in html  # the way that needs no wait
    assert "<title>Error: Sign in" in html


# --- Staff ----------------------------------------------------------------------------------


def test_staff_without_a_second_factor_are_sent_to_set_one_up_when_it_is_required(client, settings):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory()
    _password_step(client, staff)
    for path in ["/admin/", "/admin/applications/application/", "/", "/profile/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE, path
    assert "Staff accounts need two-step sign-in." in _messages(response)[-1]
    # The account pages stay open: setting it up (after the password once more), the
    # password, signing out.
    response = client.get(ACTIVATE)
    assert response["Location"] == f"{REAUTHENTICATE}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    page = client.get(response["Location"]).content.decode()
    assert "we check that it is really you." in page
    assert "Enter your password:" in page
    response = client.post(
        REAUTHENTICATE, {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"}
    )
    assert response["Location"] == ACTIVATE
    assert client.get(ACTIVATE).status_code == 200
    assert client.get("/accounts/password/change/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 200


def test_staff_who_set_up_a_second_factor_reach_the_admin(client, settings, frozen):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory()
    _sign_in(client, staff)
    secret = client.get(ACTIVATE).context["form"].secret
    client.post(ACTIVATE, {"code": totp_code(secret)})
    codes = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert 'href="/admin/">I have kept them: continue</a>' in codes

    assert client.get("/admin/").status_code == 200


def test_staff_sign_in_with_a_code_and_then_reach_the_admin(client, settings, frozen):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory()
    _with_two_step(staff)
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    # The admin's own sign-in form would check the password alone: it sends people to ours.
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"

    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"].startswith(AUTHENTICATE)
    response = client.post(AUTHENTICATE, {"code": totp_code(SECRET)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_is_open_to_staff_without_a_second_factor_when_it_is_not_required(
    client, settings
):
    settings.STAFF_REQUIRE_MFA = False
    client.force_login(StaffFactory())
    assert client.get("/admin/").status_code == 200


def test_members_are_never_asked_for_a_second_factor(client, member, settings):
    settings.STAFF_REQUIRE_MFA = True
    client.force_login(member)
    assert client.get("/profile/").status_code == 200


def test_staff_cannot_turn_two_step_sign_in_off_while_it_is_required(client, settings, frozen):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory()
    _with_two_step(staff)
    _sign_in(client, staff, totp_code(SECRET))

    page = client.get("/accounts/2fa/totp/deactivate/")
    assert "Staff accounts must keep two-step sign-in on." in page.content.decode()
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=staff, type="totp").exists()


def test_a_member_can_turn_two_step_sign_in_off(client, member, frozen):
    _with_two_step(member)
    _sign_in(client, member, totp_code(SECRET))
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member).exists()


def test_the_admin_list_of_authenticators_never_shows_a_secret(client, staff):
    _with_two_step(UserFactory(first_name="Sofía", last_name="Someone"))
    client.force_login(staff)
    authenticator = Authenticator.objects.get(type="totp")
    for url in [
        "/admin/mfa/authenticator/",
        f"/admin/mfa/authenticator/{authenticator.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert "Sofía Someone" in response.content.decode()
        assert SECRET not in response.content.decode()


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "True"), ({"DEBUG": "1"}, "False"), ({"STAFF_REQUIRE_MFA": "0"}, "False")],
    ids=["production", "debug", "turned-off"],
)
def test_staff_require_a_second_factor_by_default_outside_debug(env, expected):
    code = "from django.conf import settings; print(settings.STAFF_REQUIRE_MFA)"
    result = _django(["shell", "-c", code], {**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
