"""The pages of names and two-step sign-in, in each of their states, are valid HTML (the
browser journeys in test_journeys.py run axe on them)."""

from datetime import UTC, datetime

import pytest
import time_machine
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from tests.browser import assert_valid_html
from tests.factories import PASSWORD, StaffFactory
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, 5, tzinfo=UTC), tick=False):
        yield


def _pages(client, user, *, code: str | None = None) -> None:
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    if code:
        client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})


def _check(response, context: str) -> None:
    assert response.status_code == 200, context
    assert_valid_html(response.content, context=context)


def test_the_sign_up_and_profile_name_forms_with_errors_are_valid_html(client, member):
    _check(client.post("/accounts/signup/", {"first_name": "A\x00"}), "sign up, bad name")
    client.force_login(member)
    _check(client.post("/profile/name/", {"first_name": ""}), "profile, bad name")


def test_setting_up_two_step_sign_in_is_valid_html_at_every_step(client, member):
    _pages(client, member)
    _check(client.get("/accounts/2fa/"), "two-step sign-in, off")
    page = client.get("/accounts/2fa/totp/activate/")
    _check(page, "set up")
    secret = page.context["form"].secret
    _check(client.post("/accounts/2fa/totp/activate/", {"code": "000000"}), "set up, wrong code")
    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    _check(client.get("/accounts/2fa/"), "two-step sign-in, on")
    _check(client.get("/accounts/2fa/recovery-codes/"), "recovery codes")
    _check(client.get("/accounts/2fa/recovery-codes/generate/"), "new recovery codes")
    _check(client.get("/accounts/2fa/totp/deactivate/"), "turn off")


def test_signing_in_with_a_code_is_valid_html(client, member):
    TOTP.activate(member, SECRET)
    RecoveryCodes.activate(member)
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    _check(client.get("/accounts/2fa/authenticate/"), "enter your code")
    _check(client.post("/accounts/2fa/authenticate/", {"code": "12"}), "enter your code, wrong")
    # Later, before a change to how the account signs in: the password, or a code.
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(SECRET)})
    _check(client.get("/accounts/reauthenticate/"), "confirm it is you")
    _check(client.get("/accounts/2fa/reauthenticate/"), "confirm it is you with a code")


def test_a_staff_member_refused_turning_it_off_sees_valid_html(client, settings):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory()
    TOTP.activate(staff, SECRET)
    _pages(client, staff, code=totp_code(SECRET))
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert "Staff accounts must keep two-step sign-in on." in response.content.decode()
    _check(response, "turn off, refused")
