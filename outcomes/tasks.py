from celery import shared_task
from django.utils import timezone

from .certificates import cohorts_due_for_closing, pair_close, pair_ids_to_close
from .surveys import (
    invitations_to_email,
    survey_invitation_send,
    survey_invitations_create,
    survey_reminder_send,
    survey_reminders_due,
)

# ---------------------------------------------------------------------------------------------
# Completion and certificates
# ---------------------------------------------------------------------------------------------


# Daily, from beat: every cohort whose closing day has come (and not long gone), one task per
# pair. Certificates are unique per pair and role and the closing emails keyed the same way,
# so running it again, or every day of the window, issues and sends nothing more.
@shared_task
def close_cohorts() -> int:
    count = 0
    for cohort_id in cohorts_due_for_closing(today=timezone.localdate()).values_list(
        "pk", flat=True
    ):
        for match_id in pair_ids_to_close(cohort_id=cohort_id):
            close_pair.delay(match_id)
            count += 1
    return count


@shared_task(acks_late=True)
def close_pair(match_id: int) -> str:
    return ", ".join(pair_close(match_id=match_id)) or "nothing new"


# ---------------------------------------------------------------------------------------------
# Surveys
# ---------------------------------------------------------------------------------------------


# Hourly, from beat. Opens the surveys whose point has come (the invitation rows, unique per
# person and survey or meeting), then fans out one task per email due; each task claims its
# invitation with a conditional update, so a second run, or two at once, sends nothing more.
@shared_task
def send_survey_invitations() -> int:
    survey_invitations_create()
    invitation_ids = invitations_to_email()
    for invitation_id in invitation_ids:
        invite_to_survey.delay(invitation_id)
    reminder_ids = survey_reminders_due()
    for invitation_id in reminder_ids:
        remind_survey.delay(invitation_id)
    return len(invitation_ids) + len(reminder_ids)


@shared_task(acks_late=True)
def invite_to_survey(invitation_id: int) -> str:
    return "recorded" if survey_invitation_send(invitation_id=invitation_id) else "skipped"


@shared_task(acks_late=True)
def remind_survey(invitation_id: int) -> str:
    return "recorded" if survey_reminder_send(invitation_id=invitation_id) else "skipped"
