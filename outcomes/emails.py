"""Every email the outcomes app sends, each kind declared in one place: its kind, its
idempotency key, its context and the one call to `notify()` that records it.

Templates are `templates/notifications/email/<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`.
"""

from django.urls import reverse

from core.text import duration_text, first_name
from matching.models import Match
from notifications.models import Notification
from notifications.services import notify, send_time_parts_register

from .certificate_document import (
    certificate_facts,
    certificate_filename,
    certificate_pdf,
    verification_url,
)
from .models import Certificate, Role

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
