"""Public pages kept in the cache for visitors who send no cookie at all.

The home page and a cohort's page are the same for every such visitor: no session (so no
member, no time zone of their own), no pending message, no form token. Rendering them anew on
each request cost several times the framework's own work, so their content is kept for
PUBLIC_PAGE_SECONDS. A visitor who sends any cookie (signed in, a message waiting, a form token)
always gets the page rendered for them. The apps whose data these pages show call
`public_pages_changed` when it changes (signals), so an edit shows at once; what depends on the
clock alone (a deadline passing) shows within PUBLIC_PAGE_SECONDS, as the key holds the time
slice. The deadlines themselves are enforced when a form is submitted, never by these pages.
"""

import functools
import hashlib
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

PUBLIC_PAGE_SECONDS = 30
_VERSION_KEY = "public-pages:version"


def public_pages_changed(**kwargs) -> None:
    """Forget every cached public page (a signal receiver, hence the keyword arguments)."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)


def _key(request: HttpRequest) -> str:
    version = cache.get(_VERSION_KEY) or "0"
    time_slice = int(timezone.now().timestamp()) // PUBLIC_PAGE_SECONDS
    path = hashlib.sha256(request.path.encode()).hexdigest()
    return f"public-page:{version}:{time_slice}:{path}"


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A query string (these pages take none) is rendered, not kept: otherwise anyone could
        # fill the cache with one entry per made-up query string.
        if request.method not in ("GET", "HEAD") or request.COOKIES or request.GET:
            return view(request, *args, **kwargs)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        # Anything for this visitor alone: a cookie set, a form token, a message to show next.
        messages = getattr(request, "_messages", None)
        personal = (
            bool(response.cookies)
            or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            or bool(messages is not None and messages._queued_messages)
        )
        if response.status_code == 200 and not response.streaming and not personal:
            cache.set(key, (response.content, response["Content-Type"]), PUBLIC_PAGE_SECONDS)
        return response

    return wrapper
