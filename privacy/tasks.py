from celery import shared_task

from .retention import cohort_purge, cohorts_due

BEAT_TRIGGER = "scheduled job"


# Daily, from beat: one task per due cohort, so one cohort's failure holds up no other. Each
# task locks its cohort and removes only what still holds text: a second run removes nothing.
@shared_task
def purge_expired_data() -> int:
    ids = list(cohorts_due().values_list("pk", flat=True))
    for cohort_id in ids:
        purge_cohort.delay(cohort_id)
    return len(ids)


@shared_task(acks_late=True)
def purge_cohort(cohort_id: int) -> dict[str, int]:
    return cohort_purge(cohort_id=cohort_id, trigger=BEAT_TRIGGER)
