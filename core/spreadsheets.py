"""CSV files that staff download and open in a spreadsheet."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): a member's
# name or a free-text answer must never become one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading apostrophe defuses a would-be formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _attach(response: HttpResponse | StreamingHttpResponse, name: str):
    """Name the download after what it holds and when: "applications-20261130-1415.csv"."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def csv_response(name: str, rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A CSV download of `rows` (the header first), every cell defused."""
    response = HttpResponse(content_type=CONTENT_TYPE)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(csv_safe(cell) for cell in row)
    return _attach(response, name)


class _Echo:
    """A file-like object whose write returns the line, for streaming with csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_stream(name: str, rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Like csv_response, streamed: for exports of any size. `rows` is read as the response
    is sent, so read the database before (a list), and let the generator only format."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([csv_safe(cell) for cell in row]) for row in rows)
    return _attach(StreamingHttpResponse(lines, content_type=CONTENT_TYPE), name)
