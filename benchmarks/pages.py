"""Requests per second of the pages, against a trivial view, under gunicorn.

Builds a cohort of N accepted mentors and N accepted mentees (`seed_cohort`, the generator behind
`seed_demo --cohort`), runs matching on it (N proposed pairs on the run page), releases one pair
for the member pages (with a goal, its action plan and comments), then serves the site with
gunicorn (3 sync workers, DEBUG off) and loads each page with wrk for a few seconds. A trivial
view (`/bench/trivial/`, served only when BENCH_TRIVIAL_VIEW is on) goes through the same
middleware; it is requested with each kind of session (anonymous: no cookie at all, so the
public pages come from their cache; visitor: a cookie but no session, so they are rendered;
member; staff) right before each page, and each page's figure is its share of that
measurement's requests per second. The machine may be shared with other work: the ratios are
what count, not the absolute figures.

Each page and its trivial view are measured in turn BENCH_PAGE_ROUNDS times (default 3: trivial
then page, page then trivial, trivial then page, so that a drift in the machine's speed weighs on
both), and the figures are the medians of the rounds: a single measurement of the trivial view
moved by a third from one page to the next on this machine.
BENCH_PAGE_PAIRS chooses N (default 3,000); BENCH_PAGE_SECONDS the seconds of each measurement
(default 3); BENCH_PAGE_ONLY, words separated by commas, measures only the pages whose label
holds one of them ("workspace,goal").
Runs on DATABASE_URL when set (PostgreSQL for the figures in the README), else a throwaway
SQLite file. Needs wrk (`apt-get install wrk`): without it, the script says so and stops.
"""

import math
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _django import setup_django

if shutil.which("wrk") is None:
    print("skipped: wrk is not installed (apt-get install wrk, then make bench again)")
    sys.exit(0)

# One key for this process (which signs the sessions) and the server (which reads them).
os.environ["SECRET_KEY"] = secrets.token_urlsafe(64)
workdir = setup_django("bench-pages-")

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from matching.models import Match, MatchRun  # noqa: E402
from matching.runs import match_run_execute, match_run_start  # noqa: E402
from meetings.models import ActionItem, Goal, GoalComment  # noqa: E402
from mentorship.demo import seed_cohort  # noqa: E402

N = int(os.environ.get("BENCH_PAGE_PAIRS", "3000"))
SECONDS = int(os.environ.get("BENCH_PAGE_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "3"))
ONLY = [word.strip() for word in os.environ.get("BENCH_PAGE_ONLY", "").split(",") if word.strip()]
SLUG = "bench-pages"
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    cohort = seed_cohort(slug=SLUG, mentors=N, mentees=N, seed=1)
    run = match_run_start(cohort=cohort, enqueue=False)
    match_run_execute(run_id=run.pk)
    run = MatchRun.objects.get(pk=run.pk)
    pairs = Match.objects.filter(run=run).count()
    pair = Match.objects.filter(run=run).order_by("pk").first()
    now = timezone.now()
    Match.objects.filter(pk=pair.pk).update(status="approved", decided_at=now, notified_at=now)
    # The mentee's goal, with an action plan and a comment from each member, for the goal page.
    goal = Goal.objects.create(match=pair, title="Prepare for residency interviews")
    ActionItem.objects.bulk_create(ActionItem(goal=goal, title=f"Step {n}") for n in range(5))
    GoalComment.objects.bulk_create(
        GoalComment(goal=goal, author=application.member, body="Let us talk it over.")
        for application in (pair.mentee, pair.mentor)
    )
    staff, _ = get_user_model().objects.update_or_create(
        email="staff@pages.bench", defaults={"is_staff": True, "is_superuser": True}
    )
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load: statistics (without them the
        # planner takes the new tables for nearly empty: the run page's pairs query ran 18 ms
        # instead of 1 ms) and the visibility map (without it no count is answered from an
        # index alone: the applications list's counters took 2.9 ms instead of 1.4).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"database: {connection.vendor}; cohort of {N:,} mentors and {N:,} mentees, "
        f"{pairs:,} proposed pairs; prepared in {time.perf_counter() - started:.0f} s"
    )
    sessions = {
        "anonymous": "",
        # A visitor who sends a cookie (no valid session): the public pages are rendered for
        # them, where a visitor without any cookie is served from the public-page cache.
        "visitor": "none",
        "member": _session(pair.mentee.member),
        "staff": _session(staff),
    }
    pages = [
        ("anonymous", "home", "/"),
        ("anonymous", "cohort page", f"/cohorts/{SLUG}/"),
        ("visitor", "home, rendered (a cookie: no cache)", "/"),
        ("visitor", "cohort page, rendered", f"/cohorts/{SLUG}/"),
        ("member", "pair workspace", f"/mentorship/{pair.pk}/"),
        ("member", "meetings", f"/mentorship/{pair.pk}/meetings/"),
        ("member", "goal page", f"/mentorship/{pair.pk}/goals/{goal.pk}/"),
        ("member", "My applications", "/applications/"),
        ("staff", "admin applications list", "/admin/applications/application/"),
        ("staff", "admin match list", "/admin/matching/match/"),
        (
            "staff",
            f"admin run page ({pairs:,} pairs)",
            f"/admin/matching/matchrun/{run.pk}/change/",
        ),
    ]
    connection.close()

    with _gunicorn() as base:
        print(
            f"\ngunicorn, 3 sync workers; wrk, 1 thread, 6 connections, {SECONDS} s a "
            "measurement or 8 times the page's first answer's time if longer. Each page and the "
            f"trivial view with the same session are measured in turn, {ROUNDS} rounds; the "
            "figures are the rounds' medians, the share the median of each round's ratio."
        )
        print(
            f"{'page':42} {'session':9} {'req/s':>8} {'p50 ms':>8} "
            f"{'trivial':>8} {'of trivial':>10}"
        )
        for kind, label, path in pages:
            if ONLY and not any(word in label for word in ONLY):
                continue
            trivial_url = base + "/bench/trivial/"
            rounds = []
            for number in range(ROUNDS):
                if number % 2 == 0:
                    trivial, _ = _wrk(trivial_url, sessions[kind], warm=number == 0)
                    rate, p50 = _wrk(base + path, sessions[kind], warm=number == 0)
                else:
                    rate, p50 = _wrk(base + path, sessions[kind], warm=False)
                    trivial, _ = _wrk(trivial_url, sessions[kind], warm=False)
                rounds.append((rate, p50, trivial, 100 * rate / trivial if trivial else 0))
            rate, p50, trivial, share = (
                statistics.median(column) for column in zip(*rounds, strict=True)
            )
            print(f"{label:42} {kind:9} {rate:8.1f} {p50:8.1f} {trivial:8.1f} {share:8.1f} %")


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class _gunicorn:
    """gunicorn serving the site on a free port, DEBUG off, static files collected."""

    def __enter__(self) -> str:
        static = tempfile.mkdtemp(prefix="bench-pages-static-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "0",
            "STAFF_REQUIRE_MFA": "0",
            "STATIC_ROOT": static,
            "BENCH_TRIVIAL_VIEW": "1",
            "LOG_LEVEL": "ERROR",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                gunicorn,
                "mentorship.wsgi",
                "-w",
                "3",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "error",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/bench/trivial/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("gunicorn did not answer in 60 s")
        return base

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(30)


def _wrk(url: str, session: str, *, warm: bool = True) -> tuple[float, float]:
    """(requests per second, median latency in ms) of one URL; checks it answers 200 first.
    `warm`: a second unmeasured first, so that every worker has loaded the page's code and
    templates."""
    request = urllib.request.Request(url)  # noqa: S310 - http://127.0.0.1 only
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url} answered {response.status} at {response.url}")
    # Long enough for a few dozen answers however slow the page (or the machine) is.
    seconds = max(SECONDS, math.ceil(8 * (time.perf_counter() - started)))
    command = ["wrk", "-t1", "-c6", "--latency", "--timeout", "60s", url]
    if session:
        command[1:1] = ["-H", f"Cookie: sessionid={session}"]
    if warm:
        subprocess.run([*command, "-d1s"], capture_output=True, check=True)  # noqa: S603
    output = subprocess.run(  # noqa: S603
        [*command, f"-d{seconds}s"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"{url}: some answers were not 200\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    factor = {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)]
    return rate, float(p50.group(1)) * factor


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    main()
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)
