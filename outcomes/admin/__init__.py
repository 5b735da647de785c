"""Outcomes in the staff admin, one module per area: `surveys` (and their results page) and
`certificates` (the list, revoking, issuing as an exception)."""

from . import certificates  # noqa: F401  (registers its ModelAdmin)
from .surveys import SurveyAdmin

__all__ = ["SurveyAdmin"]
