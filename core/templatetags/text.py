"""The words of `core.text` in templates: `{% load text %}`, then `{{ cohort.period_start|day }}`.

One filter per idea, so a page says a date the way an email does. Moments are shown in the
active time zone (the member's, set by `MemberTimeZoneMiddleware`, or a `{% timezone %}` block):
each filter receives the value already converted, as Django's own `date` filter does. An empty
value gives "", so `|default:"..."` still works.
"""

from collections.abc import Callable

from django import template

from core import text

register = template.Library()


def _filter(name: str, function: Callable[..., str]) -> None:
    def show(value) -> str:
        return "" if value in (None, "") else function(value)

    show.__name__ = name
    show.__doc__ = function.__doc__
    register.filter(name, show, expects_localtime=True)


for _name, _function in {
    "day": text.day_text,
    "day_in_year": text.day_in_year_text,
    "day_with_weekday": text.day_with_weekday_text,
    "moment": text.moment_text,
    "moment_with_weekday": text.moment_with_weekday_text,
    "time": text.time_text,
    "clock": text.clock_text,
    "month": text.month_text,
    "month_short": text.month_short_text,
    "duration": text.duration_text,
    "hours": text.hours_text,
}.items():
    _filter(_name, _function)
