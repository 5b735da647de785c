from django.utils import timezone

from core.dates import member_zone


class MemberTimeZoneMiddleware:
    """Show every date and time in the signed-in member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(member_zone(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only, not to whatever the thread runs next.
            timezone.deactivate()
