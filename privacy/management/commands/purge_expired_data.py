import json

from django.core.management.base import BaseCommand

from privacy.retention import purge_expired_data


class Command(BaseCommand):
    help = (
        "Remove the private data of every cohort whose retention date has come (notes, goal "
        "text, comments, confidential free text, self-identification); dates, hours, statuses "
        "and certificates stay. Running it again removes nothing more."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, dry_run: bool, json: bool, **options) -> None:
        result = purge_expired_data(dry_run=dry_run, trigger="purge_expired_data command")
        if json:
            self.stdout.write(_dumps(result))
            return
        verb = "would remove" if dry_run else "removed"
        if not result["cohorts"]:
            self.stdout.write("No cohort is past its retention date.")
        for entry in result["cohorts"]:
            removed = {kind: n for kind, n in entry["removed"].items() if n}
            parts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in removed.items())
            self.stdout.write(
                f"{entry['cohort']} (due {entry['due']}): {verb} {parts or 'nothing'}."
            )


def _dumps(value) -> str:
    return json.dumps(value, indent=2)
