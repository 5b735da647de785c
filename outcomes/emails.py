"""Every email the outcomes app sends, each kind declared in one place: its kind, its idempotency
key, its context and the one call to `notify()` that records it.

Templates are `templates/notifications/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`.
"""

from django.conf import settings
from django.urls import reverse

from core.text import day_text, moment_text
from notifications.models import Notification
from notifications.services import notify

from .models import Invitation

SURVEY_INVITATION = "survey_invitation"
SURVEY_REMINDER = "survey_reminder"

# ---------------------------------------------------------------------------------------------
# Surveys: an invitation when one opens for a member, and at most two reminders
# ---------------------------------------------------------------------------------------------


def survey_invitation_key(*, invitation_id: int) -> str:
    return f"survey-invitation:{invitation_id}"


def survey_reminder_key(*, invitation_id: int, number: int) -> str:
    return f"survey-reminder:{invitation_id}:{number}"


def survey_context(invitation: Invitation) -> dict:
    survey = invitation.survey
    return {
        "survey_title": survey.title,
        "cohort_name": survey.cohort.name,
        "anonymous": survey.is_anonymous,
        "about_meeting": invitation.meeting_id is not None,
        "question_count": survey.questions.count(),
        "closes_label": moment_text(invitation.closes_at),
        "closes_day_label": day_text(invitation.closes_at),
        "survey_url": settings.SITE_URL
        + reverse("outcomes:survey_answer", kwargs={"pk": invitation.pk}),
    }


def survey_invitation_notify(*, invitation: Invitation) -> Notification | None:
    return notify(
        kind=SURVEY_INVITATION,
        key=survey_invitation_key(invitation_id=invitation.pk),
        recipient=invitation.user,
        context=survey_context(invitation),
    )


def survey_reminder_notify(*, invitation: Invitation, number: int) -> Notification | None:
    """A reminder is optional: not recorded at all for members who turned reminders off."""
    return notify(
        kind=SURVEY_REMINDER,
        key=survey_reminder_key(invitation_id=invitation.pk, number=number),
        recipient=invitation.user,
        context={**survey_context(invitation), "number": number},
        optional=True,
    )
