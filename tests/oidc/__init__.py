"""A real OpenID Connect provider for the single sign-on tests: oidc-provider (npm) on loopback.

`oidc_provider(redirect_uris=[...])` starts tests/oidc/provider.mjs with node and yields its
issuer URL; `sso_settings(settings, issuer)` points the site at it. `sign_in_at_provider` plays
the person at the provider without a browser: it follows the provider's pages, signs in as one of
the accounts in provider.mjs, consents, and returns the URL the provider sends them back to.
"""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings as django_settings

from mentorship.settings import oidc_providers
from tests.browser import require

PROVIDER_JS = Path(__file__).with_name("provider.mjs")
OIDC_PROVIDER_PACKAGE = django_settings.BASE_DIR / "node_modules" / "oidc-provider"
CLIENT_ID = "mentorship-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
PROVIDER_NAME = "Test Association"
CALLBACK_PATH = "/accounts/oidc/association/login/callback/"


@contextmanager
def oidc_provider(*, redirect_uris: list[str]) -> Iterator[str]:
    """Run the provider until the block ends; yields its issuer (http://127.0.0.1:<port>)."""
    node = shutil.which("node")
    require(node is not None, "node not found: apt-get install nodejs")
    require(OIDC_PROVIDER_PACKAGE.exists(), f"{OIDC_PROVIDER_PACKAGE} not found: run npm ci")
    env = {
        "PATH": "/usr/bin:/bin",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
    }
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [node, str(PROVIDER_JS)],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            # The provider prints its issuer once it accepts requests; nothing is waited for
            # by the clock.
            line = process.stdout.readline()
            if not line:
                process.wait(timeout=10)
                errors.seek(0)
                pytest.fail(f"the OpenID Connect provider did not start:\n{errors.read().decode()}")
            yield json.loads(line)["issuer"]
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


def sso_settings(settings, issuer: str, *, member_number_claim: str = "member_number") -> None:
    """Configure the site for the provider, as OIDC_* in the environment would."""
    scopes = ["openid", "email", "profile", "membership"]
    settings.OIDC_NAME = PROVIDER_NAME
    # allauth's 5 seconds for each call to the provider is short on a loaded two-core CI box.
    settings.SOCIALACCOUNT_REQUESTS_TIMEOUT = 30
    settings.OIDC_MEMBER_NUMBER_CLAIM = member_number_claim
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        issuer=issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET, name=PROVIDER_NAME, scopes=scopes
    )


class _FirstForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._done = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._done:
            return
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
        elif tag == "input" and self.action is not None and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self._done = True


def sign_in_at_provider(authorize_url: str, *, account: str, back_to: str) -> str:
    """Sign in at the provider as `account` and consent; the URL (starting `back_to`) it
    redirects to, carrying the code."""
    session = requests.Session()
    url, data = authorize_url, None
    for _ in range(12):
        response = session.request(
            "POST" if data is not None else "GET", url, data=data, allow_redirects=False, timeout=30
        )
        if response.is_redirect:
            url, data = urljoin(url, response.headers["Location"]), None
            if url.startswith(back_to):
                return url
            continue
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:500]}"
        form = _FirstForm()
        form.feed(response.text)
        assert form.action is not None, f"no form at {url}:\n{response.text[:500]}"
        data = form.fields
        if "login" in data:
            data.update(login=account, password="any password")
        url = urljoin(url, form.action)
    pytest.fail(f"the provider never sent {account} back to {back_to}")
