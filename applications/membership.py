"""Association membership: linking accounts to members, and who counts as a member.

Only association members may apply. Staff import the roster the association sends (roster.py);
a member then proves who they are by giving their member number and last name, which links their
account to one roster row. Where members are looked up is pluggable (``MEMBERSHIP_CHECKER``) so a
live lookup against the association's system can replace the imported table later.
"""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.forms import person_name_or_blank
from core.text import day_text, duration_text

from .models import Membership

NOT_FOUND_MESSAGE = (
    "We could not find that member number with that last name. "
    "Check your membership card or contact the program office."
)


class MembershipError(Exception):
    """A member-facing reason the membership cannot be linked; the message is shown as is."""


class MembershipCheckThrottled(MembershipError):
    """Too many membership checks from one account or one address; try again later."""


def membership_check_consume(*, user, ip: str) -> None:
    """Count one membership check against the account's and the address's limits.

    A check is a guess at a member number and last name, and the roster is the association's
    membership list: without a limit, a script could try thousands of pairs a minute. Like
    allauth's limit on failed sign-ins, the count is per account and per IP address, in the
    cache (shared by every web process on Redis), over a fixed window; past either limit the
    check is refused, whatever the guess, until the window ends. Counting every check rather
    than failures only means a burst sent at once cannot slip in before the failures count.
    A limit of 0 turns that limit off. If the cache does not answer (it fails open), nobody
    is refused.
    """
    window = settings.MEMBERSHIP_CHECK_WINDOW
    wait = duration_text(max(1, round(window / 60)))
    office = settings.PROGRAM_OFFICE_EMAIL
    limits = (
        (
            f"membership-check:user:{user.pk}",
            settings.MEMBERSHIP_CHECK_LIMIT_PER_ACCOUNT,
            f"Too many membership checks from your account. Try again in {wait}, or contact "
            f"the program office at {office}.",
        ),
        (
            f"membership-check:ip:{ip}",
            settings.MEMBERSHIP_CHECK_LIMIT_PER_IP,
            f"Too many membership checks from your network. Try again in {wait}, or contact "
            f"the program office at {office}.",
        ),
    )
    for key, limit, message in limits:
        if limit <= 0:
            continue
        # add() starts the window only if none is running; incr() keeps its expiry.
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between the two calls
            cache.set(key, 1, timeout=window)
            count = 1
        if isinstance(count, int) and count > limit:
            raise MembershipCheckThrottled(message)


@dataclass(frozen=True)
class MemberRecord:
    member_number: str
    email: str
    first_name: str
    last_name: str
    expires_on: date | None


class MembershipChecker(Protocol):
    def lookup(self, *, member_number: str, last_name: str) -> MemberRecord:
        """Return the member with this number and last name, or raise MembershipError."""
        ...


class RosterMembershipChecker:
    """Looks members up in the roster staff imported (the Membership table)."""

    def lookup(self, *, member_number: str, last_name: str) -> MemberRecord:
        member_number = member_number.strip()
        membership = (
            Membership.objects.filter(member_number__iexact=member_number).first()
            if member_number
            else None
        )
        # One message for an unknown number and for a wrong name, so the form cannot be used to
        # find out which member numbers exist.
        if membership is None or not _same_name(membership.last_name, last_name):
            raise MembershipError(NOT_FOUND_MESSAGE)
        return MemberRecord(
            member_number=membership.member_number,
            email=membership.email,
            first_name=membership.first_name,
            last_name=membership.last_name,
            expires_on=membership.expires_on,
        )


def _same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def get_membership_checker() -> MembershipChecker:
    path = getattr(settings, "MEMBERSHIP_CHECKER", None)
    checker_class = import_string(path) if path else RosterMembershipChecker
    return checker_class()


def membership_link(
    *, user, member_number: str, last_name: str, today: date | None = None
) -> Membership:
    """Link the user's account to the member with this number and last name.

    Raises MembershipError if no such member exists, the membership belongs to another account,
    or it has expired. A user who was linked to another member number is moved to this one.
    """
    today = today or timezone.localdate()
    checker = get_membership_checker()
    record = checker.lookup(member_number=member_number, last_name=last_name)
    record_values = {
        "email": record.email.lower(),
        "first_name": record.first_name,
        "last_name": record.last_name,
        "expires_on": record.expires_on,
    }

    with transaction.atomic():
        # Locked so that two accounts claiming the same member at once cannot both succeed.
        membership = (
            Membership.objects.select_for_update()
            .filter(member_number__iexact=record.member_number)
            .first()
        )
        if membership is None:
            # An external checker knows members the imported roster does not.
            membership, _ = Membership.objects.select_for_update().get_or_create(
                member_number=record.member_number, defaults=record_values
            )
        elif not isinstance(checker, RosterMembershipChecker) and any(
            getattr(membership, name) != value for name, value in record_values.items()
        ):
            # An external checker's answer is newer than the stored row: a member who renewed
            # since the row was stored must not be refused as expired. (The roster checker read
            # this very row, so its answer is never newer.)
            for name, value in record_values.items():
                setattr(membership, name, value)
            membership.save(update_fields=[*record_values, "updated_at"])

        if membership.user_id is not None and membership.user_id != user.pk:
            raise MembershipError(
                "That membership is already linked to another account. If it is yours, "
                "contact the program office."
            )
        if membership.expires_on is not None and membership.expires_on < today:
            raise MembershipError(
                f"That membership expired on {day_text(membership.expires_on)}. "
                "Renew it with the association, then try again."
            )
        _name_fill_from_roster(user=user, membership=membership)
        if membership.user_id == user.pk:
            return membership

        # The user is moving to another member number: the old row is freed first, as a user
        # holds at most one membership (the link is one-to-one).
        Membership.objects.filter(user=user).exclude(pk=membership.pk).update(
            user=None, linked_at=None, updated_at=timezone.now()
        )
        membership.user = user
        membership.linked_at = timezone.now()
        membership.save(update_fields=["user", "linked_at", "updated_at"])
    return membership


def _name_fill_from_roster(*, user, membership: Membership) -> None:
    """Give an account without a first or last name the roster's.

    A name the member typed is theirs and is never replaced (the roster may hold the name on
    their licence, the member the one they go by). A name an external checker sent that a
    member could not have typed (a control character, too long) is left out.
    """
    changed = []
    for field in ("first_name", "last_name"):
        if getattr(user, field).strip():
            continue
        name = person_name_or_blank(getattr(membership, field))
        if name:
            setattr(user, field, name)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def membership_is_current(*, user, today: date | None = None) -> bool:
    """Whether the user is linked to a membership that has not expired."""
    if not getattr(user, "is_authenticated", False):
        return False
    today = today or timezone.localdate()
    membership = Membership.objects.filter(user=user).first()
    return membership is not None and membership.is_current_on(today)
