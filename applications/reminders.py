"""Deadline reminders: when a draft is due one, and recording it at most once.

Beat runs `tasks.send_deadline_reminders` hourly; it finds the drafts due a reminder here and
queues one task each, which re-checks here and has `emails.member_remind_deadline` tell the
member.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cohorts.models import Cohort
from notifications.models import Notification, ReminderPreference

from .emails import deadline_reminder_key_expression, member_remind_deadline
from .models import Application


def deadline_reminder_days_due(*, deadline: datetime, now: datetime) -> int | None:
    """The nearest reminder offset (in days) whose moment has come, or None.

    With offsets 7 and 1, eight days before the deadline nothing is due, three days before the
    7-day reminder is, and twelve hours before only the 1-day one: a run after beat was down
    sends the nearest reminder, never a stale "7 days left" on top of it.
    """
    due = [
        days
        for days in settings.DEADLINE_REMINDER_DAYS
        if days > 0 and deadline - timedelta(days=days) <= now < deadline
    ]
    return min(due, default=None)


def deadline_reminders_due(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(application id, days) for every draft owed a deadline reminder now.

    A reminder is for drafts that existed when its moment came: a member who starts a draft
    two days before the deadline is not told "7 days left", only reminded the day before.
    Drafts already reminded at that offset, and members who turned reminders off, are left
    out here to spare the queue; the task and `notify` check both again. One query for the
    cohorts and one per cohort due, whatever the number of drafts.
    """
    now = now or timezone.now()
    offsets = [days for days in settings.DEADLINE_REMINDER_DAYS if days > 0]
    if not offsets:
        return []
    cohorts = Cohort.objects.open_for_applications(now).filter(
        application_deadline__lte=now + timedelta(days=max(offsets))
    )
    due = []
    for cohort in cohorts.only("pk", "application_deadline"):
        days = deadline_reminder_days_due(deadline=cohort.application_deadline, now=now)
        if days is None:
            continue
        already_recorded = Notification.objects.filter(
            idempotency_key=deadline_reminder_key_expression(
                application_id=OuterRef("pk"), days=days
            )
        )
        reminders_off = ReminderPreference.objects.filter(
            user=OuterRef("member"), reminders_enabled=False
        )
        ids = (
            Application.objects.for_cohort(cohort)
            .filter(
                status=Application.Status.DRAFT,
                created_at__lt=cohort.application_deadline - timedelta(days=days),
            )
            .exclude(Exists(already_recorded))
            .exclude(Exists(reminders_off))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        due.extend((application_id, days) for application_id in ids)
    return due


def deadline_reminder_send(
    *, application_id: int, days: int, now: datetime | None = None
) -> Notification | None:
    """Remind the member of a draft that the deadline is near, if it still is; at most once.

    Re-checks everything the finder saw, with the application row locked: a member submitting
    at this moment waits for the reminder to be recorded, or the reminder sees the submission.
    Returns None when nothing is due (submitted, deleted, deadline moved or passed, reminders
    turned off).
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None or application.status != Application.Status.DRAFT:
            return None
        cohort = application.cohort
        deadline = cohort.application_deadline
        if not cohort.applications_open_at <= now < deadline:
            return None
        # The task may run late, or staff may have moved the deadline: send only what is due
        # now, so that a queued "7 days" task arriving on the last day sends nothing.
        if deadline_reminder_days_due(deadline=deadline, now=now) != days:
            return None
        if application.created_at >= deadline - timedelta(days=days):
            return None
        return member_remind_deadline(application=application, days=days, now=now)
