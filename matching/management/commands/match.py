import json

from django.core.management.base import BaseCommand, CommandError

from cohorts.models import Cohort, MatchingObjective
from matching.engine import match_compute
from matching.exceptions import MatchingError
from matching.models import Algorithm, MatchRun
from matching.runs import match_run_execute, match_run_start


class Command(BaseCommand):
    help = (
        "Match a cohort's accepted mentors and mentees. Saves the proposals as a match run for "
        "staff to review in admin, unless --dry-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("cohort", metavar="COHORT_SLUG")
        parser.add_argument(
            "--dry-run", action="store_true", help="Compute and print; save nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--algorithm", choices=[a.value for a in Algorithm], default=Algorithm.OPTIMAL
        )
        parser.add_argument(
            "--objective",
            choices=[o.value for o in MatchingObjective],
            default=None,
            help="total (the greatest total score) or maximin (best for the worst-off: the "
            "highest lowest score, then the total). Default: the cohort's.",
        )

    def handle(self, *args, **options):
        try:
            cohort = Cohort.objects.get(slug=options["cohort"])
        except Cohort.DoesNotExist:
            raise CommandError(f"No cohort with the slug {options['cohort']!r}.") from None
        try:
            if options["dry_run"]:
                result = match_compute(
                    cohort=cohort, algorithm=options["algorithm"], objective=options["objective"]
                )
                run = None
            else:
                run = match_run_start(
                    cohort=cohort,
                    algorithm=options["algorithm"],
                    objective=options["objective"],
                    enqueue=False,
                )
                result = match_run_execute(run_id=run.pk)
                run.refresh_from_db()
                if result is None:
                    raise CommandError(f"Matching run {run.pk} failed: {run.error}")
        except MatchingError as exc:
            raise CommandError(str(exc)) from None

        if options["json"]:
            data = result.as_json()
            data["run"] = run.pk if run else None
            self.stdout.write(json.dumps(data, indent=2))
            return
        mentees, mentors = result.unmatched_count("mentee"), result.unmatched_count("mentor")
        summary = (
            f"{cohort.slug}: {len(result.pairs)} pairs proposed ({result.algorithm}), objective "
            f"{result.objective}, total "
            f"score {result.total_score:.2f}; unmatched: {mentees} mentees, {mentors} mentors; "
            f"{result.timings['total']:.2f} s."
        )
        if run is None:
            self.stdout.write(summary + " Dry run: nothing saved.")
        else:
            self.stdout.write(self.style.SUCCESS(summary + f" Saved as run {run.pk}."))
        if run is not None and run.status != MatchRun.Status.DONE:
            raise CommandError(run.error)
