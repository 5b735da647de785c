import logging
import smtplib
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages

logger = logging.getLogger(__name__)

MAIL_DOWN_MESSAGE = (
    "We could not send the email just now: our mail server did not answer. Your request is "
    "kept; try again in a few minutes (sign in to get a new confirmation link, or ask for the "
    "password reset again)."
)


class AccountAdapter(DefaultAccountAdapter):
    """Links in account emails point at SITE_URL, never at the request's Host header.

    A Host header is chosen by whoever sends the request; a password-reset link built from it
    could send a member's token to someone else's server.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Shown after too many wrong passwords (or two-step codes) for one address, or from one
        # network: what happened, how long it lasts, and the way out that needs no waiting.
        "too_many_login_attempts": (
            "Too many failed login attempts. For your account's safety, signing in is paused "
            "for a few minutes: try again later, or reset your password if you have forgotten "
            "it."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account emails go out while the member waits (they carry a link that must work at
        once); a mail server that is down or refuses gets the member a message, not an error
        page. Nothing is lost: the account or request stands and asking again sends a new
        link."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.exception("Account email %s could not be sent", template_prefix)
            request = getattr(self, "request", None)
            if request is not None:
                messages.error(request, MAIL_DOWN_MESSAGE)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return _on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _on_site(super().get_reset_password_from_key_url(key))


def _on_site(url: str) -> str:
    parts = urlsplit(url)
    return settings.SITE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


class MFAAdapter(DefaultMFAAdapter):
    """Two-step sign-in in the program's words; staff cannot turn it off while it is required."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff accounts must keep two-step sign-in on. To move it to a new phone, ask an "
            "administrator to delete your authenticator in the staff admin (MFA, "
            "Authenticators); you then set it up again when you next sign in."
        ),
        "incorrect_code": "That code is not right. Enter the code your authenticator app shows "
        "now (it changes every 30 seconds).",
        "unverified_email": "Confirm your email address first: two-step sign-in can be turned "
        "on once the address is confirmed.",
    }

    def get_totp_label(self, user) -> str:
        return user.email

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        user = authenticator.user
        return not (settings.STAFF_REQUIRE_MFA and user.is_staff)
