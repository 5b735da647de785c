"""What every page shares: the favicon, and one vocabulary for signing in and creating accounts."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def test_every_page_names_its_icons(client, member):
    assert finders.find("favicon.svg")
    for path in ("/", "/accounts/login/"):
        html = client.get(path).content.decode()
        assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
        assert 'rel="icon" href="/static/favicon.svg" type="image/svg+xml"' in html
    client.force_login(member)
    assert 'rel="icon"' in client.get("/applications/").content.decode()


ALLAUTH_WORDS = ("Sign Up", "Sign In", "Signup", "Sign Out", "sign up")


def _main(response) -> str:
    return response.content.decode().split("<main")[1].split("</main>")[0]


def test_the_sign_in_page_says_sign_in_and_create_account_like_the_site(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert "<title>Sign in ·" in html
    main = _main(response)
    assert ">Sign in</h1>" in main
    assert '<a href="/accounts/signup/">Create an account</a>' in main
    assert "Sign in</button>" in main
    for word in ALLAUTH_WORDS:
        assert word not in html


def test_the_create_account_page_says_create_account_and_sign_in_like_the_site(client):
    response = client.get("/accounts/signup/")
    html = response.content.decode()
    assert "<title>Create account ·" in html
    main = _main(response)
    assert ">Create account</h1>" in main
    assert "Create account</button>" in main
    assert "Sign in</a>" in main
    for word in ALLAUTH_WORDS:
        assert word not in html


def test_the_sign_out_page_says_sign_out_like_the_header(client, member):
    client.force_login(member)
    response = client.get("/accounts/logout/")
    main = _main(response)
    assert ">Sign out</h1>" in main
    assert "Sign out</button>" in main
    for word in ALLAUTH_WORDS:
        assert word not in response.content.decode()


def test_a_password_reset_for_an_unknown_address_invites_to_create_an_account(client, settings):
    from django.core import mail

    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
    client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    [email] = mail.outbox
    assert "you can create an account using the link below" in email.body
    assert "sign up" not in email.body
