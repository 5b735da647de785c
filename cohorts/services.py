"""Writes of the cohorts app: the resource library's files live and die with their rows."""

import logging
from pathlib import PurePath

from django.core.files.storage import Storage
from django.db import transaction

from .models import Resource

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


def resource_delete(*, resource: Resource) -> None:
    """Delete a resource and, once that is committed, its uploaded file."""
    name = resource.file.name
    storage = resource.file.storage
    with transaction.atomic():
        resource.delete()
        if name:
            transaction.on_commit(lambda: _delete_stored_file(storage=storage, name=name))
