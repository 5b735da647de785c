"""Writes to a pair's workspace, by what they change: `workspace` (expectations, goals, the
action plan, comments, calendar feeds) and `schedule` (meetings, and staff corrections of them).

Each write checks who may make it (`guards`) and raises `WorkspaceError` with a message the page
shows as is. Reads are in `meetings.selectors`; emails in `meetings.emails`.
"""

from .guards import WorkspaceError
from .schedule import (
    meeting_cancel,
    meeting_confirm,
    meeting_correct,
    meeting_delete,
    meeting_log,
    meeting_log_update,
    meeting_plan,
)
from .workspace import (
    action_item_add,
    action_item_delete,
    action_item_set_done,
    calendar_feed_for,
    calendar_feed_reset,
    expectations_acknowledge,
    expectations_save,
    goal_comment_add,
    goal_delete,
    goal_save,
)

__all__ = [
    "WorkspaceError",
    "action_item_add",
    "action_item_delete",
    "action_item_set_done",
    "calendar_feed_for",
    "calendar_feed_reset",
    "expectations_acknowledge",
    "expectations_save",
    "goal_comment_add",
    "goal_delete",
    "goal_save",
    "meeting_cancel",
    "meeting_confirm",
    "meeting_correct",
    "meeting_delete",
    "meeting_log",
    "meeting_log_update",
    "meeting_plan",
]
