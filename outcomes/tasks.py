from celery import shared_task

from .surveys import (
    invitations_to_email,
    survey_invitation_send,
    survey_invitations_create,
    survey_reminder_send,
    survey_reminders_due,
)

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
