"""Recording and sending notifications. Every email the program sends goes through `notify`."""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification, ReminderPreference

logger = logging.getLogger(__name__)

TEMPLATE_DIR = "notifications/email"


class NotificationError(Exception):
    pass


# kind -> function(notification) -> (context, attachments) added when the email is rendered.
SendTimeParts = Callable[[Notification], tuple[dict, list[dict]]]
_send_time_parts: dict[str, SendTimeParts] = {}


def send_time_parts_register(*, kind: str, parts: SendTimeParts) -> None:
    """Have `parts` add to every `kind` email, when it is rendered, what its row must not store.

    The rows are the log staff read in admin; a pair's own words (a meeting's agenda and video
    link) are for staff trusted with the pair's workspace only, so such emails store an id and
    re-read the words at send time. Apps register in their `AppConfig.ready()`.
    """
    _send_time_parts[kind] = parts


def notify(
    *,
    kind: str,
    key: str,
    recipient=None,
    to_email: str = "",
    context: dict | None = None,
    attachments: list[dict] | None = None,
    optional: bool = False,
) -> Notification | None:
    """Record an email for sending once the caller's transaction commits.

    `key` is the idempotency key: calling again with a key already recorded returns the existing
    row and sends nothing more. `context` must be JSON-serialisable; the templates are rendered at
    send time from it, plus `recipient`, `site_url` and the program office's contact.
    `attachments` are text files: `{"filename", "content", "mimetype"}`.

    An `optional` email (a reminder) carries an unsubscribe link, and is not recorded at all,
    returning None, when the recipient has turned reminders off.
    """
    to_email = to_email or (recipient.email if recipient is not None else "")
    if not to_email:
        raise NotificationError("A notification needs a recipient or an address.")
    if optional and recipient is not None and not reminders_enabled_for(recipient):
        return None
    try:
        # The savepoint keeps the caller's transaction usable when the key already exists.
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                idempotency_key=key,
                recipient=recipient,
                to_email=to_email,
                context=context or {},
                attachments=attachments or [],
                optional=optional,
            )
    except IntegrityError:
        return Notification.objects.get(idempotency_key=key)
    transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return notification


@dataclass(frozen=True)
class Draft:
    """One email for `notify_many`: the arguments `notify` takes, recipient required."""

    kind: str
    key: str
    recipient: object
    context: dict
    optional: bool = False


def notify_many(drafts: list[Draft]) -> list[Notification]:
    """`notify` for many emails at once, in a constant number of queries.

    The same rules as `notify`: a key already recorded records nothing more, an optional email
    to a member who turned reminders off is not recorded at all, and each new row is handed to
    the task queue once the caller's transaction commits. Returns the rows recorded now.

    Queries: the reminder preferences, the keys already recorded, the insert (a few on SQLite,
    which caps the parameters per statement) and the read-back of the new rows' ids. Rows a
    racing writer inserted meanwhile are skipped by the unique key (`ignore_conflicts`); such a
    row may be enqueued twice, which sends it once: only one task can claim a pending row.
    """
    if not drafts:
        return []
    optional_ids = {d.recipient.pk for d in drafts if d.optional}
    reminders_off = set(
        ReminderPreference.objects.filter(
            user_id__in=optional_ids, reminders_enabled=False
        ).values_list("user_id", flat=True)
    )
    drafts = [d for d in drafts if not (d.optional and d.recipient.pk in reminders_off)]
    existing = set(
        Notification.objects.filter(idempotency_key__in=[d.key for d in drafts]).values_list(
            "idempotency_key", flat=True
        )
    )
    rows, seen = [], set(existing)
    for draft in drafts:
        if not draft.recipient.email:
            raise NotificationError("A notification needs a recipient or an address.")
        if draft.key in seen:
            continue
        seen.add(draft.key)
        rows.append(
            Notification(
                kind=draft.kind,
                idempotency_key=draft.key,
                recipient=draft.recipient,
                to_email=draft.recipient.email,
                context=draft.context,
                attachments=[],
                optional=draft.optional,
            )
        )
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    ids = dict(
        Notification.objects.filter(
            idempotency_key__in=[row.idempotency_key for row in rows]
        ).values_list("idempotency_key", "pk")
    )
    recorded = []
    for row in rows:
        if row.idempotency_key in ids:
            row.pk = ids[row.idempotency_key]
            recorded.append(row)
    new_ids = [row.pk for row in recorded]

    def enqueue() -> None:
        for notification_id in new_ids:
            notification_enqueue(notification_id=notification_id)

    transaction.on_commit(enqueue)
    return recorded


def notification_enqueue(*, notification_id: int) -> None:
    """Hand a notification to the task queue; if the broker is down, leave it for the sweeper."""
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:
        # This runs in on-commit hooks of web requests and of other tasks: the row is safely
        # recorded as pending, so a broker outage must not turn the request into an error.
        logger.exception(
            "Could not enqueue notification %s; the sweeper will retry", notification_id
        )


def notification_claim(*, notification_id: int) -> Notification | None:
    """Take the row for sending; None when it is not pending (sent, failed or taken by another)."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING
    ).update(status=Notification.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    if claimed != 1:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def notification_render(*, notification: Notification) -> EmailMultiAlternatives:
    unsubscribe_url = ""
    if notification.optional and notification.recipient is not None:
        unsubscribe_url = unsubscribe_url_for(notification.recipient)
    extra_context, extra_attachments = {}, []
    if notification.kind in _send_time_parts:
        extra_context, extra_attachments = _send_time_parts[notification.kind](notification)
    context = {
        **notification.context,
        **extra_context,
        "unsubscribe_url": unsubscribe_url,
        "recipient": notification.recipient,
        "site_url": settings.SITE_URL,
        "PROGRAM_NAME": settings.PROGRAM_NAME,
        "PROGRAM_OFFICE_NAME": settings.PROGRAM_OFFICE_NAME,
        "PROGRAM_OFFICE_EMAIL": settings.PROGRAM_OFFICE_EMAIL,
    }
    base = f"{TEMPLATE_DIR}/{notification.kind}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    text = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[settings.PROGRAM_OFFICE_EMAIL],
        headers={
            "Message-ID": notification_message_id(notification=notification),
            "X-Notification-Key": notification.idempotency_key,
        },
    )
    if unsubscribe_url:
        # One-click unsubscribe (RFC 8058): mail clients offer it next to the sender's name.
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach_alternative(html, "text/html")
    for attachment in [*notification.attachments, *extra_attachments]:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def notification_message_id(*, notification: Notification) -> str:
    """The same Message-ID every time this row is sent, so a receiver can drop a duplicate.

    Derived from the row and its key, under the site's own domain (from SITE_URL).
    """
    key_digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:16]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification.{notification.pk}.{key_digest}@{domain}>"


# ---------------------------------------------------------------------------------------------
# Reminder preferences and the unsubscribe link
# ---------------------------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def reminders_enabled_for(user) -> bool:
    return not ReminderPreference.objects.filter(user=user, reminders_enabled=False).exists()


def reminders_set(*, user, enabled: bool) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(
        user=user, defaults={"reminders_enabled": enabled}
    )
    return preference


def unsubscribe_token(user) -> str:
    """A signed token naming the member: the link works without signing in, and only for them."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_for(token: str):
    """The member a token names, or None when it was not signed by us."""
    from django.contrib.auth import get_user_model

    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def unsubscribe_url_for(user) -> str:
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user)}
    )


# Some emails can stop being due between being recorded and being sent: the announcement of a
# match that ended in the meantime. The app that records such a kind registers a check for it
# (at start-up, in its AppConfig.ready) without this app depending on it; the send task asks
# the check right after claiming the row, and cancels the row instead of sending when it says no.
_STILL_DUE_CHECKS: dict[str, Callable[[Notification], bool]] = {}


def notification_still_due_register(*, kind: str, check: Callable[[Notification], bool]) -> None:
    _STILL_DUE_CHECKS[kind] = check


def notification_is_still_due(*, notification: Notification) -> bool:
    check = _STILL_DUE_CHECKS.get(notification.kind)
    return check is None or check(notification)


def notifications_cancel(*, keys: list[str], reason: str) -> int:
    """Cancel recorded emails not yet taken for sending; a row already sending or sent stays."""
    return Notification.objects.filter(
        idempotency_key__in=keys, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED, last_error=reason)


def notification_mark_cancelled(*, notification: Notification, reason: str) -> None:
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.CANCELLED, last_error=reason
    )


def notification_mark_sent(*, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def notification_release_for_retry(*, notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING).update(
        status=Notification.Status.PENDING, last_error=error
    )


def notification_mark_failed(*, notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.FAILED, last_error=error
    )


MAYBE_SENT_ADVICE = (
    "Not retried automatically, to avoid a duplicate email. Check with the recipient whether it "
    "arrived and resend from admin if it did not."
)


def notification_mark_maybe_sent(*, notification: Notification, error: str) -> None:
    """The mail server may have it: left for staff, with what happened and what to do."""
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.MAYBE_SENT, last_error=f"{error} {MAYBE_SENT_ADVICE}"
    )


def notification_resend(*, notification: Notification, allow_duplicate: bool = False) -> bool:
    """Staff put a failed notification back in the queue (admin action).

    A "maybe sent" row may already be in the recipient's mailbox; it goes again only when staff
    said a duplicate is acceptable (`allow_duplicate`). False when the row could not be resent.
    """
    resendable = [Notification.Status.FAILED]
    if allow_duplicate:
        resendable.append(Notification.Status.MAYBE_SENT)
    updated = Notification.objects.filter(pk=notification.pk, status__in=resendable).update(
        status=Notification.Status.PENDING, attempts=0, last_error=""
    )
    if updated:
        transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return bool(updated)


SWEEP_GRACE = timedelta(minutes=5)
SENDING_TIMEOUT = timedelta(minutes=30)
# Rows re-enqueued per sweep: after a long broker outage the backlog drains over a few sweeps
# instead of flooding the queue at once.
SWEEP_BATCH_SIZE = 1000


def notifications_sweep() -> int:
    """Re-enqueue pending rows whose task was lost; give up on rows stuck mid-send.

    A row stuck in "sending" may or may not have reached the mail server before its worker died
    (killed, out of memory, the machine restarted). Sending it again could deliver it twice, so
    it is marked "maybe sent" for staff to look at and resend by hand.
    """
    now = timezone.now()
    Notification.objects.stuck_sending(now=now, timeout=SENDING_TIMEOUT).update(
        status=Notification.Status.MAYBE_SENT,
        last_error=f"The worker stopped while sending. {MAYBE_SENT_ADVICE}",
    )
    ids = list(
        Notification.objects.stale_pending(now=now, grace=SWEEP_GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    for notification_id in ids:
        notification_enqueue(notification_id=notification_id)
    return len(ids)
