from django.core.management.base import BaseCommand, CommandError

from mentorship.demo import DEFAULT_PASSWORD, DEMO_ACCOUNTS, seed_cohort, seed_demo


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
        result = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for slug, cohort in result["cohorts"].items():
            self.stdout.write(f"  cohort {slug}: {cohort.name} ({cohort.phase.label})")
        self.stdout.write(f"Accounts (password: {password}):")
        for account in DEMO_ACCOUNTS:
            role = "staff, can use /admin/" if account.is_staff else "member"
            self.stdout.write(f"  {account.email}  [{role}]")
        self.stdout.write(f"Staff login: staff@demo.test / {password}")
