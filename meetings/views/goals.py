"""A pair's goals, each with its action plan (the mentee's) and comments (both members')."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import ActionItemForm, CommentForm, GoalForm
from ..models import ActionItem
from ..selectors import attach_people
from ..services import WorkspaceError
from .common import form_page, get_goal, get_pair_for_user, pair_context, refused, workspace_url


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int, goal_pk: int | None = None) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    if role != "mentee":
        raise Http404("Only the mentee edits goals.")
    goal = get_goal(match, goal_pk) if goal_pk else None
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_save(
                match=match, user=request.user, goal=goal, **form.cleaned_data
            )
        except (WorkspaceError, ValidationError) as exc:
            refused(request, exc, form)
        else:
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("meetings:goal", pk=match.pk, goal_pk=goal.pk)
    return form_page(
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
    match, role = get_pair_for_user(request, pk)
    return _goal_page(request, match, role, get_goal(match, goal_pk))


def _goal_page(request, match, role, goal, *, action_form=None, comment_form=None):
    """The goal with its action plan and comments; a form given here shows its errors."""
    prefetch_related_objects([goal], "action_items", "comments")
    # The comments' authors are the pair's members: taken from the pair, not joined in.
    attach_people(match, goal.comments.all(), fields=("author",))
    return render(
        request,
        "meetings/goal.html",
        {
            **pair_context(match, role),
            "goal": goal,
            "action_form": action_form or ActionItemForm(prefix="step"),
            "comment_form": comment_form or CommentForm(prefix="comment"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    goal = get_goal(match, goal_pk)
    if request.method == "POST":
        try:
            services.goal_delete(goal=goal, user=request.user)
        except WorkspaceError as exc:
            refused(request, exc)
            return redirect("meetings:goal", pk=match.pk, goal_pk=goal.pk)
        messages.success(request, f"Goal “{goal.title}” deleted.")
        return redirect(workspace_url(match) + "#goals")
    return render(
        request,
        "meetings/confirm_delete.html",
        {
            **pair_context(match, role),
            "title": "Delete this goal?",
            "what": f"“{goal.title}”, with its steps and comments",
            "back": reverse("meetings:goal", args=[match.pk, goal.pk]),
        },
    )


@login_required
@require_POST
def action_item_add(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    goal = get_goal(match, goal_pk)
    form = ActionItemForm(request.POST, prefix="step")
    if form.is_valid():
        try:
            services.action_item_add(goal=goal, user=request.user, **form.cleaned_data)
        except WorkspaceError as exc:
            refused(request, exc)
        else:
            messages.success(request, "Step added.")
            return redirect(reverse("meetings:goal", args=[match.pk, goal.pk]) + "#steps")
    return _goal_page(request, match, role, goal, action_form=form)


@login_required
@require_POST
def action_item_update(request: HttpRequest, pk: int, goal_pk: int, item_pk: int) -> HttpResponse:
    match, _ = get_pair_for_user(request, pk, write=True)
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
        refused(request, exc)
    return redirect(reverse("meetings:goal", args=[match.pk, goal_pk]) + "#steps")


@login_required
@require_POST
def goal_comment(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    goal = get_goal(match, goal_pk)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.goal_comment_add(goal=goal, user=request.user, body=form.cleaned_data["body"])
        except WorkspaceError as exc:
            refused(request, exc)
        else:
            messages.success(request, "Comment added.")
        return redirect(reverse("meetings:goal", args=[match.pk, goal.pk]) + "#comments")
    return _goal_page(request, match, role, goal, comment_form=form)
