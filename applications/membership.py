"""Association membership: importing the member roster, and linking accounts to members.

Only association members may apply. Staff import the roster the association sends as CSV; a
member then proves who they are by giving their member number and last name, which links their
account to one roster row. Where the roster comes from is pluggable (``MEMBERSHIP_CHECKER``) so a
live lookup against the association's system can replace the imported table later.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import IO, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.forms import person_name_or_blank
from applications.models import Membership
from core.text import day_text

# ---------------------------------------------------------------------------------------------
# Roster import
# ---------------------------------------------------------------------------------------------

EXPECTED_COLUMNS = ("member_number", "email", "first_name", "last_name", "expires_on")
REQUIRED_COLUMNS = ("member_number", "email", "first_name", "last_name")
# The Membership fields the roster sets; an import never touches the linked account.
ROSTER_FIELDS = EXPECTED_COLUMNS

MEMBER_NUMBER_MAX_LENGTH = 32
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
MEMBER_NUMBER_RE = re.compile(r"[A-Za-z0-9-]+")
# date.fromisoformat() also takes "20260331" and week dates; staff are told YYYY-MM-DD, so only
# that form is accepted, and a spreadsheet's "3/31/2026" is caught rather than guessed at.
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters other than tab and line breaks (which a quoted field may hold).
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BATCH_SIZE = 1000
# An upload larger than this is not a roster (a 60,000-member roster is about 4 MB): it is
# refused before it is read, rather than parsed into hundreds of thousands of row errors.
ROSTER_MAX_BYTES = 10 * 1024 * 1024
ROSTER_MAX_LABEL = "10 MB"


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line number in the file; the header is line 1
    reason: str


class RosterImportError(Exception):
    """The file has errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(f"line {error.line}: {error.reason}" for error in errors))


@dataclass(frozen=True)
class RosterImportResult:
    created: int
    updated: int
    unchanged: int


def roster_import(*, file: IO[str] | IO[bytes]) -> RosterImportResult:
    """Create and update Membership rows from a roster CSV, all or nothing.

    Raises RosterImportError listing every bad line if any line is bad; then nothing is written.
    Rows are matched to existing members by member number; the account an existing row is
    linked to is kept.
    """
    records = _roster_parse(file=file)

    # Member numbers are looked up case-insensitively when members link, so the file and the
    # table are matched the same way: "ab-12" in the file updates "AB-12" rather than adding a
    # second row that a member's lookup could not tell apart from it. An exact match wins, in
    # case rows differing only in case were ever entered by hand.
    #
    # The whole table is read in one query rather than filtered with member_number__in: a
    # 50,000-item IN list exceeds SQLite's limit on query parameters, and the roster *is* the
    # membership list, so the table is about the size of the file anyway.
    exact: dict[str, Membership] = {}
    folded: dict[str, Membership] = {}
    for membership in Membership.objects.only("id", *ROSTER_FIELDS):
        exact[membership.member_number] = membership
        folded.setdefault(membership.member_number.lower(), membership)

    to_create: list[Membership] = []
    to_update: list[Membership] = []
    unchanged = 0
    for record in records:
        values = {name: getattr(record, name) for name in ROSTER_FIELDS}
        membership = exact.get(record.member_number) or folded.get(record.member_number.lower())
        if membership is None:
            to_create.append(Membership(**values))
        elif all(getattr(membership, name) == value for name, value in values.items()):
            unchanged += 1
        else:
            to_update.append(Membership(pk=membership.pk, **values))

    with transaction.atomic():
        Membership.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        # Changed rows are written as an upsert on the primary key (INSERT ... ON CONFLICT (id)
        # DO UPDATE) that sets only the roster's fields, leaving the linked account alone.
        # Not bulk_update(): it builds a CASE expression per row and field in Python, which took
        # 40 seconds for a 50,000-member roster where every row changed, as every expiry date
        # does at renewal time; this takes about two.
        Membership.objects.bulk_create(
            to_update,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=[*ROSTER_FIELDS, "updated_at"],
        )
    return RosterImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


def _roster_parse(*, file: IO[str] | IO[bytes]) -> list["MemberRecord"]:
    """Read and check the whole file; raise RosterImportError naming every bad line."""
    content = file.read()
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reason = (
                "the file is not UTF-8 text; save it from the spreadsheet as "
                '"CSV UTF-8" and import it again'
            )
            raise RosterImportError([RowError(line=1, reason=reason)]) from exc
    else:
        text = content.removeprefix("\ufeff")

    # newline="" hands the csv module the line endings as they are, which it needs to read
    # quoted fields that span lines; reader.line_num then counts physical lines.
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    records: list[MemberRecord] = []
    try:
        header = next(reader, None)
        if header is None:
            raise RosterImportError([RowError(line=1, reason="the file has no member rows")])
        columns = _roster_columns(header=header)

        first_line_by_number: dict[str, int] = {}
        previous_line_num = reader.line_num
        for fields in reader:
            # line_num is the line a record *ends* on; a record with a quoted multi-line field
            # starts on the line after the previous record ended, which is the line staff see.
            line = previous_line_num + 1
            previous_line_num = reader.line_num
            # Spreadsheets pad the end of an export with empty rows (",,,,"); they carry no data.
            if not any(field.strip() for field in fields):
                continue
            if len(fields) != len(columns):
                reason = (
                    f"expected {len(columns)} fields but found {len(fields)}; "
                    "a value containing a comma must be in double quotes"
                )
                errors.append(RowError(line=line, reason=reason))
                continue

            cleaned, reasons = _roster_row_clean(values=dict(zip(columns, fields, strict=True)))
            # A good member number is remembered even on a row that is bad for another reason,
            # so that a later repeat of it is still reported.
            if "member_number" in cleaned:
                key = cleaned["member_number"].lower()
                if key in first_line_by_number:
                    reasons.append(
                        f"member_number {_shown(cleaned['member_number'])} already appears on "
                        f"line {first_line_by_number[key]}"
                    )
                else:
                    first_line_by_number[key] = line
            if reasons:
                errors.append(RowError(line=line, reason="; ".join(reasons)))
            else:
                records.append(MemberRecord(**cleaned))
    except csv.Error as exc:
        reason = f"the file cannot be read as CSV: {exc}"
        errors.append(RowError(line=max(reader.line_num, 1), reason=reason))

    if not errors and not records:
        errors.append(RowError(line=1, reason="the file has no member rows"))
    if errors:
        raise RosterImportError(errors)
    return records


def _roster_columns(*, header: list[str]) -> list[str]:
    """The header's column names, normalized; raise RosterImportError if the header is wrong."""
    columns = [name.strip().lower() for name in header]
    reasons = []
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        reasons.append(f"the header is missing the required column(s) {', '.join(missing)}")
    unknown = [name for name in columns if name not in EXPECTED_COLUMNS]
    if unknown:
        reasons.append(
            f"the header has unknown column(s) {', '.join(_shown(name) for name in unknown)}; "
            f"the columns are {', '.join(EXPECTED_COLUMNS)}"
        )
    repeated = [name for name, count in Counter(columns).items() if count > 1]
    if repeated:
        reasons.append(f"the header repeats the column(s) {', '.join(repeated)}")
    if reasons:
        raise RosterImportError([RowError(line=1, reason="; ".join(reasons))])
    return columns


def _roster_row_clean(*, values: dict[str, str]) -> tuple[dict, list[str]]:
    """Check one data row: the cleaned values of its good fields, and why the others are bad."""
    cleaned: dict = {}
    reasons: list[str] = []

    member_number = values["member_number"].strip()
    if not member_number:
        reasons.append("member_number is required")
    elif len(member_number) > MEMBER_NUMBER_MAX_LENGTH:
        reasons.append(
            f"member_number {_shown(member_number)} is longer than "
            f"{MEMBER_NUMBER_MAX_LENGTH} characters"
        )
    elif not MEMBER_NUMBER_RE.fullmatch(member_number):
        reasons.append(
            f"member_number {_shown(member_number)} may contain only letters, digits and hyphens"
        )
    else:
        cleaned["member_number"] = member_number

    email = values["email"].strip()
    if not email:
        reasons.append("email is required")
    elif len(email) > EMAIL_MAX_LENGTH:
        reasons.append(f"email {_shown(email)} is longer than {EMAIL_MAX_LENGTH} characters")
    else:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(f"email {_shown(email)} is not a valid email address")
        else:
            cleaned["email"] = email.lower()

    for column in ("first_name", "last_name"):
        name = values[column].strip()
        if not name:
            reasons.append(f"{column} is required")
        elif len(name) > NAME_MAX_LENGTH:
            reasons.append(f"{column} is longer than {NAME_MAX_LENGTH} characters")
        elif CONTROL_CHARACTER_RE.search(name):
            # PostgreSQL refuses to store a NUL; no name has the other control characters.
            # (The other columns' own checks already refuse them.)
            reasons.append(f"{column} contains a control character (such as NUL); remove it")
        else:
            cleaned[column] = name

    expires_on = values.get("expires_on", "").strip()
    if not expires_on:
        cleaned["expires_on"] = None
    elif not ISO_DATE_RE.fullmatch(expires_on):
        reasons.append(f"expires_on {_shown(expires_on)} is not a date in the form YYYY-MM-DD")
    else:
        try:
            cleaned["expires_on"] = date.fromisoformat(expires_on)
        except ValueError:
            reasons.append(
                f"expires_on {_shown(expires_on)} is not a real date (the form is YYYY-MM-DD)"
            )

    return cleaned, reasons


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted for an error message, cut short so one bad cell cannot flood the report."""
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"'{value}'"


# ---------------------------------------------------------------------------------------------
# Linking an account to a member
# ---------------------------------------------------------------------------------------------

NOT_FOUND_MESSAGE = (
    "We could not find that member number with that last name. "
    "Check your membership card or contact the program office."
)


class MembershipError(Exception):
    """A member-facing reason the membership cannot be linked; the message is shown as is."""


class MembershipCheckThrottled(MembershipError):
    """Too many membership checks from one account or one address; try again later."""


def _window_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


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
    wait = _window_text(window)
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
