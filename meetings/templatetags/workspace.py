from django import template

from core.text import duration_short_text
from meetings.ledger import LedgerStatus, MonthState

register = template.Library()

STATUS_STYLES = {
    LedgerStatus.ON_TRACK: "success",
    LedgerStatus.MET: "success",
    LedgerStatus.BEHIND: "warning",
    LedgerStatus.AT_RISK: "danger",
    LedgerStatus.NOT_MET: "danger",
    LedgerStatus.NOT_STARTED: "secondary",
    LedgerStatus.ENDED: "secondary",
}

# A symbol beside each month's words: colour is never the only sign.
MONTH_SYMBOLS = {
    MonthState.MET: "✓",
    MonthState.MISSED: "✗",
    MonthState.IN_PROGRESS: "…",
    MonthState.UPCOMING: "·",
}


@register.filter
def minutes(value: int) -> str:
    return duration_short_text(int(value or 0))


@register.filter
def status_style(status: str) -> str:
    return STATUS_STYLES.get(status, "secondary")


@register.filter
def month_symbol(state: str) -> str:
    return MONTH_SYMBOLS.get(state, "")
