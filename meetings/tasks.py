from celery import shared_task

from .digest import staff_digest_compute, staff_digest_is_empty
from .emails import month_key, staff_digest_notify, staff_digest_recipient_ids
from .reminders import (
    meeting_reminder_send,
    meeting_reminders_due,
    month_from_key,
    month_just_ended,
    pair_hour_reminders_send,
    pair_id_batches_for_month,
    pairs_hour_reminders_send,
)

# ---------------------------------------------------------------------------------------------
# Meeting reminders
# ---------------------------------------------------------------------------------------------


# Hourly, from beat. One task per member and meeting, so one bad row or a slow mail server
# holds up nobody else; the idempotency key makes a second run, or two at once, send nothing.
@shared_task
def send_meeting_reminders() -> int:
    due = meeting_reminders_due()
    for meeting_id, user_id in due:
        remind_meeting.delay(meeting_id, user_id)
    return len(due)


@shared_task(acks_late=True)
def remind_meeting(meeting_id: int, user_id: int) -> str:
    notification = meeting_reminder_send(meeting_id=meeting_id, user_id=user_id)
    return "skipped" if notification is None else "recorded"


# ---------------------------------------------------------------------------------------------
# Hour commitment
# ---------------------------------------------------------------------------------------------


# Monthly, from beat, on the 1st: the month that just ended, one task per batch of pairs. The
# finder reads ids a batch at a time, so its queries grow with pairs / batch size only; each
# batch's task records its pairs' emails in a fixed number of queries and hands each email to
# the workers to send; the idempotency keys make a re-run on any day of the month send nothing
# more.
@shared_task
def send_monthly_hour_reminders() -> int:
    month = month_just_ended()
    count = 0
    for ids in pair_id_batches_for_month(month=month):
        remind_pairs_hours.delay(ids, month_key(month))
        count += len(ids)
    return count


@shared_task(acks_late=True)
def remind_pairs_hours(match_ids: list[int], month: str) -> int:
    """Returns how many emails it recorded."""
    recorded = pairs_hour_reminders_send(match_ids=match_ids, month=month_from_key(month))
    return sum(len(kinds) for kinds in recorded.values())


# One pair: what the monthly job queued, one task per pair, before it took batches.
@shared_task(acks_late=True)
def remind_pair_hours(match_id: int, month: str) -> str:
    recorded = pair_hour_reminders_send(match_id=match_id, month=month_from_key(month))
    return ", ".join(recorded) or "nothing due"


# Weekly, from beat, on Monday. The digest is computed once here and handed to each staff
# member's task as JSON; a retried task sends the same content under the same key.
@shared_task
def send_staff_digest() -> int:
    digest = staff_digest_compute()
    if staff_digest_is_empty(digest):
        return 0
    user_ids = staff_digest_recipient_ids()
    for user_id in user_ids:
        send_staff_digest_to.delay(user_id, digest)
    return len(user_ids)


@shared_task(acks_late=True)
def send_staff_digest_to(user_id: int, digest: dict) -> str:
    notification = staff_digest_notify(user_id=user_id, digest=digest)
    return "skipped" if notification is None else "recorded"
