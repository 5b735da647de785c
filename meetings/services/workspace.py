"""Writes to a pair's expectations, goals, action plan and comments, and to calendar feeds.

The mentee owns the expectations, goals and action items; the mentor acknowledges and comments.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from matching.models import Match

from ..models import ActionItem, CalendarFeed, Expectations, Goal, GoalComment
from .guards import WorkspaceError, require_active, require_role

# ---------------------------------------------------------------------------------------------
# Expectations, goals, action items, comments
# ---------------------------------------------------------------------------------------------


def expectations_save(
    *, match: Match, user, meeting_plan: str, communication: str, other: str = ""
) -> Expectations:
    """The mentee writes the pair's expectations; a change asks the mentor to acknowledge again."""
    require_active(match)
    require_role(match, user, "mentee")
    now = timezone.now()
    expectations, created = Expectations.objects.get_or_create(
        match=match,
        defaults={
            "meeting_plan": meeting_plan,
            "communication": communication,
            "other": other,
            "updated_at": now,
            "updated_by": user,
        },
    )
    if created:
        return expectations
    changed = (expectations.meeting_plan, expectations.communication, expectations.other) != (
        meeting_plan,
        communication,
        other,
    )
    if changed:
        expectations.meeting_plan = meeting_plan
        expectations.communication = communication
        expectations.other = other
        expectations.updated_at = now
        expectations.updated_by = user
        expectations.acknowledged_at = None
        expectations.acknowledged_by = None
        expectations.save()
    return expectations


def expectations_acknowledge(*, match: Match, user) -> Expectations:
    require_active(match)
    require_role(match, user, "mentor")
    # Conditional update: an acknowledgement of text the mentee has since changed is refused.
    expectations = Expectations.objects.filter(match=match).first()
    if expectations is None:
        raise WorkspaceError("Your mentee has not written the expectations yet.")
    updated = Expectations.objects.filter(
        pk=expectations.pk, updated_at=expectations.updated_at, acknowledged_at=None
    ).update(acknowledged_at=timezone.now(), acknowledged_by=user)
    if not updated and expectations.acknowledged_at is None:
        raise WorkspaceError("Your mentee changed the expectations just now; read them again.")
    expectations.refresh_from_db()
    return expectations


def goal_save(
    *,
    match: Match,
    user,
    title: str,
    description: str = "",
    target_date: date | None = None,
    status: str = Goal.Status.NOT_STARTED,
    goal: Goal | None = None,
) -> Goal:
    require_active(match)
    require_role(match, user, "mentee")
    if goal is None:
        goal = Goal(match=match)
    elif goal.match_id != match.pk:
        raise WorkspaceError("That goal belongs to another pair.")
    goal.title = title
    goal.description = description
    goal.target_date = target_date
    goal.status = status
    goal.full_clean()
    goal.save()
    return goal


def goal_delete(*, goal: Goal, user) -> None:
    require_active(goal.match)
    require_role(goal.match, user, "mentee")
    goal.delete()


def action_item_add(*, goal: Goal, user, title: str, due_date: date | None = None) -> ActionItem:
    require_active(goal.match)
    require_role(goal.match, user, "mentee")
    title = title.strip()
    if not title:
        raise WorkspaceError("Describe the step in a few words.")
    return ActionItem.objects.create(goal=goal, title=title, due_date=due_date)


def action_item_set_done(*, item: ActionItem, user, done: bool) -> ActionItem:
    require_active(item.goal.match)
    require_role(item.goal.match, user, "mentee")
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    return item


def action_item_delete(*, item: ActionItem, user) -> None:
    require_active(item.goal.match)
    require_role(item.goal.match, user, "mentee")
    item.delete()


def goal_comment_add(*, goal: Goal, user, body: str) -> GoalComment:
    require_active(goal.match)
    require_role(goal.match, user, "mentor", "mentee")
    body = body.strip()
    if not body:
        raise WorkspaceError("Write a comment before sending it.")
    return GoalComment.objects.create(goal=goal, author=user, body=body)


# ---------------------------------------------------------------------------------------------
# Calendar feeds
# ---------------------------------------------------------------------------------------------


def calendar_feed_for(user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user)
