"""Every email the outcomes app sends, each kind declared in one place: its kind, its
idempotency key, its context and the one call to `notify()` that records it.

Templates are `templates/notifications/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`.
"""

from django.conf import settings
from django.urls import reverse

from core.text import day_text, duration_text, first_name, moment_text
from matching.models import Match
from notifications.models import Notification
from notifications.services import notify, send_time_parts_register

from .certificate_document import (
    certificate_facts,
    certificate_filename,
    certificate_pdf,
    verification_url,
)
from .models import Certificate, Invitation, Role

# ---------------------------------------------------------------------------------------------
# Certificates: the cohort's closing message to each member, and a certificate staff issued
# as an exception. The PDF is rendered and attached when the email is sent (see
# `certificate_attachment_parts`): the row stores the certificate's id, never the file.
# ---------------------------------------------------------------------------------------------

COHORT_CLOSING = "cohort_closing"
CERTIFICATE_ISSUED = "certificate_issued"


def cohort_closing_key(match_id: int, role: str) -> str:
    """`cohort-closing:<match>:<role>`: one closing message per member of a pair."""
    return f"cohort-closing:{match_id}:{Role(role).value}"


def certificate_issued_key(certificate_id: int) -> str:
    return f"certificate-issued:{certificate_id}"


def cohort_closing_notify(
    *, match: Match, role: str, user, achievement, certificate: Certificate | None
) -> Notification | None:
    """The closing message: thanks, what the pair achieved, and the certificate if earned."""
    context = {
        "first_name": first_name(user),
        "cohort_name": match.cohort.name,
        "role": Role(role).label.lower(),
        "met": certificate is not None,
        "confirmed_hours": duration_text(achievement.confirmed_minutes) or "no time",
        "required_hours": duration_text(achievement.required_minutes),
        "meetings": achievement.meetings,
        "months_met": achievement.months_met,
        "months": achievement.months,
        "workspace_path": reverse("meetings:workspace", kwargs={"pk": match.pk}),
    }
    if certificate is not None:
        context |= {
            "certificate_id": certificate.pk,
            "verification_url": verification_url(certificate),
        }
    return notify(
        kind=COHORT_CLOSING, key=cohort_closing_key(match.pk, role), recipient=user, context=context
    )


def certificate_issued_notify(*, certificate: Certificate) -> Notification | None:
    if certificate.user is None:
        return None
    return notify(
        kind=CERTIFICATE_ISSUED,
        key=certificate_issued_key(certificate.pk),
        recipient=certificate.user,
        context={
            "first_name": first_name(certificate.user),
            "certificate_id": certificate.pk,
            "verification_url": verification_url(certificate),
            **certificate_facts(certificate),
        },
    )


def certificate_attachment_parts(notification: Notification) -> tuple[dict, list[dict]]:
    """The certificate's PDF, rendered as the email is sent; nothing once it is revoked."""
    certificate_id = notification.context.get("certificate_id")
    if certificate_id is None:
        return {}, []
    certificate = Certificate.objects.valid().filter(pk=certificate_id).first()
    if certificate is None:
        return {"certificate_revoked": True}, []
    attachment = {
        "filename": certificate_filename(certificate),
        "content": certificate_pdf(certificate),
        "mimetype": "application/pdf",
    }
    return {}, [attachment]


def register_hooks() -> None:
    """What outcomes' emails plug into notifications (called from outcomes/apps.py)."""
    for kind in (COHORT_CLOSING, CERTIFICATE_ISSUED):
        send_time_parts_register(kind=kind, parts=certificate_attachment_parts)


# ---------------------------------------------------------------------------------------------
# Surveys: an invitation when one opens for a member, and at most two reminders
# ---------------------------------------------------------------------------------------------

SURVEY_INVITATION = "survey_invitation"
SURVEY_REMINDER = "survey_reminder"


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
