import logging
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from mentorship.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS, seed_cohort, seed_demo
from notifications.models import Notification


@contextmanager
def _seed_emails_kept_out_of_the_terminal(email_dir: Path | None):
    """The seed goes through the real flows, so it sends what they send (receipts, match
    announcements). Those emails are for demo accounts: write them to files in `email_dir`, or
    keep them in memory, but never print them over the logins or hand them to a mail server.
    The tasks' progress logs (and the in-memory broker's warning) are held back for the same
    reason; errors still show."""
    if email_dir is None:
        backend = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    else:
        email_dir.mkdir(parents=True, exist_ok=True)
        backend = {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(email_dir),
        }
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with override_settings(**backend):
            yield
    finally:
        logging.disable(previous)


class Command(BaseCommand):
    help = (
        "Create or refresh the demo accounts and cohorts (safe to run again), or with --cohort "
        "a cohort in selection and matching with N accepted mentors and M accepted mentees."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for every demo account (default {DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--email-dir",
            type=Path,
            help="Write the emails the seed sends to files in this folder (by default they "
            "are recorded in the notification log only, never printed or sent).",
        )

        parser.add_argument("--cohort", metavar="SLUG", help="Generate this cohort instead.")
        parser.add_argument("--mentors", type=int, default=0)
        parser.add_argument("--mentees", type=int, default=0)
        parser.add_argument("--seed", type=int, default=0, help="The same seed, the same data.")

    def handle(self, *args, password: str, cohort: str | None, **options) -> None:
        if cohort:
            mentors, mentees = options["mentors"], options["mentees"]
            if mentors < 1 or mentees < 1:
                raise CommandError("--cohort needs --mentors N and --mentees M, both at least 1.")
            generated = seed_cohort(
                slug=cohort, mentors=mentors, mentees=mentees, seed=options["seed"]
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Cohort {generated.slug}: {mentors} mentors and {mentees} mentees, all "
                    f"accepted ({generated.phase.label})."
                )
            )
            return
        email_dir = options["email_dir"]
        sent = Notification.objects.filter(status=Notification.Status.SENT)
        before = sent.count()
        with _seed_emails_kept_out_of_the_terminal(email_dir):
            result = seed_demo(password=password)
        # Sent ones only: the pair the seed ends early has its announcements cancelled.
        emails = sent.count() - before

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for slug, seeded in result["cohorts"].items():
            self.stdout.write(f"  cohort {slug}: {seeded.name} ({seeded.phase.label})")
        if emails:
            where = (
                f"written to {email_dir}/"
                if email_dir
                else "recorded in the notification log (Staff admin, Notifications)"
            )
            self.stdout.write(f"The seed's {emails} emails to demo accounts were {where}.")
        # The logins last, where the eye lands when the command finishes.
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with:")
        for account in DEMO_ACCOUNTS:
            role = "staff, can use /admin/" if account.is_staff else account.note or "member"
            self.stdout.write(f"  {account.email}  [{role}]")
        self.stdout.write(f"Password for every account: {password}")
        self.stdout.write(f"Staff login: staff@demo.test / {password}")
