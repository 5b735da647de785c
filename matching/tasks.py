from celery import shared_task
from django.conf import settings

from .services import match_run_execute


# The run is claimed with a conditional update (queued -> running), so a redelivered task
# finds it claimed and does nothing.
@shared_task(
    acks_late=True,
    soft_time_limit=settings.MATCHING_TIME_LIMIT - 30,
    time_limit=settings.MATCHING_TIME_LIMIT,
)
def run_matching(run_id: int) -> str:
    result = match_run_execute(run_id=run_id)
    return "skipped" if result is None else f"{len(result.pairs)} pairs"
