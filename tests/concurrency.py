"""Racing staff actions against each other in threads, for the PostgreSQL lock tests."""

import threading

from django.db import connection


def race(*calls, expected: type[Exception] | tuple[type[Exception], ...]) -> list:
    """Run the calls in threads released together; return what each returned or raised.

    Only `expected` (the services' domain errors) is caught; anything else fails the test.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except expected as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
