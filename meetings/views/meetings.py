"""A pair's schedule: the list, a meeting's page, planning and logging, confirming, cancelling
and deleting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.text import day_text

from .. import selectors, services
from ..forms import MeetingLogForm, MeetingPlanForm
from ..models import Meeting
from ..services import WorkspaceError
from .common import (
    STAFF_VIEWER,
    form_page,
    get_meeting,
    get_pair_for_user,
    pair_context,
    refused,
    workspace_url,
)


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk)
    now = timezone.now()
    # Every meeting of the pair is on this page: one query, split here (newest first, as the
    # model orders them) rather than one query per section.
    meetings = selectors.attach_people(match, Meeting.objects.for_match(match))
    planned = [m for m in reversed(meetings) if m.status == Meeting.Status.PLANNED]
    return render(
        request,
        "meetings/meeting_list.html",
        {
            **pair_context(match, role),
            "upcoming": [m for m in planned if m.starts_at >= now],
            # Planned meetings whose time has passed wait to be marked held (or cancelled).
            "overdue": [m for m in planned if m.starts_at < now],
            "held": [m for m in meetings if m.status == Meeting.Status.HELD],
            "cancelled": [m for m in meetings if m.status == Meeting.Status.CANCELLED],
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk)
    meeting = get_meeting(match, meeting_pk)
    now = timezone.now()
    editable_until = selectors.meeting_editable_until(meeting)
    return render(
        request,
        "meetings/meeting.html",
        {
            **pair_context(match, role),
            "meeting": meeting,
            "is_past": meeting.starts_at <= now,
            "can_edit_log": (
                meeting.status == Meeting.Status.HELD
                and meeting.logged_by_id == request.user.pk
                and editable_until is not None
                and now <= editable_until
            ),
            "editable_until": editable_until,
            "can_confirm": (
                role != STAFF_VIEWER
                and meeting.status == Meeting.Status.HELD
                and not meeting.is_confirmed
                and meeting.logged_by_id != request.user.pk
            ),
        },
    )


def _meeting_form(request: HttpRequest, match, role, form, save, success: str, **page):
    """The plan and log pages' one flow: on a valid POST, `save` (a service) saves the meeting
    and the member goes to its page with `success`; on a GET, an invalid form or a refusal (shown
    on the form), the form page, titled and introduced by `page`."""
    if request.method == "POST" and form.is_valid():
        try:
            meeting = save(**form.cleaned_data)
        except (WorkspaceError, ValidationError) as exc:
            refused(request, exc, form)
        else:
            messages.success(request, success)
            return redirect(meeting.get_absolute_url())
    return form_page(request, match, role, form, **page)


# Planning ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    form = MeetingPlanForm(request.POST or None)
    return _meeting_form(
        request,
        match,
        role,
        form,
        lambda **data: services.meeting_plan(match=match, user=request.user, **data),
        "Meeting planned. Add it to your calendar from its page.",
        title="Plan a meeting",
        intro="Times are in your own time zone; your partner sees them in theirs.",
        submit="Plan meeting",
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_reschedule(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    # Initial values, not the instance: the service compares the row with the new values.
    initial = model_to_dict(meeting, MeetingPlanForm._meta.fields)
    form = MeetingPlanForm(request.POST or None, initial=initial)
    return _meeting_form(
        request,
        match,
        role,
        form,
        lambda **data: services.meeting_plan(
            match=match, user=request.user, meeting=meeting, **data
        ),
        "Meeting rescheduled.",
        title="Reschedule the meeting",
        submit="Save changes",
        back=meeting.get_absolute_url(),
    )


# Logging -------------------------------------------------------------------------------------

LOGGED = "Meeting logged. Your partner is asked to confirm it."


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    form = MeetingLogForm(request.POST or None)
    return _meeting_form(
        request,
        match,
        role,
        form,
        lambda **data: services.meeting_log(match=match, user=request.user, **data),
        LOGGED,
        title="Log a meeting",
        intro="Log a meeting that took place during the mentorship period. If your partner "
        "already logged it, confirm theirs instead, so it counts once.",
        submit="Log meeting",
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_mark_held(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    initial = {
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "format": meeting.format,
        "topics": meeting.agenda,
    }
    form = MeetingLogForm(request.POST or None, initial=initial)
    return _meeting_form(
        request,
        match,
        role,
        form,
        lambda **data: services.meeting_log(
            match=match, user=request.user, meeting=meeting, **data
        ),
        LOGGED,
        title="Log this meeting as held",
        intro="Check the time and length, and note what you discussed.",
        submit="Log meeting",
        back=meeting.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    # Initial values, not the instance: the service compares the row with the new values.
    initial = model_to_dict(meeting, MeetingLogForm._meta.fields)
    form = MeetingLogForm(request.POST or None, initial=initial)
    return _meeting_form(
        request,
        match,
        role,
        form,
        lambda **data: services.meeting_log_update(meeting=meeting, user=request.user, **data),
        "Meeting log updated.",
        title="Change the meeting log",
        submit="Save changes",
        back=meeting.get_absolute_url(),
    )


# Confirming, cancelling, deleting ------------------------------------------------------------


@login_required
@require_POST
def meeting_confirm(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, _ = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    try:
        services.meeting_confirm(meeting=meeting, user=request.user)
    except WorkspaceError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Thank you: the meeting is confirmed.")
    if request.POST.get("back") == "workspace":
        return redirect(workspace_url(match) + "#awaiting")
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, _ = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    try:
        services.meeting_cancel(meeting=meeting, user=request.user)
    except WorkspaceError as exc:
        refused(request, exc)
    else:
        messages.success(request, "Meeting cancelled. Let your partner know.")
    return redirect(meeting.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def meeting_delete(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    meeting = get_meeting(match, meeting_pk)
    if request.method == "POST":
        try:
            services.meeting_delete(meeting=meeting, user=request.user)
        except WorkspaceError as exc:
            refused(request, exc)
            return redirect(meeting.get_absolute_url())
        messages.success(request, "Meeting deleted.")
        return redirect("meetings:meetings", pk=match.pk)
    return render(
        request,
        "meetings/confirm_delete.html",
        {
            **pair_context(match, role),
            "title": "Delete this meeting?",
            "what": f"the {meeting.get_status_display().lower()} meeting of "
            + day_text(meeting.starts_at),
            "back": meeting.get_absolute_url(),
        },
    )
