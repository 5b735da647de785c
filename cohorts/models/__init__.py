"""A cohort (its calendar, rules and orientation) and the resources shared with it.

Everything stays importable from `cohorts.models`: old migrations name
`cohorts.models.resource_upload_to` and `cohorts.models.validate_resource_file_size`.
"""

from .cohort import (
    ORIENTATION_MINUTES_MAX,
    ORIENTATION_MINUTES_MIN,
    Cohort,
    CohortQuerySet,
    MatchingObjective,
)
from .resource import (
    RESOURCE_FILE_EXTENSIONS,
    RESOURCE_FILE_MAX_BYTES,
    RESOURCE_FILE_MAX_LABEL,
    Resource,
    ResourceQuerySet,
    resource_upload_to,
    validate_resource_file_size,
)

__all__ = [
    "ORIENTATION_MINUTES_MAX",
    "ORIENTATION_MINUTES_MIN",
    "RESOURCE_FILE_EXTENSIONS",
    "RESOURCE_FILE_MAX_BYTES",
    "RESOURCE_FILE_MAX_LABEL",
    "Cohort",
    "CohortQuerySet",
    "MatchingObjective",
    "Resource",
    "ResourceQuerySet",
    "resource_upload_to",
    "validate_resource_file_size",
]
