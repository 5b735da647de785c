from celery import shared_task
from django.utils import timezone

from .certificates import cohorts_due_for_closing, pair_close, pair_ids_to_close

# ---------------------------------------------------------------------------------------------
# Completion and certificates
# ---------------------------------------------------------------------------------------------


# Daily, from beat: every cohort whose closing day has come (and not long gone), one task per
# pair. Certificates are unique per pair and role and the closing emails keyed the same way,
# so running it again, or every day of the window, issues and sends nothing more.
@shared_task
def close_cohorts() -> int:
    count = 0
    for cohort_id in cohorts_due_for_closing(today=timezone.localdate()).values_list(
        "pk", flat=True
    ):
        for match_id in pair_ids_to_close(cohort_id=cohort_id):
            close_pair.delay(match_id)
            count += 1
    return count


@shared_task(acks_late=True)
def close_pair(match_id: int) -> str:
    return ", ".join(pair_close(match_id=match_id)) or "nothing new"
