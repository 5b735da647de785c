"""What apps above meetings add to its staff views, registered from their `AppConfig.ready()`:
this app may not import them (the layers run one way).

- A *pair flag* marks pairs staff should look at for a reason meetings does not know (a low
  survey answer): a column and a filter in the pair list.
- A *digest section* adds a list to the weekly staff digest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet


@dataclass(frozen=True)
class PairFlag:
    key: str  # the filter's value in the query string
    label: str  # a few words, shown in the pair list
    # The flagged pairs' ids, as a subquery usable in `pk__in=`.
    pair_ids: Callable[[], QuerySet]


@dataclass(frozen=True)
class DigestSection:
    key: str
    # The section for the week (JSON: {"title", "intro", "items": [{"text", "url"}], "more"}),
    # or None when there is nothing to say.
    compute: Callable[[datetime], dict | None]


_pair_flags: dict[str, PairFlag] = {}
_digest_sections: dict[str, DigestSection] = {}


def pair_flag_register(flag: PairFlag) -> None:
    _pair_flags[flag.key] = flag


def pair_flags() -> list[PairFlag]:
    return list(_pair_flags.values())


def digest_section_register(section: DigestSection) -> None:
    _digest_sections[section.key] = section


def digest_sections() -> list[DigestSection]:
    return list(_digest_sections.values())
