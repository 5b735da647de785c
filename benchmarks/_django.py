"""What every benchmark script shares: Django on a throwaway database, and a query counter.

Not a benchmark itself (`make bench` skips files starting with an underscore).
"""

import os
import sys
import tempfile
from pathlib import Path


def setup_django(prefix: str) -> str | None:
    """Configure and start Django for a benchmark; returns the throwaway directory it made.

    The database is a new SQLite file unless DATABASE_URL is set. The variable is set in the
    environment, so child processes (the matching benchmark's runs) use the same database.
    Email stays in memory and tasks run in-process.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    workdir = None
    if not os.environ.get("DATABASE_URL"):
        workdir = tempfile.mkdtemp(prefix=prefix)
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["EMAIL_URL"] = "locmemmail://"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    return workdir


class QueryCounter:
    """Counts queries: `with connection.execute_wrapper(counter): ...`."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def reset(self) -> int:
        count, self.count = self.count, 0
        return count
