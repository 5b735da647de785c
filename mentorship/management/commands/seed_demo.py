from django.core.management.base import BaseCommand

from mentorship.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo accounts and cohorts. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for every demo account (default {DEFAULT_PASSWORD!r}).",
        )

    def handle(self, *args, password: str, **options) -> None:
        result = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for slug, cohort in result["cohorts"].items():
            self.stdout.write(f"  cohort {slug}: {cohort.name} ({cohort.phase.label})")
        self.stdout.write(f"Accounts (password: {password}):")
        for account in DEMO_ACCOUNTS:
            role = "staff, can use /admin/" if account.is_staff else "member"
            self.stdout.write(f"  {account.email}  [{role}]")
        self.stdout.write(f"Staff login: staff@demo.test / {password}")
