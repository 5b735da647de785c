"""Match runs: starting one (checked, recorded, handed to a worker) and executing it (computed,
its proposals saved). Staff decide on the proposals afterwards (see `decisions`)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.models import Application, Role
from cohorts.models import Cohort, MatchingObjective

from .exceptions import MatchingError
from .models import Algorithm, Match, MatchRun
from .scoring import Weights
from .selectors import cohort_weights, match_run_compare

if TYPE_CHECKING:
    from .engine import MatchResult

logger = logging.getLogger(__name__)

# A run still unfinished this long after the worker's time limit died with its worker.
STALE_RUN_GRACE = timedelta(seconds=60)
# How much of a failed run's error is kept on the run for staff.
RUN_ERROR_MAX_LENGTH = 2000
PROPOSALS_PER_INSERT = 1000


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.MATCHING_TIME_LIMIT) + STALE_RUN_GRACE


def match_run_start(
    *,
    cohort: Cohort,
    started_by=None,
    algorithm: str = Algorithm.OPTIMAL,
    objective: str | None = None,
    enqueue: bool = True,
    now: datetime | None = None,
) -> MatchRun:
    """Record a run and hand it to a worker once the transaction commits.

    `objective` (total or maximin) defaults to the cohort's. `enqueue=False` leaves the run
    queued for the caller to execute (the command line).
    """
    from .tasks import run_matching  # the task module imports this one

    if algorithm not in Algorithm.values:
        raise MatchingError(f"Unknown algorithm {algorithm!r}: use optimal or greedy.")
    if objective is not None and objective not in MatchingObjective.values:
        raise MatchingError(f"Unknown objective {objective!r}: use total or maximin.")
    now = now or timezone.now()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.phase_at(now) == Cohort.Phase.COMPLETED:
            raise MatchingError(f"{cohort.name} has finished; its matches can no longer change.")
        # A worker that died mid-run leaves its run "running"; after the time limit it is over.
        MatchRun.objects.for_cohort(cohort).unfinished().filter(
            created_at__lt=now - _stale_after()
        ).update(
            status=MatchRun.Status.FAILED,
            finished_at=now,
            error="The run did not finish within the time limit.",
        )
        running = MatchRun.objects.for_cohort(cohort).unfinished().first()
        if running is not None:
            raise MatchingError(
                f"A matching run for {cohort.name} is already "
                f"{running.get_status_display().lower()} (run {running.pk}). Wait for it to "
                "finish, then run again."
            )
        accepted = Application.objects.for_cohort(cohort).accepted()
        missing = [
            label
            for label, role in (("mentors", Role.MENTOR), ("mentees", Role.MENTEE))
            if not accepted.filter(role=role).exists()
        ]
        if missing:
            raise MatchingError(
                f"{cohort.name} has no accepted {' or '.join(missing)} yet. Accept applications "
                "before running matching."
            )
        run = MatchRun.objects.create(
            cohort=cohort,
            algorithm=algorithm,
            objective=objective or cohort.matching_objective,
            started_by=started_by,
            weights=cohort_weights(cohort).as_dict(),
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.pk, run_matching))
    return run


def _enqueue(run_id: int, task) -> None:
    try:
        task.delay(run_id)
    except Exception as exc:
        # The broker is down: say so on the run rather than leave it queued for nothing.
        logger.exception("Could not enqueue matching run %s", run_id)
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"The task queue could not be reached ({type(exc).__name__}). Try again.",
        )


def match_run_execute(*, run_id: int) -> MatchResult | None:
    """Compute a queued run and save its proposals. Safe to call twice: the second does nothing.

    Proposals of earlier runs still waiting for a decision are superseded; approved matches
    stay and the run only fills the places left.
    """
    from .engine import match_compute  # the engine (and NumPy) only where a run executes

    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    run = MatchRun.objects.select_related("cohort").get(pk=run_id)
    weights = Weights(**run.weights)
    try:
        result = match_compute(
            cohort=run.cohort,
            algorithm=run.algorithm,
            weights=weights,
            objective=run.objective,
        )
        with transaction.atomic():
            # Approvals take the same lock, so none can slip in between the check and the save.
            Cohort.objects.select_for_update().get(pk=run.cohort_id)
            approved_now = sorted(
                Match.objects.for_cohort(run.cohort).approved().values_list("pk", flat=True)
            )
            if approved_now != result.inputs.approved_ids:
                result = match_compute(
                    cohort=run.cohort,
                    algorithm=run.algorithm,
                    weights=weights,
                    objective=run.objective,
                )
            _save_result(run, result)
    except Exception as exc:
        logger.exception("Matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:RUN_ERROR_MAX_LENGTH],
        )
        return None
    return result


def _save_result(run: MatchRun, result: MatchResult) -> None:
    Match.objects.for_cohort(run.cohort).proposed().update(status=Match.Status.SUPERSEDED)
    Match.objects.bulk_create(
        [
            Match(
                cohort=run.cohort,
                run=run,
                mentor_id=p.mentor,
                mentee_id=p.mentee,
                score=Decimal(f"{p.score:.2f}"),
                components=p.components,
                reasons=p.reasons,
            )
            for p in result.pairs
        ],
        batch_size=PROPOSALS_PER_INSERT,
    )
    inputs = result.inputs
    run.status = MatchRun.Status.DONE
    run.finished_at = timezone.now()
    run.mentors = inputs.accepted_mentors
    run.mentees = inputs.accepted_mentees
    run.mentor_slots = sum(inputs.capacity.values())
    run.approved_kept = len(inputs.approved_ids)
    run.pairs_proposed = len(result.pairs)
    run.total_score = Decimal(f"{result.total_score:.2f}")
    run.mean_score = None if result.mean_score is None else Decimal(f"{result.mean_score:.2f}")
    run.min_score = None if result.min_score is None else Decimal(f"{result.min_score:.2f}")
    run.unmatched = [asdict(u) for u in result.unmatched]
    run.unmatched_mentors = result.unmatched_count(Role.MENTOR)
    run.unmatched_mentees = result.unmatched_count(Role.MENTEE)
    run.timings = result.timings
    run.audit = result.audit
    run.comparison = match_run_compare(run)  # its pairs are saved above
    run.save()
