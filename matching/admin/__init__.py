"""Matching in the staff admin, one module per page group: `runs` (run matching, a run's result
and decisions), `matches` (the list and a match's page, ending a match), `add_match` (a match
made by hand), `release` (releasing approved matches, and the cohort admin's release action).
`common` holds what they share: page helpers and what staff may read of scores."""

from . import matches, release, runs  # noqa: F401  (each registers its ModelAdmin)
