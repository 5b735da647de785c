"""The pair workspace, for the two members of a released match.

Every view goes through `_get_pair_for_user`: a member of the pair, or staff holding the
`meetings.view_pair_workspace` permission (read only), gets the pair; anyone else gets 404,
so a URL tells an outsider nothing, not even that the pair exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.calendar import ics_calendar, ics_response
from core.text import day_in_year_text, day_text
from matching.models import Match
from matching.scoring import public_reasons

from . import services
from .forms import (
    ActionItemForm,
    CommentForm,
    ExpectationsForm,
    GoalForm,
    MeetingLogForm,
    MeetingPlanForm,
)
from .models import ActionItem, CalendarFeed, Expectations, Goal, GoalComment, Meeting
from .services import WorkspaceError

STAFF_VIEWER = "staff"
RECENT_MEETINGS = 5


def _get_pair_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> tuple[Match, str]:
    match = get_object_or_404(Match.objects.released().with_people(), pk=pk)
    role = services.member_role(match, request.user)
    if role is not None:
        return match, role
    if not write and request.user.has_perm("meetings.view_pair_workspace"):
        return match, STAFF_VIEWER
    raise Http404("No such mentorship.")


def _get_meeting(match: Match, meeting_pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.with_people(), pk=meeting_pk, match=match)


def _get_goal(match: Match, goal_pk: int) -> Goal:
    return get_object_or_404(Goal, pk=goal_pk, match=match)


def _workspace_url(match: Match) -> str:
    return reverse("meetings:workspace", kwargs={"pk": match.pk})


def _refused(request: HttpRequest, exc: Exception, form=None) -> None:
    """Show a refusal next to the form when there is one, else as a page message."""
    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    existing = getattr(exc, "meeting", None)
    if existing is not None:
        # The refusal names a meeting already in the schedule: link to it, where the member
        # can confirm it, log it as held or reschedule it.
        message = format_html(
            '{} <a href="{}">Open the meeting of {}</a>.',
            message,
            existing.get_absolute_url(),
            day_in_year_text(existing.starts_at),
        )
    if form is not None:
        form.add_error(None, message)
    else:
        messages.error(request, message)


def _pair_context(match: Match, role: str) -> dict:
    # Staff viewing the pair see it from the mentee's side, like the mentee's own page.
    partner = match.mentee if role == "mentor" else match.mentor
    return {
        "match": match,
        "cohort": match.cohort,
        "role": role,
        "is_member": role != STAFF_VIEWER,
        "is_mentee": role == "mentee",
        "is_active": match.status == Match.Status.APPROVED,
        "partner": partner,
        "partner_profile": getattr(partner.member, "profile", None),
    }


def _form_page(request, match, role, form, *, title, submit, intro="", back=None, danger=False):
    return render(
        request,
        "meetings/form.html",
        {
            **_pair_context(match, role),
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "back": back or _workspace_url(match),
            "danger": danger,
        },
    )


# ---------------------------------------------------------------------------------------------
# The workspace
# ---------------------------------------------------------------------------------------------


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    """The member's pairs: one for most, several for a mentor with more than one mentee."""
    pairs = list(
        Match.objects.released()
        .for_member(request.user)
        .with_people()
        .order_by("-cohort__period_start", "pk")
    )
    if len(pairs) == 1:
        return redirect(_workspace_url(pairs[0]))
    ledgers = services.ledgers_for(pairs)
    rows = []
    for pair in pairs:
        role = services.member_role(pair, request.user)
        partner = pair.mentor if role == "mentee" else pair.mentee
        rows.append({"match": pair, "role": role, "partner": partner, "ledger": ledgers[pair.pk]})
    return render(request, "meetings/workspace_list.html", {"rows": rows})


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk)
    now = timezone.now()
    meetings = Meeting.objects.for_match(match).with_people()
    held = list(meetings.held().order_by("-starts_at", "-pk")[:RECENT_MEETINGS])
    upcoming = list(meetings.upcoming(now))
    awaiting = []
    if role != STAFF_VIEWER:
        awaiting = list(
            meetings.held()
            .filter(confirmed_at=None)
            .exclude(logged_by=request.user)
            .order_by("starts_at")
        )
    goals = list(
        Goal.objects.for_match(match).annotate(
            # Distinct: the two joins (steps and comments) multiply each other's rows.
            steps=Count("action_items", distinct=True),
            steps_done=Count(
                "action_items", filter=Q(action_items__done_at__isnull=False), distinct=True
            ),
            comment_count=Count("comments", distinct=True),
        )
    )
    context = {
        **_pair_context(match, role),
        "ledger": services.ledger_for(match, now=now),
        "next_meeting": upcoming[0] if upcoming else None,
        "planned_count": len(upcoming),
        "recent_meetings": held,
        "awaiting": awaiting,
        "expectations": Expectations.objects.filter(match=match).first(),
        "goals": goals,
        "reasons": public_reasons(match.reasons),
        "resources": services.resources_for(match, role),
    }
    return render(request, "meetings/workspace.html", context)


# ---------------------------------------------------------------------------------------------
# Expectations and goals
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def expectations_edit(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    if role != "mentee":
        raise Http404("Only the mentee writes the expectations.")
    current = Expectations.objects.filter(match=match).first()
    # Initial values, not the instance: the form must not change the row the service compares.
    initial = model_to_dict(current, ExpectationsForm._meta.fields) if current else {}
    form = ExpectationsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.expectations_save(match=match, user=request.user, **form.cleaned_data)
        except WorkspaceError as exc:
            _refused(request, exc, form)
        else:
            messages.success(
                request, "Expectations saved. Your mentor is asked to acknowledge them."
            )
            return redirect(_workspace_url(match) + "#expectations")
    return _form_page(
        request,
        match,
        role,
        form,
        title="Your expectations",
        intro="Agree with your mentor how you work together. You write them; your mentor "
        "reads and acknowledges them. Changing them asks your mentor to acknowledge again.",
        submit="Save expectations",
    )


@login_required
@require_POST
def expectations_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    match, _ = _get_pair_for_user(request, pk, write=True)
    try:
        services.expectations_acknowledge(match=match, user=request.user)
    except WorkspaceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "You acknowledged the expectations.")
    return redirect(_workspace_url(match) + "#expectations")


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    if role != "mentee":
        raise Http404("Only the mentee edits goals.")
    goal = _get_goal(match, goal_pk) if goal_pk else None
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_save(
                match=match, user=request.user, goal=goal, **form.cleaned_data
            )
        except (WorkspaceError, ValidationError) as exc:
            _refused(request, exc, form)
        else:
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("meetings:goal", pk=match.pk, goal_pk=goal.pk)
    return _form_page(
        request,
        match,
        role,
        form,
        title="Change a goal" if goal else "Add a goal",
        intro=""
        if goal
        else "What do you want to achieve in this mentorship? Your mentor "
        "sees your goals and can comment on them.",
        submit="Save goal",
        back=reverse("meetings:goal", args=[match.pk, goal.pk]) if goal else None,
    )


@login_required
def goal_detail(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk)
    goal = get_object_or_404(
        Goal.objects.prefetch_related(
            "action_items",
            Prefetch("comments", queryset=GoalComment.objects.select_related("author")),
        ),
        pk=goal_pk,
        match=match,
    )
    return _goal_page(request, match, role, goal)


def _goal_page(request, match, role, goal, *, action_form=None, comment_form=None):
    """The goal with its action plan and comments; a form given here shows its errors."""
    return render(
        request,
        "meetings/goal.html",
        {
            **_pair_context(match, role),
            "goal": goal,
            "action_form": action_form or ActionItemForm(prefix="step"),
            "comment_form": comment_form or CommentForm(prefix="comment"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    goal = _get_goal(match, goal_pk)
    if request.method == "POST":
        try:
            services.goal_delete(goal=goal, user=request.user)
        except WorkspaceError as exc:
            _refused(request, exc)
            return redirect("meetings:goal", pk=match.pk, goal_pk=goal.pk)
        messages.success(request, f"Goal “{goal.title}” deleted.")
        return redirect(_workspace_url(match) + "#goals")
    return render(
        request,
        "meetings/confirm_delete.html",
        {
            **_pair_context(match, role),
            "title": "Delete this goal?",
            "what": f"“{goal.title}”, with its steps and comments",
            "back": reverse("meetings:goal", args=[match.pk, goal.pk]),
        },
    )


@login_required
@require_POST
def action_item_add(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    goal = _get_goal(match, goal_pk)
    form = ActionItemForm(request.POST, prefix="step")
    if form.is_valid():
        try:
            services.action_item_add(goal=goal, user=request.user, **form.cleaned_data)
        except WorkspaceError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Step added.")
            return redirect(reverse("meetings:goal", args=[match.pk, goal.pk]) + "#steps")
    return _goal_page(request, match, role, goal, action_form=form)


@login_required
@require_POST
def action_item_update(request: HttpRequest, pk: int, goal_pk: int, item_pk: int) -> HttpResponse:
    match, _ = _get_pair_for_user(request, pk, write=True)
    item = get_object_or_404(
        ActionItem.objects.select_related("goal__match"),
        pk=item_pk,
        goal__pk=goal_pk,
        goal__match=match,
    )
    try:
        if request.POST.get("action") == "delete":
            services.action_item_delete(item=item, user=request.user)
            messages.success(request, f"Step “{item.title}” removed.")
        else:
            done = request.POST.get("done") == "1"
            services.action_item_set_done(item=item, user=request.user, done=done)
            messages.success(
                request, f"Step “{item.title}” marked {'done' if done else 'not done'}."
            )
    except WorkspaceError as exc:
        _refused(request, exc)
    return redirect(reverse("meetings:goal", args=[match.pk, goal_pk]) + "#steps")


@login_required
@require_POST
def goal_comment(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    goal = _get_goal(match, goal_pk)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.goal_comment_add(goal=goal, user=request.user, body=form.cleaned_data["body"])
        except WorkspaceError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Comment added.")
        return redirect(reverse("meetings:goal", args=[match.pk, goal.pk]) + "#comments")
    return _goal_page(request, match, role, goal, comment_form=form)


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk)
    now = timezone.now()
    meetings = Meeting.objects.for_match(match).with_people()
    return render(
        request,
        "meetings/meeting_list.html",
        {
            **_pair_context(match, role),
            "upcoming": list(meetings.upcoming(now)),
            # Planned meetings whose time has passed wait to be marked held (or cancelled).
            "overdue": list(meetings.planned().filter(starts_at__lt=now).order_by("starts_at")),
            "held": list(meetings.held().order_by("-starts_at", "-pk")),
            "cancelled": list(
                meetings.filter(status=Meeting.Status.CANCELLED).order_by("-starts_at")
            ),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk)
    meeting = _get_meeting(match, meeting_pk)
    now = timezone.now()
    editable_until = services.meeting_editable_until(meeting)
    return render(
        request,
        "meetings/meeting.html",
        {
            **_pair_context(match, role),
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


def _meeting_form_view(request, pk, *, meeting_pk=None, kind: str) -> HttpResponse:
    """Plan, reschedule, log, mark held and change a log: one form flow, five services."""
    match, role = _get_pair_for_user(request, pk, write=True)
    meeting = _get_meeting(match, meeting_pk) if meeting_pk is not None else None
    form_class = MeetingPlanForm if kind in {"plan", "reschedule"} else MeetingLogForm
    initial = {}
    if kind in {"reschedule", "edit_log"}:
        # Initial values, not the instance: the service compares the row with the new values.
        initial = model_to_dict(meeting, form_class._meta.fields)
    elif kind == "mark_held":
        initial = {
            "starts_at": meeting.starts_at,
            "duration_minutes": meeting.duration_minutes,
            "format": meeting.format,
            "topics": meeting.agenda,
        }
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "plan":
                meeting = services.meeting_plan(match=match, user=request.user, **data)
            elif kind == "reschedule":
                meeting = services.meeting_plan(
                    match=match, user=request.user, meeting=meeting, **data
                )
            elif kind == "edit_log":
                meeting = services.meeting_log_update(meeting=meeting, user=request.user, **data)
            else:
                meeting = services.meeting_log(
                    match=match, user=request.user, meeting=meeting, **data
                )
        except (WorkspaceError, ValidationError) as exc:
            _refused(request, exc, form)
        else:
            messages.success(
                request,
                {
                    "plan": "Meeting planned. Add it to your calendar from its page.",
                    "reschedule": "Meeting rescheduled.",
                    "edit_log": "Meeting log updated.",
                    "log": "Meeting logged. Your partner is asked to confirm it.",
                    "mark_held": "Meeting logged. Your partner is asked to confirm it.",
                }[kind],
            )
            return redirect(meeting.get_absolute_url())
    titles = {
        "plan": ("Plan a meeting", "Plan meeting"),
        "reschedule": ("Reschedule the meeting", "Save changes"),
        "log": ("Log a meeting", "Log meeting"),
        "mark_held": ("Log this meeting as held", "Log meeting"),
        "edit_log": ("Change the meeting log", "Save changes"),
    }
    title, submit = titles[kind]
    intros = {
        "plan": "Times are in your own time zone; your partner sees them in theirs.",
        "log": "Log a meeting that took place during the mentorship period. If your partner "
        "already logged it, confirm theirs instead, so it counts once.",
        "mark_held": "Check the time and length, and note what you discussed.",
    }
    return _form_page(
        request,
        match,
        role,
        form,
        title=title,
        intro=intros.get(kind, ""),
        submit=submit,
        back=meeting.get_absolute_url() if meeting else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_form_view(request, pk, kind="plan")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_reschedule(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return _meeting_form_view(request, pk, meeting_pk=meeting_pk, kind="reschedule")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_form_view(request, pk, kind="log")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_mark_held(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return _meeting_form_view(request, pk, meeting_pk=meeting_pk, kind="mark_held")


@login_required
@require_http_methods(["GET", "POST"])
def meeting_log_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return _meeting_form_view(request, pk, meeting_pk=meeting_pk, kind="edit_log")


@login_required
@require_POST
def meeting_confirm(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, _ = _get_pair_for_user(request, pk, write=True)
    meeting = _get_meeting(match, meeting_pk)
    try:
        services.meeting_confirm(meeting=meeting, user=request.user)
    except WorkspaceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Thank you: the meeting is confirmed.")
    if request.POST.get("back") == "workspace":
        return redirect(_workspace_url(match) + "#awaiting")
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, _ = _get_pair_for_user(request, pk, write=True)
    meeting = _get_meeting(match, meeting_pk)
    try:
        services.meeting_cancel(meeting=meeting, user=request.user)
    except WorkspaceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Meeting cancelled. Let your partner know.")
    return redirect(meeting.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def meeting_delete(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk, write=True)
    meeting = _get_meeting(match, meeting_pk)
    if request.method == "POST":
        try:
            services.meeting_delete(meeting=meeting, user=request.user)
        except WorkspaceError as exc:
            _refused(request, exc)
            return redirect(meeting.get_absolute_url())
        messages.success(request, "Meeting deleted.")
        return redirect("meetings:meetings", pk=match.pk)
    return render(
        request,
        "meetings/confirm_delete.html",
        {
            **_pair_context(match, role),
            "title": "Delete this meeting?",
            "what": f"the {meeting.get_status_display().lower()} meeting of "
            + day_text(meeting.starts_at),
            "back": meeting.get_absolute_url(),
        },
    )


# ---------------------------------------------------------------------------------------------
# Calendar files and feeds
# ---------------------------------------------------------------------------------------------


@login_required
def meeting_ics(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match, role = _get_pair_for_user(request, pk)
    meeting = _get_meeting(match, meeting_pk)
    partner = match.mentor if role == "mentee" else match.mentee
    content = ics_calendar(
        [services.meeting_calendar_event(meeting, str(partner.member))], name="Mentorship meeting"
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
        partner = pair.mentor if services.member_role(pair, user) == "mentee" else pair.mentee
        names[pair.pk] = str(partner.member)
    # Held and cancelled meetings stay in the feed: a calendar app keeps the past and removes
    # a cancelled event only when the feed says so.
    meetings = Meeting.objects.filter(match__in=pairs).order_by("starts_at")
    events = [services.meeting_calendar_event(m, names[m.match_id]) for m in meetings]
    events += services.orientation_events({pair.cohort for pair in pairs})
    return ics_response(
        ics_calendar(events, name=f"Mentorship: {user.display_name}"), filename="mentorship.ics"
    )
