"""Single sign-on through the association's OpenID Connect provider.

allauth runs the protocol (mentorship/settings.py configures the provider from the environment);
this adapter decides what the provider's claims mean here:

- the email links to an existing account only when the `email_verified` claim is exactly true;
- `given_name` and `family_name` fill an account's name where it has none;
- the member number claim (OIDC_MEMBER_NUMBER_CLAIM) links the membership through the same
  service as a member typing it (`membership_link`, which asks MEMBERSHIP_CHECKER), with the
  `family_name` claim as the last name. A number that does not link leaves the person signed
  in, unlinked, with a message saying why.
"""

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest

from .membership import MembershipError, membership_link
from .models import Membership

NAME_FIELDS = (("first_name", "given_name"), ("last_name", "family_name"))


def sso_claims(sociallogin: SocialLogin) -> dict[str, Any]:
    """The provider's claims: the ID token's, overridden by the userinfo endpoint's."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _claim_text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        """The provider the environment configures (mentorship/settings.py), never a SocialApp
        row: the configuration lives in one place, and no page asks the database for it."""
        configured = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
        apps = []
        for config in configured:
            app = SocialApp(
                provider="openid_connect",
                provider_id=config["provider_id"],
                name=config["name"],
                client_id=config["client_id"],
                secret=config["secret"],
                settings=dict(config["settings"]),
            )
            if provider not in (None, app.provider, app.provider_id):
                continue
            if client_id not in (None, app.client_id):
                continue
            apps.append(app)
        return apps

    def authenticate_by_email(self, sociallogin: SocialLogin):
        # allauth takes any truthy `email_verified` as verified; some providers send the string
        # "false". Only a JSON true may sign someone in to an account that has the address.
        if sso_claims(sociallogin).get("email_verified") is not True:
            for address in sociallogin.email_addresses:
                address.verified = False
        return super().authenticate_by_email(sociallogin)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        for field, claim in NAME_FIELDS:
            setattr(user, field, _claim_text(sso_claims(sociallogin), claim)[:150])
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """An existing account (found by its provider account or a verified email)."""
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing:
            user = sociallogin.user
            claims = sso_claims(sociallogin)
            empty = [field for field, _ in NAME_FIELDS if not getattr(user, field)]
            for field, claim in NAME_FIELDS:
                if field in empty:
                    setattr(user, field, _claim_text(claims, claim)[:150])
            if empty:
                user.save(update_fields=empty)
            self._link_membership(request, user=user, claims=claims)

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None):
        """A new account, created from the claims."""
        user = super().save_user(request, sociallogin, form)
        self._link_membership(request, user=user, claims=sso_claims(sociallogin))
        return user

    def _link_membership(self, request: HttpRequest, *, user, claims: dict[str, Any]) -> None:
        claim = settings.OIDC_MEMBER_NUMBER_CLAIM
        if not claim:
            return
        member_number = _claim_text(claims, claim)
        provider = settings.OIDC_NAME
        if not member_number:
            if not Membership.objects.filter(user=user).exists():
                messages.info(
                    request,
                    f"Your {provider} account did not give a member number. To apply, confirm "
                    "your membership on the membership page.",
                )
            return
        # No limit is counted: the number is the provider's word, not a guess typed here.
        try:
            membership_link(
                user=user,
                member_number=member_number,
                last_name=_claim_text(claims, "family_name") or user.last_name,
            )
        except MembershipError as exc:
            messages.warning(
                request,
                f"You are signed in, but your membership could not be confirmed from your "
                f"{provider} account (member number {member_number}): {exc}",
            )
