import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from applications.membership import (
    NOT_FOUND_MESSAGE,
    MemberRecord,
    MembershipError,
    RosterMembershipChecker,
    get_membership_checker,
    membership_is_current,
    membership_link,
)
from applications.models import Membership
from applications.roster import RosterImportError, RosterImportResult, RowError, roster_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "member_number,email,first_name,last_name,expires_on\n"
TODAY = date(2026, 3, 15)


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def import_errors(text: str) -> list[RowError]:
    with pytest.raises(RosterImportError) as excinfo:
        roster_import(file=csv_bytes(text))
    return excinfo.value.errors


def make_membership(**fields) -> Membership:
    values = {
        "member_number": "A-100",
        "email": "ada@example.test",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "expires_on": date(2026, 12, 31),
        **fields,
    }
    return Membership.objects.create(**values)


# ---------------------------------------------------------------------------------------------
# roster_import: good files
# ---------------------------------------------------------------------------------------------


def test_a_good_file_creates_a_membership_per_row():
    result = roster_import(
        file=csv_bytes(
            HEADER
            + "A-100, Ada@Example.TEST ,  Ada , Lovelace ,2026-12-31\n"
            + "B-200,grace@example.test,Grace,Hopper,\n"
        )
    )

    assert result == RosterImportResult(created=2, updated=0, unchanged=0)
    ada = Membership.objects.get(member_number="A-100")
    assert ada.email == "ada@example.test"
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert ada.expires_on == date(2026, 12, 31)
    assert ada.user is None
    assert Membership.objects.get(member_number="B-200").expires_on is None


def test_a_file_without_the_optional_expires_on_column_imports_with_no_expiry():
    result = roster_import(
        file=csv_bytes(
            "Last_Name , MEMBER_NUMBER,email,first_name\r\nLovelace,A-100,ada@x.test,Ada\r\n"
        )
    )

    assert result.created == 1
    ada = Membership.objects.get()
    assert (ada.member_number, ada.last_name, ada.expires_on) == ("A-100", "Lovelace", None)


def test_a_text_file_is_accepted_as_well_as_a_binary_one():
    result = roster_import(file=io.StringIO(HEADER + "A-100,ada@example.test,Ada,Lovelace,\n"))

    assert result.created == 1


def test_importing_the_same_file_again_changes_nothing():
    text = HEADER + "A-100,ada@example.test,Ada,Lovelace,2026-12-31\nB-200,g@example.test,G,H,\n"
    roster_import(file=csv_bytes(text))
    updated_at = dict(Membership.objects.values_list("member_number", "updated_at"))

    result = roster_import(file=csv_bytes(text))

    assert result == RosterImportResult(created=0, updated=0, unchanged=2)
    assert dict(Membership.objects.values_list("member_number", "updated_at")) == updated_at


def test_a_changed_email_updates_the_row_and_keeps_its_linked_account():
    user = UserFactory()
    ada = make_membership(user=user, linked_at=timezone.now())
    before = Membership.objects.get(pk=ada.pk)

    result = roster_import(
        file=csv_bytes(
            HEADER
            + "A-100,ada.new@example.test,Ada,Lovelace,2026-12-31\n"
            + "B-200,grace@example.test,Grace,Hopper,\n"
        )
    )

    assert result == RosterImportResult(created=1, updated=1, unchanged=0)
    ada.refresh_from_db()
    assert ada.email == "ada.new@example.test"
    assert ada.user == user
    assert ada.linked_at == before.linked_at
    assert ada.imported_at == before.imported_at
    assert ada.updated_at > before.updated_at


def test_a_member_number_in_another_case_updates_the_existing_row():
    make_membership(member_number="ab-100")

    result = roster_import(file=csv_bytes(HEADER + "AB-100,ada@example.test,Ada,Lovelace,\n"))

    assert result == RosterImportResult(created=0, updated=1, unchanged=0)
    assert list(Membership.objects.values_list("member_number", flat=True)) == ["AB-100"]


def test_a_file_with_a_byte_order_mark_is_read():
    data = io.BytesIO(("\ufeff" + HEADER + "A-100,ada@example.test,Ada,Lovelace,\n").encode())

    assert roster_import(file=data).created == 1
    assert Membership.objects.get().member_number == "A-100"


def test_blank_lines_and_empty_spreadsheet_rows_are_skipped():
    result = roster_import(
        file=csv_bytes(HEADER + "\nA-100,ada@example.test,Ada,Lovelace,\n,,,,\n\n")
    )

    assert result.created == 1


def test_a_large_roster_is_created_and_updated_in_batches(django_assert_max_num_queries):
    rows = "".join(f"M-{n},m{n}@example.test,First{n},Last{n},2027-01-01\n" for n in range(3000))
    renewed = rows.replace("2027-01-01", "2028-01-01")

    # Bounded by the batches (whose size the database's parameter limit sets), not by the rows.
    with django_assert_max_num_queries(60):
        created = roster_import(file=csv_bytes(HEADER + rows))
    with django_assert_max_num_queries(60):
        updated = roster_import(file=csv_bytes(HEADER + renewed))

    assert created == RosterImportResult(created=3000, updated=0, unchanged=0)
    assert updated == RosterImportResult(created=0, updated=3000, unchanged=0)
    assert Membership.objects.filter(expires_on=date(2028, 1, 1)).count() == 3000


# ---------------------------------------------------------------------------------------------
# roster_import: bad files
# ---------------------------------------------------------------------------------------------


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_line():
    errors = import_errors(
        HEADER + "A-100,ada@example.test,Ada,Lovelace,\nB-200,bob@,Bob,Builder,\n"
    )

    assert errors == [RowError(line=3, reason="email 'bob@' is not a valid email address")]
    assert Membership.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",a@example.test,Ada,Lovelace,", "member_number is required"),
        ("A_100,a@example.test,Ada,Lovelace,", "member_number 'A_100' may contain only letters"),
        ("A" * 33 + ",a@example.test,Ada,Lovelace,", "is longer than 32 characters"),
        ("A-100,,Ada,Lovelace,", "email is required"),
        ("A-100,a@example.test,,Lovelace,", "first_name is required"),
        ("A-100,a@example.test,Ada,  ,", "last_name is required"),
        ("A-100,a@example.test,Ada," + "L" * 151 + ",", "last_name is longer than 150 characters"),
        (
            "A-100,a@example.test,Ada,Lovelace,31/12/2026",
            "expires_on '31/12/2026' is not a date in the form YYYY-MM-DD",
        ),
        ("A-100,a@example.test,Ada,Lovelace,2026-02-30", "expires_on '2026-02-30' is not a real"),
        ("A-100,a@example.test,Ada,Lovelace", "expected 5 fields but found 4"),
        ('A-100,a@example.test,Ada,"Lovelace, Countess",,extra', "expected 5 fields but found 6"),
    ],
)
def test_each_kind_of_bad_row_is_reported_on_its_own_line(row, reason):
    # The quoted address spans two lines, so the bad row is on line 5, not the fourth record.
    errors = import_errors(
        HEADER
        + 'Z-1,zed@example.test,Zed,"Multi\nLine",\n'
        + "Z-2,zoe@example.test,Zoe,Zed,\n"
        + row
        + "\n"
    )

    assert len(errors) == 1
    assert errors[0].line == 5
    assert reason in errors[0].reason


def test_a_bad_row_that_spans_lines_is_reported_on_the_line_it_starts_on():
    errors = import_errors(
        HEADER + 'A-100,ada@example.test,,"Love\nlace",\nB-200,grace@example.test,Grace,Hopper,\n'
    )

    assert errors == [RowError(line=2, reason="first_name is required")]


def test_several_bad_rows_are_all_reported_with_every_reason():
    errors = import_errors(
        HEADER
        + "A-100,bad-email,,Lovelace,\n"
        + "B-200,grace@example.test,Grace,Hopper,\n"
        + "\n"
        + "C 300,carl@example.test,Carl,Gauss,tomorrow\n"
    )

    assert errors == [
        RowError(
            line=2,
            reason="email 'bad-email' is not a valid email address; first_name is required",
        ),
        RowError(
            line=5,
            reason=(
                "member_number 'C 300' may contain only letters, digits and hyphens; "
                "expires_on 'tomorrow' is not a date in the form YYYY-MM-DD"
            ),
        ),
    ]
    assert str(RosterImportError(errors)).splitlines() == [
        "line 2: email 'bad-email' is not a valid email address; first_name is required",
        "line 5: member_number 'C 300' may contain only letters, digits and hyphens; "
        "expires_on 'tomorrow' is not a date in the form YYYY-MM-DD",
    ]


def test_a_repeated_member_number_is_reported_on_the_later_line_naming_the_earlier_one():
    errors = import_errors(
        HEADER
        + "A-100,ada@example.test,Ada,Lovelace,\n"
        + "B-200,grace@example.test,Grace,Hopper,\n"
        + "a-100,other@example.test,Other,Person,\n"
    )

    assert errors == [RowError(line=4, reason="member_number 'a-100' already appears on line 2")]


def test_a_repeat_of_a_member_number_from_an_otherwise_bad_row_is_still_reported():
    errors = import_errors(
        HEADER + "A-100,not-an-email,Ada,Lovelace,\nA-100,ada@example.test,Ada,Lovelace,\n"
    )

    assert [error.line for error in errors] == [2, 3]
    assert errors[1].reason == "member_number 'A-100' already appears on line 2"


def test_a_file_the_csv_reader_cannot_read_is_reported_on_its_line():
    huge = "x" * 200_000  # beyond the csv module's field size limit

    errors = import_errors(HEADER + "A-100,ada@example.test,Ada,Lovelace,\n" + f"B-200,{huge},,,\n")

    assert len(errors) == 1
    assert errors[0].line == 3
    assert errors[0].reason.startswith("the file cannot be read as CSV")


def test_a_header_missing_a_required_column_is_an_error_on_line_1():
    errors = import_errors("member_number,first_name,expires_on\nA-100,Ada,\n")

    assert errors == [
        RowError(line=1, reason="the header is missing the required column(s) email, last_name")
    ]


def test_a_header_with_an_unknown_column_is_an_error_on_line_1_naming_it():
    errors = import_errors(
        "member_number,email,first_name,last_name,phone\nA-100,a@example.test,Ada,Lovelace,555\n"
    )

    assert len(errors) == 1
    assert errors[0].line == 1
    assert "unknown column(s) 'phone'" in errors[0].reason
    assert Membership.objects.count() == 0


def test_a_header_that_repeats_a_column_is_an_error():
    errors = import_errors("member_number,email,email,first_name,last_name\n")

    assert errors == [RowError(line=1, reason="the header repeats the column(s) email")]


def test_a_file_with_only_a_header_has_no_member_rows():
    assert import_errors(HEADER + "\n") == [RowError(line=1, reason="the file has no member rows")]


def test_an_empty_file_has_no_member_rows():
    assert import_errors("") == [RowError(line=1, reason="the file has no member rows")]


def test_a_file_that_is_not_utf8_is_one_error_on_line_1():
    data = io.BytesIO((HEADER + "A-100,zoe@example.test,Zoë,Müller,\n").encode("latin-1"))

    with pytest.raises(RosterImportError) as excinfo:
        roster_import(file=data)

    assert len(excinfo.value.errors) == 1
    assert excinfo.value.errors[0].line == 1
    assert "not UTF-8" in excinfo.value.errors[0].reason


def test_nothing_is_written_when_any_row_is_bad():
    make_membership()
    before = list(Membership.objects.values_list("member_number", "email", "updated_at"))

    import_errors(
        HEADER
        + "A-100,changed@example.test,Ada,Lovelace,2026-12-31\n"
        + "B-200,grace@example.test,Grace,Hopper,\n"
        + "C-300,carl@example.test,Carl,Gauss,2026-13-01\n"
    )

    assert Membership.objects.count() == 1
    assert list(Membership.objects.values_list("member_number", "email", "updated_at")) == before


# ---------------------------------------------------------------------------------------------
# manage.py import_roster
# ---------------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_the_counts(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        ("\ufeff" + HEADER + "A-100,ada@example.test,Ada,Lovelace,2026-12-31\n").encode()
    )
    out = io.StringIO()

    call_command("import_roster", str(roster), stdout=out)

    assert out.getvalue().strip() == (
        f"Imported roster from {roster}: 1 created, 0 updated, 0 unchanged."
    )
    assert Membership.objects.get().member_number == "A-100"


def test_the_command_lists_the_bad_lines_and_fails_without_importing(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        HEADER
        + "A-100,ada@example.test,Ada,Lovelace,\n"
        + "B-200,bob@,Bob,Builder,\n"
        + "C-300,carl@example.test,,Gauss,\n",
        encoding="utf-8",
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"Nothing was imported: 2 row\(s\) have errors\."):
        call_command("import_roster", str(roster), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3: email 'bob@' is not a valid email address",
        "line 4: first_name is required",
    ]
    assert Membership.objects.count() == 0


def test_the_command_names_a_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"

    with pytest.raises(CommandError, match=r"No such file: .*nope\.csv"):
        call_command("import_roster", str(missing))


# ---------------------------------------------------------------------------------------------
# membership_link and membership_is_current
# ---------------------------------------------------------------------------------------------


def test_linking_with_the_right_number_and_last_name_links_the_account():
    user = UserFactory()
    make_membership()

    membership = membership_link(
        user=user, member_number=" a-100 ", last_name="  LOVELACE ", today=TODAY
    )

    membership.refresh_from_db()
    assert membership.member_number == "A-100"
    assert membership.user == user
    assert membership.linked_at is not None


def test_a_wrong_last_name_and_an_unknown_number_get_the_same_message():
    user = UserFactory()
    make_membership()

    with pytest.raises(MembershipError) as wrong_name:
        membership_link(user=user, member_number="A-100", last_name="Byron", today=TODAY)
    with pytest.raises(MembershipError) as unknown_number:
        membership_link(user=user, member_number="Z-999", last_name="Lovelace", today=TODAY)

    assert str(wrong_name.value) == str(unknown_number.value) == NOT_FOUND_MESSAGE
    assert Membership.objects.get().user is None


def test_an_expired_membership_is_refused_with_its_expiry_date():
    user = UserFactory()
    make_membership(expires_on=date(2026, 3, 14))

    with pytest.raises(MembershipError, match="expired on March 14, 2026") as excinfo:
        membership_link(user=user, member_number="A-100", last_name="Lovelace", today=TODAY)

    assert "renew" in str(excinfo.value).lower()
    assert Membership.objects.get().user is None


def test_a_membership_expiring_today_can_still_be_linked():
    user = UserFactory()
    make_membership(expires_on=TODAY)

    membership = membership_link(
        user=user, member_number="A-100", last_name="Lovelace", today=TODAY
    )

    assert membership.user == user


def test_a_membership_linked_to_someone_else_is_refused():
    owner, outsider = UserFactory(), UserFactory()
    make_membership(user=owner, linked_at=timezone.now())

    with pytest.raises(MembershipError, match="already linked to another account") as excinfo:
        membership_link(user=outsider, member_number="A-100", last_name="Lovelace", today=TODAY)

    assert "program office" in str(excinfo.value)
    assert Membership.objects.get().user == owner


def test_linking_the_same_account_again_changes_nothing():
    user = UserFactory()
    make_membership()
    first = membership_link(user=user, member_number="A-100", last_name="Lovelace", today=TODAY)

    again = membership_link(user=user, member_number="a-100", last_name="lovelace", today=TODAY)

    assert again.pk == first.pk
    assert again.user == user
    assert again.linked_at == first.linked_at
    assert Membership.objects.filter(user=user).count() == 1


def test_a_member_moving_to_another_number_is_unlinked_from_the_old_one():
    user = UserFactory()
    old = make_membership(user=user, linked_at=timezone.now())
    make_membership(member_number="B-200", email="ada@new.test")

    new = membership_link(user=user, member_number="B-200", last_name="Lovelace", today=TODAY)

    old.refresh_from_db()
    assert (old.user, old.linked_at) == (None, None)
    assert new.member_number == "B-200"
    assert Membership.objects.get(user=user) == new


def test_a_linked_unexpired_membership_is_current():
    user = UserFactory()
    make_membership(user=user, linked_at=timezone.now(), expires_on=TODAY)

    assert membership_is_current(user=user, today=TODAY)
    assert not membership_is_current(user=user, today=TODAY + timedelta(days=1))


def test_a_linked_membership_with_no_expiry_is_current_from_today():
    user = UserFactory()
    make_membership(user=user, linked_at=timezone.now(), expires_on=None)

    assert membership_is_current(user=user)


def test_an_unlinked_account_has_no_current_membership():
    user = UserFactory()
    make_membership()

    assert not membership_is_current(user=user, today=TODAY)


class FakeChecker:
    """Stands in for a live lookup against the association's own member system."""

    def lookup(self, *, member_number: str, last_name: str) -> MemberRecord:
        if member_number != "EXT-1" or last_name != "Noether":
            raise MembershipError("Not a member of the outside system.")
        return MemberRecord(
            member_number="EXT-1",
            email="Emmy@Example.test",
            first_name="Emmy",
            last_name="Noether",
            expires_on=date(2027, 6, 30),
        )


def test_the_roster_checker_is_the_default():
    assert isinstance(get_membership_checker(), RosterMembershipChecker)


def test_a_checker_named_in_settings_is_used_and_its_member_is_stored(settings):
    settings.MEMBERSHIP_CHECKER = "tests.applications.test_roster.FakeChecker"
    user = UserFactory()
    make_membership()  # in the table, but the configured checker does not know it

    with pytest.raises(MembershipError, match="outside system"):
        membership_link(user=user, member_number="A-100", last_name="Lovelace", today=TODAY)
    membership = membership_link(user=user, member_number="EXT-1", last_name="Noether", today=TODAY)

    assert isinstance(get_membership_checker(), FakeChecker)
    stored = Membership.objects.get(member_number="EXT-1")
    assert stored == membership
    assert (stored.email, stored.first_name, stored.last_name) == (
        "emmy@example.test",
        "Emmy",
        "Noether",
    )
    assert stored.expires_on == date(2027, 6, 30)
    assert stored.user == user


def test_a_checker_renewal_refreshes_a_stale_stored_expiry(settings):
    settings.MEMBERSHIP_CHECKER = "tests.applications.test_roster.FakeChecker"
    user = UserFactory()
    make_membership(
        member_number="EXT-1",
        email="emmy@example.test",
        first_name="Emmy",
        last_name="Noether",
        expires_on=date(2025, 6, 30),
    )

    membership = membership_link(user=user, member_number="EXT-1", last_name="Noether", today=TODAY)

    membership.refresh_from_db()
    assert membership.expires_on == date(2027, 6, 30)
    assert membership.user == user
