"""Demo data: realistic enough to click through every state of the program.

- `accounts`: the demo sign-ins (staff, a mentee and mentor who are a pair, an outsider).
- `scenario`: `seed_demo`, the whole story: a cohort per phase, pairs, meeting histories.
- `workspaces`: one pair's expectations, goals and meetings, written through the real services.
- `generated`: `seed_cohort` and `seed_applicants`, reproducible cohorts of any size.
- `dates`: the program's rhythm of dates, computed from today.
"""

from .accounts import DEFAULT_PASSWORD, DEMO_ACCOUNTS
from .generated import seed_cohort
from .scenario import seed_demo

__all__ = ["DEFAULT_PASSWORD", "DEMO_ACCOUNTS", "seed_cohort", "seed_demo"]
