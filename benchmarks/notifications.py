"""Cost of the notification path: recording and sending N emails in-process.

Prints wall time and database queries per email for `notify()` (inside one transaction) and for
the send task, on a throwaway SQLite database (or DATABASE_URL when set).
"""

import os
import time

from _django import QueryCounter, setup_django

setup_django("bench-notifications-")

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.services import notify  # noqa: E402

N = int(os.environ.get("BENCH_EMAILS", "2000"))


def main() -> None:
    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    User.objects.filter(email__endswith="@bench.test").delete()
    users = User.objects.bulk_create(User(email=f"u{i}@bench.test") for i in range(N))
    users = list(User.objects.filter(email__endswith="@bench.test"))
    mail.outbox = []

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter), transaction.atomic():
        for user in users:
            notify(kind="test_message", key=f"bench:{user.pk}", recipient=user, context={})
        recorded, record_queries = time.perf_counter() - started, counter.reset()
        # The sends run in on-commit hooks (in-process here, as a worker would run them).
    sending, send_queries = time.perf_counter() - started - recorded, counter.reset()
    sent = Notification.objects.filter(status=Notification.Status.SENT).count()
    print(f"emails: {N}, sent: {sent}, in outbox: {len(mail.outbox)}")
    print(
        f"record (notify, one transaction): {recorded:.2f} s, "
        f"{recorded / N * 1000:.2f} ms/email, {record_queries / N:.1f} queries/email"
    )
    print(
        f"send (claim, render, send, mark): {sending:.2f} s, "
        f"{sending / N * 1000:.2f} ms/email, {send_queries / N:.1f} queries/email"
    )


if __name__ == "__main__":
    main()
