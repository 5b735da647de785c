import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from applications.models import Application
from applications.selectors import profile_missing_for_submit
from cohorts.models import Cohort
from matching.models import Match, MatchRun
from meetings.ledger import LedgerStatus
from meetings.models import Meeting
from meetings.selectors import ledgers_for
from notifications.models import Notification
from outcomes.models import Certificate

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_account_and_a_cohort_in_each_phase(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Staff login: staff@demo.test / demo-pass-2026" in out
    emails = set(User.objects.exclude(email__startswith="gen-").values_list("email", flat=True))
    assert emails == {
        "staff@demo.test",
        "mentee@demo.test",
        "mentor@demo.test",
        "outsider@demo.test",
        "alumni@demo.test",
    }
    assert User.objects.get(email="staff@demo.test").is_staff
    for email in ("mentee@demo.test", "mentor@demo.test", "outsider@demo.test", "alumni@demo.test"):
        user = User.objects.get(email=email)
        assert user.membership.user == user
        assert profile_missing_for_submit(user.profile) == []
    assert not User.objects.get(email="outsider@demo.test").is_staff
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 5
    waiting = Application.objects.filter(cohort__slug="next")
    assert waiting.count() == 16
    assert set(waiting.values_list("status", flat=True)) == {"submitted"}
    phases = {c.slug: c.phase for c in Cohort.objects.all()}
    assert phases == {
        "pilot-completed": Cohort.Phase.COMPLETED,
        "active": Cohort.Phase.ACTIVE,
        "matching": Cohort.Phase.SELECTION,
        "next": Cohort.Phase.APPLICATIONS_OPEN,
    }
    # The demo mentor and mentee are a released pair of the active cohort.
    demo_pair = Match.objects.get(cohort__slug="active", mentee__member__email="mentee@demo.test")
    assert demo_pair.mentor.member.email == "mentor@demo.test"
    assert demo_pair.is_released
    active = Match.objects.filter(cohort__slug="active")
    assert sorted(set(active.values_list("status", flat=True))) == ["approved", "ended"]
    # Meeting histories show every state of the ledger, in the active and the completed cohort.
    ledgers = ledgers_for(Match.objects.released().with_people())
    assert {ledger.status for ledger in ledgers.values()} == {
        LedgerStatus.ON_TRACK,
        LedgerStatus.BEHIND,
        LedgerStatus.AT_RISK,
        LedgerStatus.ENDED,
        LedgerStatus.MET,
        LedgerStatus.NOT_MET,
    }
    assert ledgers[demo_pair.pk].status == LedgerStatus.ON_TRACK
    assert demo_pair.meetings.filter(status="planned").count() == 1
    assert demo_pair.meetings.filter(status="held", confirmed_at=None).count() == 1
    assert demo_pair.goals.count() == 2
    assert demo_pair.expectations.acknowledged_at is not None
    # The cohort in matching has a finished run waiting for staff review.
    run = MatchRun.objects.get(cohort__slug="matching")
    assert run.status == "done" and run.pairs_proposed > 0
    assert set(Match.objects.filter(run=run).values_list("status", flat=True)) == {"proposed"}


@pytest.mark.parametrize(
    "now",
    [
        # The first of a month in New York (the program's zone) and still the last day of the
        # month before in the west: pairs there had their shortfall month under way.
        "2026-12-01T05:40",
        "2027-07-01T04:30",
        "2026-11-30T12:00",
        "2026-12-15T18:00",
    ],
)
def test_the_demo_shows_every_state_of_the_ledger_at_any_hour(now):
    with time_machine.travel(datetime.fromisoformat(now).replace(tzinfo=UTC), tick=False):
        call_command("seed_demo")
        ledgers = ledgers_for(Match.objects.released().with_people())
        shown = {ledger.status for ledger in ledgers.values()}
    assert shown == set(LedgerStatus) - {LedgerStatus.NOT_STARTED}  # the demo has no new pair


def test_seed_demo_gives_the_completed_cohort_certificates_and_the_alumna_one(client):
    call_command("seed_demo")
    completed = Match.objects.filter(cohort__slug="pilot-completed").released().with_people()
    ledgers = ledgers_for(completed)
    certified = set(Certificate.objects.values_list("match_id", flat=True))
    assert certified == {pk for pk, ledger in ledgers.items() if ledger.status == LedgerStatus.MET}
    assert len(certified) < completed.count()  # some pairs fell short
    certificate = Certificate.objects.get(user__email="alumni@demo.test")
    assert certificate.role == "mentee"
    assert certificate.name == "Alex Alumni"
    assert certificate.cohort.slug == "pilot-completed"
    assert client.get(certificate.get_absolute_url()).status_code == 200
    assert not Notification.objects.filter(kind="cohort_closing").exists()


def test_seed_demo_twice_changes_nothing_but_the_password(client):
    call_command("seed_demo")
    first = sorted(Application.objects.values_list("member__email", "role"))
    call_command("seed_demo", password="another-pass-2026")
    assert sorted(Application.objects.values_list("member__email", "role")) == first
    assert User.objects.exclude(email__startswith="gen-").count() == 5
    assert EmailAddress.objects.count() == 5
    assert Certificate.objects.filter(user__email="alumni@demo.test").count() == 1
    assert Cohort.objects.count() == 4
    assert MatchRun.objects.filter(cohort__slug="matching").count() == 1
    assert client.login(email="mentee@demo.test", password="another-pass-2026")


@pytest.mark.parametrize("today", [date(2026, 1, 31), date(2026, 11, 30), date(2026, 12, 31)])
def test_seed_demo_dates_hold_together_whatever_the_day(today):
    from mentorship.demo import seed_demo

    result = seed_demo(today=today)
    for cohort in result["cohorts"].values():
        cohort.full_clean()
    for slug in ("active", "pilot-completed"):
        assert Meeting.objects.filter(match__cohort__slug=slug, status="held").count() > 5


def test_seed_demo_generates_an_accepted_cohort_in_selection(capsys):
    call_command(
        "seed_demo", "--cohort", "big", "--mentors", "30", "--mentees", "50", "--seed", "7"
    )
    assert "Cohort big: 30 mentors and 50 mentees, all accepted" in capsys.readouterr().out
    cohort = Cohort.objects.get(slug="big")
    assert cohort.phase == Cohort.Phase.SELECTION
    applications = Application.objects.filter(cohort=cohort)
    assert applications.filter(role="mentor").count() == 30
    assert applications.filter(role="mentee").count() == 50
    assert set(applications.values_list("status", flat=True)) == {"accepted"}
    mentee = applications.filter(role="mentee").first()
    assert mentee.profile_snapshot["location"]
    assert mentee.desired_practice_areas.exists()
    assert mentee.member.profile.interests.exists()


def _fingerprint(slug):
    applications = Application.objects.filter(cohort__slug=slug).select_related("member")
    return [
        (
            a.role,
            a.member.first_name,
            a.member.last_name,
            a.profile_snapshot["location"],
            tuple(a.profile_snapshot["interests"]),
            a.mentee_capacity,
        )
        for a in applications.order_by("pk")
    ]


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another():
    call_command("seed_demo", "--cohort", "a", "--mentors", "10", "--mentees", "10", "--seed", "1")
    first = _fingerprint("a")
    call_command("seed_demo", "--cohort", "a", "--mentors", "10", "--mentees", "10", "--seed", "1")
    assert _fingerprint("a") == first
    call_command("seed_demo", "--cohort", "a", "--mentors", "10", "--mentees", "10", "--seed", "2")
    assert _fingerprint("a") != first


def test_seed_demo_cohort_needs_both_counts():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--mentors N and --mentees M"):
        call_command("seed_demo", "--cohort", "x", "--mentors", "3")


# `make demo` ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_seed_demo_keeps_its_emails_out_of_the_terminal_and_prints_the_logins_last(
    capsys, settings
):
    # As in `make demo`: emails to the console, and the seed's transaction really commits, so
    # its emails are sent as they would be.
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("seed_demo")
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert "Subject:" not in printed
    assert "Meet your" not in printed
    lines = captured.out.strip().splitlines()
    assert len(lines) < 20
    assert lines[-7:] == [
        "  staff@demo.test  [staff, can use /admin/]",
        "  mentee@demo.test  [member]",
        "  mentor@demo.test  [member]",
        "  outsider@demo.test  [member]",
        "  alumni@demo.test  [member of the completed cohort, holds a certificate]",
        "Password for every account: demo-pass-2026",
        "Staff login: staff@demo.test / demo-pass-2026",
    ]
    assert any(
        "emails to demo accounts were recorded in the notification log" in line for line in lines
    )


@pytest.mark.django_db(transaction=True)
def test_seed_demo_writes_its_emails_to_files_when_asked(tmp_path, capsys):
    call_command("seed_demo", "--email-dir", str(tmp_path))
    # Django's file backend may put two messages in one file (it names files by the second).
    written = sum(f.read_text().count("\nMessage-ID: ") for f in tmp_path.iterdir())
    assert written
    assert written == Notification.objects.filter(status="sent").count()
    out = capsys.readouterr().out
    assert f"The seed's {written} emails to demo accounts were written to {tmp_path}/" in out


def test_seed_demo_announces_the_active_cohorts_pairs_but_not_the_completed_ones(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    announced = Notification.objects.filter(kind="match_announcement")
    subjects = {m.subject for m in mail.outbox}
    assert announced.count() > 0
    assert all("Current cohort" in subject for subject in subjects if "Meet your" in subject)
    completed = Match.objects.filter(cohort__slug="pilot-completed")
    assert completed.exists()
    assert not completed.filter(notified_at__isnull=True).exists()  # still released, silently
    keys = [f"match-announcement:{pk}:" for pk in completed.values_list("pk", flat=True)]
    assert not [n for n in announced if any(n.idempotency_key.startswith(k) for k in keys)]


def _settings_site_url(env: dict[str, str]) -> str:
    inherited = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    clean = {k: v for k, v in os.environ.items() if k in inherited}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "mentorship.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_links_point_at_the_port_the_demo_serves_on_unless_site_url_is_set():
    assert _settings_site_url({"PORT": "18510"}) == "http://127.0.0.1:18510"
    assert _settings_site_url({}) == "http://127.0.0.1:8000"
    assert (
        _settings_site_url({"PORT": "18510", "SITE_URL": "https://mentorship.example.org"})
        == "https://mentorship.example.org"
    )


def test_make_demo_hands_its_port_to_django_and_the_seed_its_email_folder():
    inherited = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    clean = {k: v for k, v in os.environ.items() if k in inherited}
    result = subprocess.run(
        ["make", "-n", "demo", "PORT=18510"],  # noqa: S607 - make from PATH, as a developer runs it
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert all("PORT=18510" in line for line in commands), commands
    assert any("seed_demo --email-dir var/demo-emails" in line for line in commands)
    assert any("runserver 127.0.0.1:18510" in line for line in commands)
