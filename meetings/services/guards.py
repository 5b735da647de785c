"""What every write to a pair's workspace checks first, and the lock that serialises them."""

from matching.models import Match

from ..models import Meeting
from ..selectors import member_role


class WorkspaceError(Exception):
    """A rule of the program refused the change; the message is shown to the member as is.

    `meeting` is the existing meeting a refusal is about (one already logged or planned at that
    time), so the page can link to it.
    """

    def __init__(self, message: str, *, meeting: Meeting | None = None):
        super().__init__(message)
        self.meeting = meeting


def require_active(match: Match) -> None:
    if match.status != Match.Status.APPROVED:
        raise WorkspaceError("This mentorship has ended; its workspace can no longer be changed.")


def require_role(match: Match, user, *roles: str) -> str:
    role = member_role(match, user)
    if role not in roles:
        who = " or ".join(roles)
        raise WorkspaceError(f"Only the {who} of this pair can do that.")
    return role


def lock_match(match: Match) -> Match:
    # Every change to a pair's meetings locks the pair's row first, so two members logging the
    # same meeting at once are serialised and the second sees the first one's log.
    return Match.objects.select_for_update().get(pk=match.pk)
