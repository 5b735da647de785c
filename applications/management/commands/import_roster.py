from django.core.management.base import BaseCommand, CommandError

from applications.roster import RosterImportError, roster_import


class Command(BaseCommand):
    help = (
        "Import the association's member roster from a CSV file with the columns member_number, "
        "email, first_name, last_name and optionally expires_on (YYYY-MM-DD). All or nothing: "
        "if any line is bad, every bad line is listed and nothing is imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to the roster CSV file.")

    def handle(self, *args, file: str, **options) -> None:
        try:
            # Binary, so that roster_import decides the encoding (UTF-8, with or without BOM)
            # rather than the locale of whoever runs the command.
            with open(file, "rb") as roster_file:
                result = roster_import(file=roster_file)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except OSError as exc:
            # roster_import only reads the file, so an OSError here is about the file.
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except RosterImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"line {error.line}: {error.reason}")
            raise CommandError(
                f"Nothing was imported: {len(exc.errors)} row(s) have errors."
            ) from exc

        self.stdout.write(
            self.style.SUCCESS(
                f"Imported roster from {file}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
