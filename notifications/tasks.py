import logging
import smtplib

from celery import shared_task
from django.conf import settings

from .backends import MessageMaybeSent
from .services import (
    notification_claim,
    notification_is_still_due,
    notification_mark_cancelled,
    notification_mark_failed,
    notification_mark_maybe_sent,
    notification_mark_sent,
    notification_release_for_retry,
    notification_render,
    notifications_sweep,
)

logger = logging.getLogger(__name__)

# The error kept on the row for staff: enough to read the server's reply, not a whole traceback.
ERROR_MAX_LENGTH = 2000


def is_transient(exc: BaseException) -> bool:
    """Whether trying again later could succeed: 4xx replies and network trouble, not 5xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, (ConnectionError, TimeoutError, OSError))


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


# The attempt limit is kept on the row rather than in Celery's retry counter, because the
# sweeper may enqueue a fresh task for the same row and the limit must hold across both.
@shared_task(bind=True, max_retries=None, acks_late=True)
def send_notification(self, notification_id: int) -> str:
    notification = notification_claim(notification_id=notification_id)
    if notification is None:
        return "skipped"
    if not notification_is_still_due(notification=notification):
        notification_mark_cancelled(
            notification=notification, reason="No longer due when its turn came; not sent."
        )
        return "cancelled"
    try:
        notification_render(notification=notification).send()
    except MessageMaybeSent as exc:
        # The server may have stored it (a timeout waiting for its answer to DATA): sending it
        # again could deliver it twice, so a person decides.
        notification_mark_maybe_sent(notification=notification, error=str(exc))
        logger.warning("Notification %s may have been sent: %s", notification_id, exc)
        return "maybe sent"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        if is_transient(exc) and notification.attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
            notification_release_for_retry(notification=notification, error=error)
            raise self.retry(countdown=retry_delay(notification.attempts), exc=exc) from exc
        notification_mark_failed(notification=notification, error=error)
        logger.exception("Notification %s failed: %s", notification_id, error)
        return "failed"
    notification_mark_sent(notification=notification)
    return "sent"


@shared_task
def sweep_notifications() -> int:
    return notifications_sweep()
