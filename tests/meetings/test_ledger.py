"""The hour ledger's arithmetic: pure dates and minutes, month edges included."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dates import months_between
from core.text import duration_short_text
from meetings.ledger import LedgerStatus, MonthState, ledger_compute

OCT, NOV, DEC, JAN, FEB, MAR = (
    date(2026, 10, 1),
    date(2026, 11, 1),
    date(2026, 12, 1),
    date(2027, 1, 1),
    date(2027, 2, 1),
    date(2027, 3, 1),
)


def pilot(minutes: dict, today: date, **kwargs):
    """The pilot's rule: six hours over Oct 1 to Mar 31, at least one hour a month."""
    return ledger_compute(
        period_start=date(2026, 10, 1),
        period_end=date(2027, 3, 31),
        required_total_minutes=360,
        required_monthly_minutes=60,
        minutes_by_month=minutes,
        today=today,
        **kwargs,
    )


def test_the_pilot_period_has_six_calendar_months_across_the_new_year():
    assert months_between(date(2026, 10, 1), date(2027, 3, 31)) == [OCT, NOV, DEC, JAN, FEB, MAR]


def test_a_period_starting_mid_month_counts_each_month_it_touches():
    assert months_between(date(2026, 10, 15), date(2027, 1, 14)) == [OCT, NOV, DEC, JAN]


def test_before_the_period_every_month_is_upcoming_and_nothing_has_started():
    ledger = pilot({}, date(2026, 9, 30))
    assert ledger.status == LedgerStatus.NOT_STARTED
    assert {m.state for m in ledger.months} == {MonthState.UPCOMING}
    assert "October 1" in ledger.reason


def test_on_the_first_day_the_first_month_is_in_progress_and_the_pair_on_track():
    ledger = pilot({}, date(2026, 10, 1))
    assert ledger.months[0].state == MonthState.IN_PROGRESS
    assert ledger.months[1].state == MonthState.UPCOMING
    assert ledger.status == LedgerStatus.ON_TRACK


def test_a_month_with_exactly_the_minimum_is_met_and_one_minute_less_is_missed():
    ledger = pilot({OCT: 60, NOV: 59}, date(2026, 12, 5))
    assert [m.state for m in ledger.months[:3]] == [
        MonthState.MET,
        MonthState.MISSED,
        MonthState.IN_PROGRESS,
    ]


def test_the_current_month_shows_met_as_soon_as_its_minimum_is_reached():
    ledger = pilot({OCT: 60, NOV: 60}, date(2026, 11, 30))
    assert ledger.months[1].state == MonthState.MET


def test_on_the_last_day_of_a_month_that_month_is_still_in_progress_not_missed():
    ledger = pilot({OCT: 60}, date(2026, 11, 30))
    assert ledger.months[1].state == MonthState.IN_PROGRESS
    assert ledger.status == LedgerStatus.ON_TRACK


def test_on_the_first_of_the_next_month_an_empty_month_makes_the_pair_at_risk():
    ledger = pilot({OCT: 60}, date(2026, 12, 1))
    assert ledger.months[1].state == MonthState.MISSED
    assert ledger.status == LedgerStatus.AT_RISK
    assert ledger.reason == "No meeting was logged in November."


def test_a_short_last_month_puts_the_pair_behind_pace():
    ledger = pilot({OCT: 90, NOV: 30}, date(2026, 12, 10))
    assert ledger.status == LedgerStatus.BEHIND
    assert "November had 30 min" in ledger.reason


def test_fewer_minutes_than_the_prorated_commitment_is_behind_pace():
    # Two months done: 120 minutes expected, 100 logged, though November met its minimum.
    ledger = pilot({OCT: 40, NOV: 60}, date(2026, 12, 10))
    assert ledger.status == LedgerStatus.BEHIND
    assert "2 h expected" in ledger.reason


def test_needing_more_than_twice_the_pace_for_the_months_left_is_at_risk():
    # February: 2 months left (Feb, Mar), 5 h still needed > 2 x 1 h x 2 months.
    minutes = {OCT: 15, NOV: 15, DEC: 15, JAN: 15}
    ledger = pilot(minutes, date(2027, 2, 3))
    assert ledger.status == LedgerStatus.AT_RISK
    assert "5 h still needed in 2 months" in ledger.reason


def test_catching_up_within_twice_the_pace_is_behind_not_at_risk():
    minutes = {OCT: 60, NOV: 30, DEC: 60, JAN: 30}
    ledger = pilot(minutes, date(2027, 2, 3))
    assert ledger.status == LedgerStatus.BEHIND


def test_a_pair_ahead_of_pace_is_on_track_and_says_what_is_left():
    ledger = pilot({OCT: 120, NOV: 90}, date(2026, 12, 2))
    assert ledger.status == LedgerStatus.ON_TRACK
    assert ledger.reason == "2 h 30 min to go."
    assert ledger.percent == 58
    assert ledger.remaining_minutes == 150


def test_after_the_period_every_month_and_the_total_met_is_commitment_met():
    ledger = pilot(dict.fromkeys([OCT, NOV, DEC, JAN, FEB, MAR], 60), date(2027, 4, 1))
    assert ledger.status == LedgerStatus.MET
    assert ledger.months_met == 6
    assert ledger.percent == 100


def test_after_the_period_a_missed_month_fails_the_commitment_even_with_the_total():
    minutes = {OCT: 120, NOV: 60, DEC: 0, JAN: 60, FEB: 60, MAR: 60}
    ledger = pilot(minutes, date(2027, 4, 2))
    assert ledger.status == LedgerStatus.NOT_MET
    assert ledger.reason == "1 month under the minimum."


def test_after_the_period_the_last_month_is_judged_not_left_in_progress():
    ledger = pilot(dict.fromkeys([OCT, NOV, DEC, JAN, FEB], 60), date(2027, 4, 1))
    assert ledger.months[-1].state == MonthState.MISSED
    assert ledger.status == LedgerStatus.NOT_MET
    assert "5 h of 6 h in total" in ledger.reason


def test_an_ended_pair_says_so_whatever_its_minutes():
    ledger = pilot({OCT: 60}, date(2026, 12, 20), ended_on=date(2026, 12, 15))
    assert ledger.status == LedgerStatus.ENDED
    assert ledger.reason == "Ended on December 15, 2026."


def test_no_required_hours_is_always_complete():
    ledger = ledger_compute(
        period_start=OCT,
        period_end=date(2026, 12, 31),
        required_total_minutes=0,
        required_monthly_minutes=0,
        minutes_by_month={},
        today=date(2026, 11, 15),
    )
    assert ledger.percent == 100
    assert ledger.status == LedgerStatus.ON_TRACK


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0 min"), (45, "45 min"), (60, "1 h"), (75, "1 h 15 min"), (360, "6 h")],
)
def test_minutes_read_as_hours_and_minutes(minutes, text):
    assert duration_short_text(minutes) == text


month_minutes = st.dictionaries(
    st.sampled_from([OCT, NOV, DEC, JAN, FEB, MAR]), st.integers(min_value=0, max_value=600)
)
days = st.dates(min_value=date(2026, 9, 1), max_value=date(2027, 5, 1))


@given(minutes=month_minutes, today=days)
def test_the_total_is_the_sum_of_the_months_and_the_bar_never_passes_100(minutes, today):
    ledger = pilot(minutes, today)
    assert ledger.total_minutes == sum(minutes.values())
    assert 0 <= ledger.percent <= 100
    assert ledger.total_minutes + ledger.remaining_minutes >= ledger.required_minutes


@given(minutes=month_minutes, today=days)
def test_a_month_is_met_exactly_when_its_minutes_reach_the_minimum_once_judged(minutes, today):
    for month in pilot(minutes, today).months:
        if month.state == MonthState.MET:
            assert month.minutes >= 60
        if month.state == MonthState.MISSED:
            assert month.minutes < 60
            assert month.month < today.replace(day=1) or today > date(2027, 3, 31)


@given(minutes=month_minutes, today=days, extra=st.integers(min_value=1, max_value=300))
def test_more_minutes_never_make_the_status_worse(minutes, today, extra):
    rank = {
        LedgerStatus.AT_RISK: 0,
        LedgerStatus.BEHIND: 1,
        LedgerStatus.ON_TRACK: 2,
        LedgerStatus.NOT_MET: 0,
        LedgerStatus.MET: 1,
        LedgerStatus.NOT_STARTED: 0,
    }
    month = today.replace(day=1)
    if month not in (OCT, NOV, DEC, JAN, FEB, MAR):
        return
    before = pilot(minutes, today)
    after = pilot({**minutes, month: minutes.get(month, 0) + extra}, today)
    assert rank[after.status] >= rank[before.status]
