"""Compatibility only (issue 12): `mentorship/demo.py`, being split into a package at the same
time, still imports these names from here. Once it imports them from their modules (below),
delete this file. New code imports from `runs`, `decisions`, `ending` and `release`."""

from .decisions import match_create, matches_approve
from .ending import match_end
from .release import matches_release
from .runs import match_run_execute, match_run_start

__all__ = [
    "match_create",
    "match_end",
    "match_run_execute",
    "match_run_start",
    "matches_approve",
    "matches_release",
]
