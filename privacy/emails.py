"""Every email the privacy app sends: for each kind, its key, who gets it and what it says."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify

ACCOUNT_DELETED = "account_deleted"
ACCOUNT_DELETED_KEY = "account-deleted"


def account_deleted_key(*, user_id: int, staff_id: int) -> str:
    # An account is deleted once; the key keeps a retried request from telling staff twice.
    return f"{ACCOUNT_DELETED_KEY}:{user_id}:{staff_id}"


def staff_tell_account_deleted(*, user_id: int, removed: dict[str, int]) -> list[Notification]:
    """Every active staff member is told a member deleted their account: by its number only
    (the name and address are gone), with what was removed and what stays."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")
    context = {
        "user_id": user_id,
        "removed": [f"{n} {kind.replace('_', ' ')}" for kind, n in removed.items() if n],
        "user_url": settings.SITE_URL + reverse("admin:accounts_user_change", args=[user_id]),
    }
    return [
        notify(
            kind=ACCOUNT_DELETED,
            key=account_deleted_key(user_id=user_id, staff_id=member.pk),
            recipient=member,
            context=context,
        )
        for member in staff
    ]
