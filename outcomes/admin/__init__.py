"""Outcomes in the staff admin, one module per area: `certificates` (the list, revoking, issuing
as an exception)."""

from . import certificates  # noqa: F401  (registers its ModelAdmin)
