"""Writes of the cohorts app: the resource library's files live and die with their rows; a
cohort starts the next one."""

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import PurePath

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from .models import Cohort, Resource

logger = logging.getLogger(__name__)


def _delete_stored_file(*, storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        # The row is already gone or changed; a file left behind is only wasted space.
        logger.warning("Could not delete the resource file %s", name, exc_info=True)


def resource_save(*, resource: Resource) -> Resource:
    """Save a resource created or changed by staff; remove a file it no longer uses.

    The old file goes only once the transaction commits: a rolled-back change keeps its file.
    """
    if resource.file and not resource.file._committed:
        resource.original_filename = PurePath(resource.file.name).name
    elif not resource.file:
        resource.original_filename = ""
    storage = Resource._meta.get_field("file").storage
    with transaction.atomic():
        previous = (
            Resource.objects.filter(pk=resource.pk).values_list("file", flat=True).first()
            if resource.pk
            else None
        )
        resource.save()
        if previous and previous != resource.file.name:
            transaction.on_commit(lambda: _delete_stored_file(storage=storage, name=previous))
    return resource


def resources_changed(**kwargs) -> None:
    """A resource was saved or deleted (a signal receiver): every cohort's resource lists are
    read anew. Every cohort's, since a resource may be for all of them or move between them;
    a program has a handful of cohorts, so this is one small update."""
    Cohort.objects.update(resources_changed_at=timezone.now())


def resource_delete(*, resource: Resource) -> None:
    """Delete a resource and, once that is committed, its uploaded file."""
    name = resource.file.name
    storage = resource.file.storage
    with transaction.atomic():
        resource.delete()
        if name:
            transaction.on_commit(lambda: _delete_stored_file(storage=storage, name=name))


# ---------------------------------------------------------------------------------------------
# Starting the next cohort from this one
# ---------------------------------------------------------------------------------------------

# What a cohort passes on to the one started from it, besides its own fields: the settings staff
# tuned (capacity, commitment, matching weights). Dates are the form's (a year on, editable).
CARRIED_FIELDS = [
    "description",
    "orientation_duration",
    "orientation_details",
    "min_total_hours",
    "min_monthly_hours",
    "mentee_capacity",
    "mentor_capacity",
    "default_mentees_per_mentor",
    "max_mentees_per_mentor",
    "weight_background",
    "weight_region",
    "weight_interests",
    "weight_shared_background",
    "min_match_score",
]
DATE_FIELDS = [
    "applications_open_at",
    "application_deadline",
    "match_notification_date",
    "orientation_at",
    "period_start",
    "period_end",
]

# Apps above cohorts that own things of a cohort to carry over (outcomes' surveys) register a
# copier here in their AppConfig.ready(): called inside the transaction that creates the next
# cohort, as copier(source=old cohort, target=new cohort, years=1).
CohortCopier = Callable[..., None]
_copiers: list[CohortCopier] = []


def cohort_copier_register(copier: CohortCopier) -> None:
    if copier not in _copiers:
        _copiers.append(copier)


def a_year_later(value: date | datetime | None, years: int = 1) -> date | datetime | None:
    """The same day `years` later; February 29 becomes February 28."""
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def cohort_next_initial(cohort: Cohort) -> dict:
    """What the "Start the next cohort" form starts from: the dates a year on."""
    return {
        "name": f"{cohort.name} (next)",
        "slug": "",
        **{name: a_year_later(getattr(cohort, name)) for name in DATE_FIELDS},
    }


def cohort_start_next(*, cohort: Cohort, fields: dict) -> Cohort:
    """Create the cohort that follows `cohort`, with `fields` (name, slug, the dates) and the
    settings, resources and (through the copiers) surveys of `cohort`."""
    with transaction.atomic():
        follower = Cohort(
            follows=cohort,
            **{name: getattr(cohort, name) for name in CARRIED_FIELDS},
            **fields,
        )
        follower.full_clean()
        follower.save()
        for resource in Resource.objects.filter(cohort=cohort).order_by("pk"):
            _resource_copy(resource, follower)
        for copier in _copiers:
            copier(source=cohort, target=follower, years=1)
    return follower


def _resource_copy(resource: Resource, cohort: Cohort) -> Resource:
    copy = Resource(
        title=resource.title,
        description=resource.description,
        url=resource.url,
        audience=resource.audience,
        phase=resource.phase,
        cohort=cohort,
        order=resource.order,
        original_filename=resource.original_filename,
    )
    if resource.file:
        # A file of its own, not a second row on the same stored file: deleting either
        # resource deletes its file.
        storage = resource.file.storage
        with storage.open(resource.file.name) as source:
            copy.file.save(resource.download_name, File(source), save=False)
    copy.save()
    return copy
