from collections.abc import Callable

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SET_UP_MESSAGE = (
    "Staff accounts need two-step sign-in. Set up an authenticator app to continue: it takes "
    "a minute, and you will be asked for a code from it each time you sign in."
)


class StaffMFAMiddleware:
    """With STAFF_REQUIRE_MFA, a staff account without a second factor is sent to set one up.

    Staff see members' private data, in the admin and on the site's staff pages, so until the
    account has a second factor it reaches only allauth's account pages: setting one up,
    password and email, signing out. Members are never asked; they may turn it on themselves.
    The setting is read on each request, so tests can turn it on and off.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.STAFF_REQUIRE_MFA:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        # The account pages, wherever allauth's URLs are mounted (class views carry their
        # class's module).
        if getattr(view_func, "__module__", "").startswith("allauth."):
            return None
        if get_mfa_adapter().is_mfa_enabled(user):
            return None
        messages.warning(request, SET_UP_MESSAGE)
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
