from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> "NotificationQuerySet":
        return self.filter(status=Notification.Status.PENDING)

    def stale_pending(self, *, now: datetime, grace: timedelta) -> "NotificationQuerySet":
        """Pending rows nobody has touched for a while: their task was lost or never published."""
        cutoff = now - grace
        return (
            self.pending()
            .filter(created_at__lt=cutoff)
            .filter(models.Q(last_attempt_at__isnull=True) | models.Q(last_attempt_at__lt=cutoff))
        )

    def stuck_sending(self, *, now: datetime, timeout: timedelta) -> "NotificationQuerySet":
        return self.filter(status=Notification.Status.SENDING, last_attempt_at__lt=now - timeout)


class Notification(models.Model):
    """One email to one person, recorded before it is sent.

    The idempotency key names the event ("application-received:42"); the database refuses a
    second row with the same key, which is what makes "send it once" hold across retries,
    re-runs of periodic jobs and racing workers.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The mail server may have it: the connection failed after the whole message went out,
        # or the worker died mid-send. Never retried by itself; staff check and resend.
        MAYBE_SENT = "maybe_sent", "Maybe sent"
        # No longer due when its turn came (the announcement of a match that has ended).
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=100, help_text="Names the email's templates.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    to_email = models.EmailField()
    idempotency_key = models.CharField(max_length=255, unique=True)
    context = models.JSONField(default=dict, blank=True)
    # Files sent with the email, as text: [{"filename", "content", "mimetype"}] (calendar files).
    attachments = models.JSONField(default=list, blank=True)
    # A reminder the member may turn off; carries an unsubscribe link. Announcements and
    # account emails are not optional.
    optional = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email}"


class ReminderPreference(models.Model):
    """Whether a member wants the optional reminders; without a row, they do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    reminders_enabled = models.BooleanField("send me reminders", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reminders {'on' if self.reminders_enabled else 'off'} for {self.user}"
