"""Importing the member roster the association sends as CSV, all or nothing.

Staff upload it in admin or run `import_roster`; each row becomes (or updates) a Membership row,
which a member then links to their account (see membership.py).
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .membership import MemberRecord
from .models import Membership

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


def _roster_parse(*, file: IO[str] | IO[bytes]) -> list[MemberRecord]:
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
