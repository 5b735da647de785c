from celery import shared_task
from django.conf import settings
from django.utils import timezone

from cohorts.models import Cohort

from .emails import (
    orientation_cohorts_due,
    orientation_participant_ids,
    orientation_remind,
)
from .release import matches_release
from .runs import match_run_execute
from .selectors import cohorts_due_for_release


# The run is claimed with a conditional update (queued -> running), so a redelivered task
# finds it claimed and does nothing.
@shared_task(
    acks_late=True,
    soft_time_limit=settings.MATCHING_TIME_LIMIT - 30,
    time_limit=settings.MATCHING_TIME_LIMIT,
)
def run_matching(run_id: int) -> str:
    result = match_run_execute(run_id=run_id)
    return "skipped" if result is None else f"{len(result.pairs)} pairs"


# Releasing and announcing. Each email has its idempotency key, so every task here is safe to
# run twice, and each periodic job only finds what is due and queues one task per cohort, match
# or member.


@shared_task
def release_cohort_matches(cohort_id: int) -> int:
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    # Checked again here: the task may run late or twice, or staff may have moved the date.
    if cohort is None or cohort.match_notification_date > timezone.localdate():
        return 0
    return matches_release(cohort=cohort)


@shared_task
def release_due_matches() -> str:
    """Release the matches of every cohort whose match notification date has come. (A release
    records its announcements as it commits; the notifications sweeper sends any left pending.)"""
    cohort_ids = cohorts_due_for_release(today=timezone.localdate())
    for cohort_id in cohort_ids:
        release_cohort_matches.delay(cohort_id)
    return f"{len(cohort_ids)} cohorts to release"


@shared_task
def send_orientation_reminder(cohort_id: int, user_id: int) -> str:
    notification = orientation_remind(cohort_id=cohort_id, user_id=user_id)
    return "skipped" if notification is None else "recorded"


@shared_task
def send_orientation_reminders() -> int:
    """One reminder task per participant of each cohort whose orientation is within a day."""
    queued = 0
    for cohort_id in orientation_cohorts_due(now=timezone.now()):
        for user_id in orientation_participant_ids(cohort_id=cohort_id):
            send_orientation_reminder.delay(cohort_id, user_id)
            queued += 1
    return queued
