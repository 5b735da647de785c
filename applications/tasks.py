from celery import shared_task

from .reminders import deadline_reminder_send, deadline_reminders_due


# Hourly, from beat. Each reminder is its own task so that one bad row or a slow mail server
# holds up nobody else; the idempotency key makes a second run, or two at once, send nothing.
@shared_task
def send_deadline_reminders() -> int:
    due = deadline_reminders_due()
    for application_id, days in due:
        remind_deadline.delay(application_id, days)
    return len(due)


@shared_task(acks_late=True)
def remind_deadline(application_id: int, days: int) -> str:
    notification = deadline_reminder_send(application_id=application_id, days=days)
    return "skipped" if notification is None else "recorded"
