"""The hour ledger: minutes met per calendar month against the cohort's commitment.

Pure arithmetic on dates and minutes, no database: the selectors in `selectors.py` feed it the
minutes of held meetings grouped by month.

The status, in the order it is decided while the period runs:
- *at risk*: the last finished month had no meeting at all, or the hours still needed exceed
  twice the usual monthly pace over the months left (catching up would mean meeting more than
  twice as often as planned, every month, to the end);
- *behind pace*: fewer minutes than the commitment prorated over the finished months, or the
  last finished month under the monthly minimum;
- *on track* otherwise.
Before the period: *not started*. After it: *commitment met* when the total and every month's
minimum were met, else *commitment not met*. A pair ended early by staff: *ended*.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from core.dates import months_between
from core.text import day_in_year_text, day_text, duration_short_text, month_name_text

CATCH_UP_FACTOR = 2


class LedgerStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    BEHIND = "behind", "Behind pace"
    AT_RISK = "at_risk", "At risk"
    MET = "met", "Commitment met"
    NOT_MET = "not_met", "Commitment not met"
    ENDED = "ended", "Ended early"


# Once the period is over, the status is the commitment's verdict: nothing more to remind of.
FINAL_STATUSES = frozenset({LedgerStatus.MET, LedgerStatus.NOT_MET})


class MonthState(models.TextChoices):
    MET = "met", "Minimum met"
    MISSED = "missed", "Minimum missed"
    IN_PROGRESS = "in_progress", "This month"
    UPCOMING = "upcoming", "Upcoming"


@dataclass(frozen=True)
class LedgerMonth:
    month: date  # the first day of the calendar month
    minutes: int
    required: int
    state: MonthState

    @property
    def is_met(self) -> bool:
        return self.minutes >= self.required


@dataclass(frozen=True)
class Ledger:
    months: list[LedgerMonth]
    total_minutes: int
    required_minutes: int
    required_monthly_minutes: int
    status: LedgerStatus
    reason: str

    @property
    def percent(self) -> int:
        if self.required_minutes == 0:
            return 100
        return min(100, self.total_minutes * 100 // self.required_minutes)

    @property
    def remaining_minutes(self) -> int:
        return max(0, self.required_minutes - self.total_minutes)

    def month_row(self, month: date) -> LedgerMonth | None:
        """The row of a month (its first day); None outside the period."""
        return next((row for row in self.months if row.month == month), None)

    @property
    def months_met(self) -> int:
        return sum(1 for m in self.months if m.state == MonthState.MET)


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value())


def ledger_compute(
    *,
    period_start: date,
    period_end: date,
    required_total_minutes: int,
    required_monthly_minutes: int,
    minutes_by_month: Mapping[date, int],
    today: date,
    ended_on: date | None = None,
) -> Ledger:
    months = months_between(period_start, period_end)
    this_month = today.replace(day=1)
    rows = []
    for month in months:
        minutes = minutes_by_month.get(month, 0)
        if month < this_month or today > period_end:
            state = MonthState.MET if minutes >= required_monthly_minutes else MonthState.MISSED
        elif month == this_month and today >= period_start:
            met_already = minutes >= required_monthly_minutes
            state = MonthState.MET if met_already else MonthState.IN_PROGRESS
        else:
            state = MonthState.UPCOMING
        rows.append(LedgerMonth(month, minutes, required_monthly_minutes, state))
    total = sum(row.minutes for row in rows)

    status, reason = _status(
        rows=rows,
        total=total,
        required_total=required_total_minutes,
        required_monthly=required_monthly_minutes,
        period_start=period_start,
        period_end=period_end,
        today=today,
        ended_on=ended_on,
    )
    return Ledger(
        months=rows,
        total_minutes=total,
        required_minutes=required_total_minutes,
        required_monthly_minutes=required_monthly_minutes,
        status=status,
        reason=reason,
    )


def _status(
    *,
    rows: list[LedgerMonth],
    total: int,
    required_total: int,
    required_monthly: int,
    period_start: date,
    period_end: date,
    today: date,
    ended_on: date | None,
) -> tuple[LedgerStatus, str]:
    if ended_on is not None:
        return LedgerStatus.ENDED, f"Ended on {day_text(ended_on)}."
    if today < period_start:
        return LedgerStatus.NOT_STARTED, (
            f"The mentorship period starts on {day_in_year_text(period_start)}."
        )
    missed = [row for row in rows if row.state == MonthState.MISSED]
    if today > period_end:
        if total >= required_total and not missed:
            return LedgerStatus.MET, "Every month's minimum and the total were met."
        shortfalls = []
        if total < required_total:
            shortfalls.append(
                f"{duration_short_text(total)} of {duration_short_text(required_total)} in total"
            )
        if missed:
            shortfalls.append(
                f"{len(missed)} month{'s' if len(missed) != 1 else ''} under the minimum"
            )
        return LedgerStatus.NOT_MET, "; ".join(shortfalls).capitalize() + "."

    finished = [row for row in rows if row.month < today.replace(day=1)]
    months_left = len(rows) - len(finished)
    needed = max(0, required_total - total)
    pace = max(required_monthly, math.ceil(required_total / len(rows)))
    last = finished[-1] if finished else None

    if last is not None and last.minutes == 0 and required_monthly > 0:
        return LedgerStatus.AT_RISK, f"No meeting was logged in {month_name_text(last.month)}."
    if needed > CATCH_UP_FACTOR * pace * months_left:
        return LedgerStatus.AT_RISK, (
            f"{duration_short_text(needed)} still needed in {months_left} "
            f"month{'s' if months_left != 1 else ''}: more than twice the usual pace."
        )
    expected = required_total * len(finished) // len(rows)
    if total < expected:
        return LedgerStatus.BEHIND, (
            f"{duration_short_text(total)} logged; {duration_short_text(expected)} expected by now."
        )
    if last is not None and last.minutes < required_monthly:
        return LedgerStatus.BEHIND, (
            f"{month_name_text(last.month)} had {duration_short_text(last.minutes)}, "
            f"under the {duration_short_text(required_monthly)} monthly minimum."
        )
    if needed == 0:
        return LedgerStatus.ON_TRACK, "The total commitment is already met."
    return LedgerStatus.ON_TRACK, f"{duration_short_text(needed)} to go."
