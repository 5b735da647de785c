"""What every workspace page shares: finding the pair for the user, refusals, the page frame."""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.access import access_record
from core.dates import program_zone
from core.models import AccessRecord
from core.statements import KeyedStatement
from core.text import day_in_year_text
from matching.models import Match

from ..models import Goal, Meeting
from ..selectors import attach_own_profile, attach_people, member_role

STAFF_VIEWER = "staff"


@functools.cache
def _pair_statement(related: tuple[str, ...]) -> KeyedStatement[Match]:
    """Every pair page's first query, with the related rows it reads, built once a process."""
    return KeyedStatement(
        lambda key: (
            Match.objects.released()
            .select_related("cohort", "mentor__member", "mentee__member", *related)
            .filter(pk=key)
        )
    )


def get_pair_for_user(
    request: HttpRequest, pk: int, *, write: bool = False, related: tuple[str, ...] = ()
) -> tuple[Match, str]:
    """The pair and the user's role in it, or 404. `related` names more rows to read in the
    same query (the workspace's partner profile and expectations)."""
    match = _pair_statement(related).get(pk)
    if match is None:
        raise Http404("No such mentorship.")
    attach_own_profile(match, request.user)
    role = member_role(match, request.user)
    if role is not None:
        return match, role
    if not write and request.user.has_perm("meetings.view_pair_workspace"):
        # Staff reading a pair's private workspace: every page they open is on the record.
        access_record(
            request=request,
            kind=AccessRecord.Kind.PAIR_WORKSPACE,
            description=f"Pair {match.pk}: {match} ({match.cohort})",
        )
        return match, STAFF_VIEWER
    raise Http404("No such mentorship.")


def get_meeting(match: Match, meeting_pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=meeting_pk, match=match)
    return attach_people(match, [meeting])[0]


def get_goal(match: Match, goal_pk: int) -> Goal:
    return get_object_or_404(Goal, pk=goal_pk, match=match)


def workspace_url(match: Match) -> str:
    return reverse("meetings:workspace", kwargs={"pk": match.pk})


def refused(request: HttpRequest, exc: Exception, form=None) -> None:
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


def pair_context(match: Match, role: str) -> dict:
    # Staff viewing the pair see it from the mentee's side, like the mentee's own page.
    partner = match.mentee if role == "mentor" else match.mentor
    return {
        "match": match,
        "cohort": match.cohort,
        "role": role,
        "is_member": role != STAFF_VIEWER,
        "is_mentee": role == "mentee",
        "is_active": match.status == Match.Status.APPROVED,
        # Meetings count only in the period: once it is over, one can still be logged (a
        # meeting held in the period), but none planned.
        "can_plan": match.status == Match.Status.APPROVED
        and timezone.localdate(timezone=program_zone()) <= match.cohort.period_end,
        "partner": partner,
    }


def form_page(
    request, match, role, form, *, title, submit, intro="", back=None, danger=False
) -> HttpResponse:
    return render(
        request,
        "meetings/form.html",
        {
            **pair_context(match, role),
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "back": back or workspace_url(match),
            "danger": danger,
        },
    )
