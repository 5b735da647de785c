"""The project's admin site: Django's, with one guard in front of every admin page: query
values the database or Python cannot take (a NUL, a date beyond the years the program uses)
are dropped with a message, where Django would answer with a 500. Its sign-in page is allauth's,
which asks for the second factor."""

import functools
import re
from datetime import date

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.dateparse import parse_date, parse_datetime

from core.validators import EARLIEST_YEAR, LATEST_YEAR

DATE_PARTS = {"year": (EARLIEST_YEAR, LATEST_YEAR), "month": (1, 12), "day": (1, 31)}
ASCII_NUMBER_RE = re.compile(r"[0-9]{1,4}")


def _date_lookup_is_sane(key: str, value: str) -> bool:
    """Whether a query-string lookup's date can be shown and queried in every time zone.

    The admin's date drill-down (field__year, __month, __day) builds a datetime from these
    numbers and its range filters (field__gte, __lt) parse an ISO date; a year like 9999, or a
    number too large for a C long, then raises OverflowError instead of an error message.
    """
    part = key.rpartition("__")[2]
    if part in DATE_PARTS:
        low, high = DATE_PARTS[part]
        return bool(ASCII_NUMBER_RE.fullmatch(value)) and low <= int(value) <= high
    try:
        moment: date | None = parse_datetime(value) or parse_date(value)
    except ValueError:
        return True  # not a real date: the admin reports it as a bad lookup itself
    return moment is None or EARLIEST_YEAR <= moment.year <= LATEST_YEAR


class ProgramAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Everyone signs in through allauth's page, where the second factor is asked; the
        # admin's own form checks the password alone.
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        @functools.wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # PostgreSQL refuses a NUL in a query, whatever the filter.
            unusable = [
                key for key, values in request.GET.lists() if any("\x00" in v for v in values)
            ]
            dates = [
                key
                for key, values in request.GET.lists()
                if "__" in key and not all(_date_lookup_is_sane(key, v) for v in values)
            ]
            bad = set(unusable) | set(dates)
            if not bad:
                return view(request, *args, **kwargs)
            # Dropped rather than reported as an "incorrect lookup", which would lose the
            # other filters too.
            if dates:
                messages.error(
                    request,
                    f"That date filter was left out: dates run from the year {EARLIEST_YEAR} "
                    f"to {LATEST_YEAR}.",
                )
            if unusable:
                messages.error(request, "A filter holding a NUL character was left out.")
            # A drill-down's month and day mean nothing without its year.
            fields = {key.rpartition("__")[0] for key in bad}
            query = request.GET.copy()
            for key in list(query):
                field, _, part = key.rpartition("__")
                if key in bad or (field in fields and part in DATE_PARTS):
                    del query[key]
            return HttpResponseRedirect(
                f"{request.path}?{query.urlencode()}" if query else request.path
            )

        return super().admin_view(checked, cacheable)
