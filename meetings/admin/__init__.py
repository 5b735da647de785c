"""Staff oversight of pairs: hours, months met, progress, activity; meeting corrections.

What a pair writes stays private here: the admin shows dates, durations, formats and statuses,
and counts of goals, never agendas, notes, topics, next steps, video links or goal text. The
private columns are not even read (`defer`), so no page can leak them by accident. Staff who
hold `meetings.view_pair_workspace` get a link to the pair's workspace instead.
"""

from accounts import admin_privacy

from ..models import ActionItem, Expectations, Goal, GoalComment, Meeting
from .common import PRIVATE_MEETING_FIELDS, WORKSPACE_PERMISSION
from .meetings import MeetingAdmin
from .pairs import PairAdmin

__all__ = ["MeetingAdmin", "PairAdmin"]

# Nor searched or filtered on, from any list, by staff without the workspace permission.
admin_privacy.private_fields(WORKSPACE_PERMISSION, Meeting, PRIVATE_MEETING_FIELDS)
admin_privacy.private_fields(WORKSPACE_PERMISSION, Goal, ["title", "description"])
admin_privacy.private_fields(WORKSPACE_PERMISSION, ActionItem, ["title"])
admin_privacy.private_fields(WORKSPACE_PERMISSION, GoalComment, ["body"])
admin_privacy.private_fields(
    WORKSPACE_PERMISSION, Expectations, ["meeting_plan", "communication", "other"]
)
