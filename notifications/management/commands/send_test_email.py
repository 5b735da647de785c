from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from notifications.emails import send_test_message


class Command(BaseCommand):
    help = "Send a test email through the notification queue, to check the mail settings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="Address to send the test email to.")

    def handle(self, *args, email: str, **options) -> None:
        try:
            validate_email(email)
        except Exception:
            raise CommandError(f"{email!r} is not an email address.") from None
        with transaction.atomic():
            notification = send_test_message(
                to_email=email, requested_by="the send_test_email command"
            )
        notification.refresh_from_db()
        self.stdout.write(f"Notification {notification.pk} to {email}: {notification.status}.")
