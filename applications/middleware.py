from django.utils import timezone

from mentorship.validators import zone_or_none

from .models import MemberProfile


class MemberTimeZoneMiddleware:
    """Show every date and time in the signed-in member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = (
                MemberProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
            )
            # A name that is no zone (stored before names were checked) shows the program's.
            zone = zone_or_none(name)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only, not to whatever the thread runs next.
            timezone.deactivate()
