"""The audit and the objective as staff meet them: stored on the run, printed by
`match --json`, shown on the run page; and matching's heavy libraries loaded only when used."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from matching.models import MatchRun
from matching.runs import match_run_execute, match_run_start
from tests.browser import assert_valid_html
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

AUDIT_KEYS = {
    "optimal",
    "upper_bound",
    "lowest_score",
    "median_score",
    "p10_score",
    "blocking_pairs",
    "unmatched_by_division",
    "unmatched_by_practice_area",
    "recruiting",
}


@pytest.fixture
def cohort():
    # Only region counts: same state 100, same division 75, same region 50, same zone 25.
    return SelectionCohortFactory(
        weight_background=0,
        weight_interests=0,
        weight_shared_background=0,
        weight_region=10,
        min_match_score=40,
    )


def _run(cohort, **kwargs) -> MatchRun:
    run = match_run_start(cohort=cohort, enqueue=False, **kwargs)
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _json(*args) -> dict:
    out = StringIO()
    call_command("match", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_match_json_carries_the_objective_and_the_audit_in_the_documented_shape(cohort):
    AcceptedMentorFactory(cohort=cohort, location="CO")
    AcceptedMentorFactory(cohort=cohort, location="UT")
    AcceptedFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="UT")
    AcceptedFactory(cohort=cohort, location="FL")  # nobody near enough: unmatched

    data = _json(cohort.slug)

    assert data["objective"] == "total"
    audit = data["audit"]
    assert set(audit) == AUDIT_KEYS
    assert audit["optimal"] is True
    assert audit["upper_bound"] == data["total_score"] == 200.0
    assert audit["lowest_score"] == audit["median_score"] == audit["p10_score"] == 100.0
    assert audit["blocking_pairs"] == 0
    assert audit["unmatched_by_division"] == {"South Atlantic": 1}
    assert sum(audit["unmatched_by_practice_area"].values()) >= 1
    (advice,) = audit["recruiting"]
    assert advice["profile"]["division"] == "South Atlantic"
    assert advice["more_mentors"] == 1
    assert advice["more_mentees_matched"] == 1
    run = MatchRun.objects.get(pk=data["run"])
    assert run.audit == audit
    assert run.objective == "total"


def test_maximin_from_the_command_lifts_the_worst_pair_and_both_runs_show_side_by_side(
    client, cohort
):
    # The objectives' arithmetic is proved in test_audit; here: the command, the stored run,
    # the certificate of a maximin run and the page that puts the two runs side by side.
    co_mentor = AcceptedMentorFactory(cohort=cohort, location="CO")
    nm_mentor = AcceptedMentorFactory(cohort=cohort, location="NM")
    co_mentee = AcceptedFactory(cohort=cohort, location="CO")
    ok_mentee = AcceptedFactory(cohort=cohort, location="OK")

    total = _json(cohort.slug)
    maximin = _json(cohort.slug, "--objective", "maximin")

    assert maximin["objective"] == "maximin"
    assert maximin["audit"]["optimal"] is True
    assert maximin["audit"]["lowest_score"] >= total["audit"]["lowest_score"]
    assert maximin["total_score"] <= total["total_score"]
    assert len(maximin["pairs"]) >= len(total["pairs"])
    assert {co_mentor.pk, nm_mentor.pk} >= {p["mentor"] for p in maximin["pairs"]}
    assert {co_mentee.pk, ok_mentee.pk} >= {p["mentee"] for p in maximin["pairs"]}

    client.force_login(StaffFactory())
    page = client.get(reverse("admin:matching_matchrun_change", args=[maximin["run"]]))
    content = page.content.decode()
    assert "Best total and best for the worst-off, side by side" in content
    assert f"Run {total['run']}" in content
    assert "Optimal" in content and "proved" in content
    assert_valid_html(page.content, context="run page with the audit")


def test_the_cohorts_objective_is_the_default_and_a_run_records_it(cohort):
    cohort.matching_objective = "maximin"
    cohort.save()
    AcceptedMentorFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="CO")
    run = _run(cohort)
    assert run.objective == "maximin"
    assert run.audit["optimal"] is True
    assert _run(cohort, objective="total").objective == "total"


def test_the_run_page_shows_the_audit_and_recruiting_advice(client, cohort):
    AcceptedMentorFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="FL")
    AcceptedFactory(cohort=cohort, location="GA")
    run = _run(cohort)
    client.force_login(StaffFactory())
    content = client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).content.decode()
    assert "Audit" in content
    assert "upper bound 100.00" in content
    assert "South Atlantic 2" in content
    # One place per mentor by default: two mentors for the two in the South Atlantic.
    assert "2 more mentors like this would let 2 more mentees match" in content


def test_staff_choose_the_objective_when_they_run_matching(client, cohort):
    AcceptedMentorFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="CO")
    client.force_login(StaffFactory())
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    response = client.post(
        url,
        {
            "weight_background": 0,
            "weight_region": 10,
            "weight_interests": 0,
            "weight_shared_background": 0,
            "min_match_score": 40,
            "matching_objective": "maximin",
            "algorithm": "optimal",
        },
    )
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.matching_objective == "maximin"
    assert MatchRun.objects.get().objective == "maximin"


def test_starting_django_imports_no_heavy_library():
    """Django, every URL, every admin page and the task modules start without NumPy, SciPy,
    OR-tools, the chart, PDF or QR code libraries: each is imported where it is used."""
    code = (
        "import sys, django; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "from django.contrib import admin; admin.autodiscover(); "
        "from mentorship.celery import app; app.loader.import_default_modules(); "
        "import matching.runs, matching.decisions, matching.rematch, matching.reasons; "
        "heavy = {'numpy', 'scipy', 'ortools', 'pygal', 'weasyprint', 'segno'}; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, with code written here
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.strip() == ""


def test_recruiting_counts_only_the_mentees_new_mentors_would_add_with_places_still_free(
    cohort,
):
    AcceptedMentorFactory(cohort=cohort, location="CO")
    AcceptedMentorFactory(cohort=cohort, location="WA")  # a free place nobody near can take
    AcceptedFactory(cohort=cohort, location="CO")
    AcceptedFactory(cohort=cohort, location="FL")
    AcceptedFactory(cohort=cohort, location="GA")

    audit = _json(cohort.slug, "--dry-run")["audit"]

    (advice,) = audit["recruiting"]
    assert advice["profile"]["division"] == "South Atlantic"
    assert advice["profile"]["unmatched_mentees"] == 2
    assert (advice["more_mentors"], advice["more_mentees_matched"]) == (2, 2)
