"""Survey services: standard surveys for a cohort, opening surveys (invitations), emailing
invitations and reminders once each, and saving a member's answers.

Anonymity is kept in the writes: an anonymous survey's `Response` is created with no invitation
and no time, and the invitation learns only that its person answered (`responded_at`). Changing
an anonymous answer needs the edit token the member's browser holds (a signed cookie); the table
keeps only the token's hash, so the server cannot go from a person to their answers.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort
from matching.models import Match
from meetings.models import Meeting

from . import emails
from .models import Answer, Invitation, Question, Response, Role, Survey
from .survey_templates import STANDARD_SURVEYS

# Reminders: at most this many, spread evenly over the time the survey is open (a 21-day survey
# reminds on day 7 and day 14).
MAX_REMINDERS = 2
# A survey opened after its window is gone invites nobody; nor does a pulse for an old meeting.
POINTS_BY_PERIOD = (Survey.Point.ORIENTATION, Survey.Point.MIDPOINT, Survey.Point.END)


class SurveyError(Exception):
    """A survey can't be answered now (closed, already answered): the message says why."""


# ---------------------------------------------------------------------------------------------
# Setting up
# ---------------------------------------------------------------------------------------------


def survey_midpoint(cohort: Cohort) -> date:
    return cohort.period_start + (cohort.period_end - cohort.period_start) / 2


@transaction.atomic
def surveys_add_standard(*, cohort: Cohort) -> list[Survey]:
    """Give the cohort the standard midpoint and end-of-program surveys (editable copies);
    a survey of the same title and point already there is left as it is."""
    existing = set(Survey.objects.filter(cohort=cohort).values_list("title", "point"))
    added = []
    for template in STANDARD_SURVEYS:
        if (template["title"], template["point"]) in existing:
            continue
        fields = {key: value for key, value in template.items() if key != "questions"}
        survey = Survey.objects.create(
            cohort=cohort,
            opens_on=survey_midpoint(cohort) if template["point"] == "midpoint" else None,
            **fields,
        )
        Question.objects.bulk_create(
            Question(survey=survey, order=order, **question)
            for order, question in enumerate(template["questions"], start=1)
        )
        added.append(survey)
    return added


# ---------------------------------------------------------------------------------------------
# Opening: invitations for the members of released pairs
# ---------------------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8)))


def survey_opens_at(survey: Survey) -> datetime | None:
    """When a survey tied to the cohort's calendar opens (None for a pulse survey, which opens
    with each meeting, or before the orientation has a date)."""
    cohort = survey.cohort
    if survey.point == Survey.Point.ORIENTATION:
        return cohort.orientation_ends_at
    if survey.point == Survey.Point.MIDPOINT:
        return _start_of(survey.opens_on)
    if survey.point == Survey.Point.END:
        return _start_of(cohort.period_end)
    return None


def _audience_roles(survey: Survey) -> list[str]:
    if survey.audience == Survey.Audience.BOTH:
        return [Role.MENTOR, Role.MENTEE]
    return [survey.audience]


def _members(match: Match, roles: list[str]) -> list[tuple[str, int]]:
    people = {Role.MENTOR: match.mentor.member_id, Role.MENTEE: match.mentee.member_id}
    return [(role, people[role]) for role in roles]


def survey_invitations_create(*, now: datetime | None = None) -> int:
    """Create the invitations of every survey whose point has come and is still open, for the
    members (in its audience) of the cohort's active released pairs. Safe to run again: the
    database's unique constraints turn a second invitation into nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    surveys = Survey.objects.select_related("cohort").filter(
        cohort__period_start__lte=today + timedelta(days=1),
        cohort__period_end__gte=today - timedelta(days=366),
    )
    rows: list[Invitation] = []
    for survey in surveys:
        roles = _audience_roles(survey)
        window = timedelta(days=survey.open_days)
        pairs = Match.objects.for_cohort(survey.cohort).released().approved()
        pairs = pairs.select_related("mentor", "mentee")
        if survey.point == Survey.Point.AFTER_MEETING:
            meetings = Meeting.objects.filter(
                match__in=pairs,
                status=Meeting.Status.HELD,
                confirmed_at__gt=now - window,
                confirmed_at__lte=now,
            ).select_related("match__mentor", "match__mentee")
            for meeting in meetings:
                rows += [
                    Invitation(
                        survey=survey,
                        user_id=user_id,
                        match=meeting.match,
                        meeting=meeting,
                        role=role,
                        opens_at=meeting.confirmed_at,
                        closes_at=meeting.confirmed_at + window,
                    )
                    for role, user_id in _members(meeting.match, roles)
                ]
            continue
        opens_at = survey_opens_at(survey)
        if opens_at is None or not (opens_at <= now < opens_at + window):
            continue
        for match in pairs:
            rows += [
                Invitation(
                    survey=survey,
                    user_id=user_id,
                    match=match,
                    role=role,
                    opens_at=opens_at,
                    closes_at=opens_at + window,
                )
                for role, user_id in _members(match, roles)
            ]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def invitations_to_email(*, now: datetime | None = None) -> list[int]:
    """Open invitations not emailed yet, by id."""
    now = now or timezone.now()
    return list(
        Invitation.objects.filter(
            invited_at__isnull=True,
            responded_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def survey_invitation_send(*, invitation_id: int, now: datetime | None = None) -> bool:
    """Email one invitation, once: the conditional update claims it, the key guards the email."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation_id, invited_at__isnull=True).update(
            invited_at=now
        )
        if not claimed:
            return False
        invitation = Invitation.objects.select_related("survey__cohort", "user").get(
            pk=invitation_id
        )
        emails.survey_invitation_notify(invitation=invitation)
    return True


def _reminder_due(invitation: Invitation, now: datetime) -> int | None:
    """The number of the reminder due now (1 or 2), or None."""
    if invitation.responded_at is not None or invitation.invited_at is None:
        return None
    if invitation.reminders_sent >= MAX_REMINDERS or now >= invitation.closes_at:
        return None
    number = invitation.reminders_sent + 1
    gap = (invitation.closes_at - invitation.opens_at) / (MAX_REMINDERS + 1)
    return number if now >= invitation.opens_at + gap * number else None


def survey_reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    candidates = Invitation.objects.filter(
        responded_at__isnull=True,
        invited_at__isnull=False,
        reminders_sent__lt=MAX_REMINDERS,
        closes_at__gt=now,
    ).only("pk", "opens_at", "closes_at", "invited_at", "responded_at", "reminders_sent")
    return [inv.pk for inv in candidates.order_by("pk") if _reminder_due(inv, now) is not None]


def survey_reminder_send(*, invitation_id: int, now: datetime | None = None) -> bool:
    """Send the reminder due now, once: claimed by moving `reminders_sent` on from what was read."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_related("survey__cohort", "user")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return False
        number = _reminder_due(invitation, now)
        if number is None:
            return False
        claimed = Invitation.objects.filter(
            pk=invitation.pk, reminders_sent=number - 1, responded_at__isnull=True
        ).update(reminders_sent=number)
        if not claimed:
            return False
        emails.survey_reminder_notify(invitation=invitation, number=number)
    return True


# ---------------------------------------------------------------------------------------------
# Answering
# ---------------------------------------------------------------------------------------------


def edit_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def anonymous_response_for(invitation: Invitation, token: str | None) -> Response | None:
    """The anonymous response the browser's edit token opens, if any."""
    if not token:
        return None
    return Response.objects.filter(
        survey_id=invitation.survey_id, invitation=None, edit_token_hash=edit_token_hash(token)
    ).first()


def invitation_is_open(invitation: Invitation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return invitation.opens_at <= now < invitation.closes_at


@dataclass
class Saved:
    response: Response
    edit_token: str  # empty unless a new anonymous response was made


def _answer_fields(question: Question, value) -> dict | None:
    """The Answer's columns for a cleaned value, or None for an optional question left blank."""
    if value in (None, "", []):
        return None
    if question.kind in {Question.Kind.SCALE, Question.Kind.RECOMMEND}:
        return {"number": int(value), "choices": [], "text": ""}
    if question.kind == Question.Kind.SINGLE:
        return {"number": None, "choices": [value], "text": ""}
    if question.kind == Question.Kind.MULTIPLE:
        return {"number": None, "choices": list(value), "text": ""}
    return {"number": None, "choices": [], "text": value}


@transaction.atomic
def survey_response_save(
    *,
    invitation_id: int,
    answers: dict[int, object],
    edit_token: str | None = None,
    now: datetime | None = None,
) -> Saved:
    """Save or change a member's answers (`answers`: question id -> cleaned value).

    Confidential: the response hangs on the invitation. Anonymous: a first answer makes a
    response with no invitation and returns a new edit token for the browser; a change needs
    that token. Raises SurveyError when the survey is closed or the answer can't be changed.
    """
    now = now or timezone.now()
    # Locked, so two tabs submitting at once make one response, not two.
    invitation = (
        Invitation.objects.select_for_update().select_related("survey").get(pk=invitation_id)
    )
    survey = invitation.survey
    if not invitation_is_open(invitation, now):
        raise SurveyError("This survey is closed: answers can no longer be given or changed.")
    new_token = ""
    if not survey.is_anonymous:
        response, _ = Response.objects.get_or_create(invitation=invitation, survey=survey)
    elif invitation.responded_at is None:
        new_token = secrets.token_urlsafe(32)
        response = Response.objects.create(
            survey=survey, edit_token_hash=edit_token_hash(new_token)
        )
    else:
        response = anonymous_response_for(invitation, edit_token)
        if response is None:
            raise SurveyError(
                "You have already answered. Your answers are anonymous, so they can only be "
                "changed from the browser you answered in."
            )
    questions = {q.pk: q for q in Question.objects.filter(survey=survey)}
    for question_id, question in questions.items():
        fields = _answer_fields(question, answers.get(question_id))
        if fields is None:
            Answer.objects.filter(response=response, question=question).delete()
        else:
            # Changed in place: a new row would take a new, later id.
            Answer.objects.update_or_create(response=response, question=question, defaults=fields)
    if invitation.responded_at is None:
        invitation.responded_at = now
        invitation.save(update_fields=["responded_at"])
    return Saved(response=response, edit_token=new_token)
