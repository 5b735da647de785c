"""Calendar files: one meeting's, a member's secret feed of all their meetings and orientations,
and the page that shows (and renews) the feed's address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from cohorts.calendar import ics_calendar, ics_response
from matching.models import Match

from .. import selectors, services
from ..models import CalendarFeed, Meeting
from .common import get_meeting, get_pair_for_user


@login_required
def meeting_ics(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk)
    meeting = get_meeting(match, meeting_pk)
    partner = match.mentor if role == "mentee" else match.mentee
    content = ics_calendar(
        [selectors.meeting_calendar_event(meeting, str(partner.member))], name="Mentorship meeting"
    )
    return ics_response(content, filename=f"mentorship-meeting-{meeting.pk}.ics")


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_feed_reset(request.user)
        messages.success(
            request,
            "A new calendar address was made. The old one no longer works; "
            "subscribe again with the new one.",
        )
        return redirect("meetings:calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if feed is None:
        feed = services.calendar_feed_for(request.user)
    return render(
        request,
        "meetings/calendar.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url()), "feed": feed},
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's meetings and orientations as a subscribable calendar, behind a secret URL.

    Calendar apps cannot sign in, so the token in the URL is the only key; resetting it on the
    calendar page revokes the old address.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    user = feed.user
    if not user.is_active:
        raise Http404("No such calendar.")
    pairs = list(Match.objects.released().for_member(user).with_people())
    names = {}
    for pair in pairs:
        partner = pair.mentor if selectors.member_role(pair, user) == "mentee" else pair.mentee
        names[pair.pk] = str(partner.member)
    # Held and cancelled meetings stay in the feed: a calendar app keeps the past and removes
    # a cancelled event only when the feed says so.
    meetings = Meeting.objects.filter(match__in=pairs).order_by("starts_at")
    events = [selectors.meeting_calendar_event(m, names[m.match_id]) for m in meetings]
    events += selectors.orientation_events({pair.cohort for pair in pairs})
    return ics_response(
        ics_calendar(events, name=f"Mentorship: {user.display_name}"), filename="mentorship.ics"
    )
