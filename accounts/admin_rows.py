"""A change list's rows, as Django's `result_list` tag draws them, for less.

Django works out each cell from scratch: which field or method the column names, its label's
choices (a fresh dict of every choice, per cell), the empty value, the classes, the link and its
preserved filters, then `format_html` twice. On a page of fifty applications that was a third of
the page's time. Here each column's way of reading and showing its value is worked out once a
page, and each cell is then the same steps Django takes for it, with the same functions
(`display_for_field`, `display_for_value`), so the HTML is the same to the byte: the link to the
change page in the first column, the action checkbox, `field-<name>` classes, the admin's empty
value, everything escaped. `tests/accounts/test_admin_rows.py` compares the two on every list.

Lists Django draws differently (editable lists, popups, lists of a related key's choices) keep
Django's tag: `rows_html` returns None for them.
"""

import datetime
import functools
import html
from collections.abc import Callable
from typing import Any

from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# How a column reads its value.
_FIELD = "field"  # a model field Django shows with display_for_field
_RELATED = "related"  # a foreign key: the related object, or the empty value
_VALUE = "value"  # a method or callable (or the key itself): display_for_value
_LOOKUP = "lookup"  # anything else (a model property, "__str__", "a__b"): lookup_field per row


class _Column:
    """One column of the list: what Django's `items_for_result` decides for each of its cells,
    decided once."""

    def __init__(self, cl: ChangeList, index: int, name, *, link_tag: str | None):
        self.name = name
        self.link_tag = link_tag
        self.empty = cl.model_admin.get_empty_value_display()
        coerced = name if isinstance(name, str) else _callable_name(name, index)
        # A cell whose value cannot be read keeps the plain class (Django's way).
        self.plain_classes = f"field-{coerced}"
        self.classes = self.plain_classes
        self.field: models.Field | None = None
        self.choices: dict | None = None
        self.getter: Callable[[Any], Any] | None = None
        self.boolean = False
        self.moment = False  # a date, time or date and time field
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is not None and not field.auto_created:
            self.field = field
            self.moment = isinstance(field, (models.DateField, models.TimeField))
            if self.moment:
                # What a date or time cell is shown for: the same for every cell of the page.
                self.zone = timezone.get_current_timezone()
                self.language = get_language()
            self.kind = _RELATED if isinstance(field.remote_field, models.ManyToOneRel) else _FIELD
            if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
                self.classes += " nowrap"
            if self.kind == _FIELD and getattr(field, "flatchoices", None):
                try:
                    # Labels translated once a page rather than once a cell: the same text.
                    self.choices = {key: str(label) for key, label in field.flatchoices}
                except TypeError:
                    self.choices = None  # list-like choices: display_for_field's own way
            self.boolean = isinstance(field, models.BooleanField) and self.choices is None
            return
        if name == "action_checkbox":
            self.classes = "action-checkbox"
        if field is not None:  # the automatic key: shown as a value
            self.kind = _VALUE
            self.getter = _attribute(name)
            return
        if callable(name):
            self.kind = _VALUE
            self.getter = name
        elif hasattr(cl.model_admin, name) and name != "__str__":
            self.kind = _VALUE
            self.getter = getattr(cl.model_admin, name)
        else:
            self.kind = _LOOKUP
            return
        self.empty = getattr(self.getter, "empty_value_display", self.empty)
        self.boolean = getattr(self.getter, "boolean", False)

    def cell(self, result, model_admin, icons: dict) -> tuple[Any, str]:
        """The cell's content (escaped when written) and its classes."""
        if self.kind == _LOOKUP:
            return self._looked_up(result, model_admin, icons)
        try:
            value = getattr(result, self.name) if self.field else self.getter(result)
        except ObjectDoesNotExist:
            return self.empty, self.plain_classes
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if self.kind == _RELATED:
            return (self.empty if value is None else value), self.classes
        if self.kind == _FIELD:
            if self.choices is not None:
                try:
                    return self.choices.get(value, self.empty), self.classes
                except TypeError:
                    pass  # an unhashable value: display_for_field's own way
            elif self.boolean:
                return _icon(value, icons), self.classes
            elif self.moment and value is not None:
                return _moment(value, self.field, self.zone, self.language), self.classes
            shown = display_for_field(value, self.field, self.empty, avoid_link=bool(self.link_tag))
            return shown, self.classes
        return _value(value, self.empty, self.boolean, icons), _with_nowrap(self.classes, value)

    def _looked_up(self, result, model_admin, icons: dict) -> tuple[Any, str]:
        # As `items_for_result` does it for a name that is neither a field nor the admin's.
        try:
            _, attr, value = lookup_field(self.name, result, model_admin)
        except ObjectDoesNotExist:
            return self.empty, self.plain_classes
        empty = getattr(attr, "empty_value_display", self.empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        return _value(value, empty, boolean, icons), _with_nowrap(self.classes, value)


@functools.lru_cache(maxsize=4096)
def _moment(value, field: models.Field, zone, language: str | None) -> str:
    """A date, time or date and time as `display_for_field` shows it: localized and, for a date
    and time, in the current time zone. Kept, as its formatting (a translation a letter of the
    format) was a tenth of the applications list's time and the same values come back on each
    view. Called with the active zone and language, which with the value are what it depends
    on; the settings it reads clear it when they change (tests)."""
    return display_for_field(value, field, "")


def _forget_moments(**kwargs) -> None:
    _moment.cache_clear()


setting_changed.connect(_forget_moments, dispatch_uid="admin-rows-moments")


def escaped(value) -> str:
    """`conditional_escape(value)`, the same text, without Django's lazy-argument wrapper:
    a list page escapes a thousand values, and the wrapper cost three times the escaping."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _callable_name(function, index: int) -> str:
    return f"lambda{index}" if function.__name__ == "<lambda>" else function.__name__


def _attribute(name: str) -> Callable[[Any], Any]:
    return lambda result: getattr(result, name)


def _with_nowrap(classes: str, value) -> str:
    return f"{classes} nowrap" if isinstance(value, (datetime.date, datetime.time)) else classes


def _icon(value, icons: dict):
    """The yes, no or unknown icon, as `display_for_value` draws it: the same three on every
    row, their static addresses looked up once a page (keyed by type too: 1 == True, but its
    icon's text is "1")."""
    key = (type(value), value)
    if key not in icons:
        icons[key] = display_for_value(value, "", boolean=True)
    return icons[key]


def _value(value, empty, boolean: bool, icons: dict):
    return _icon(value, icons) if boolean else display_for_value(value, empty)


def _columns(cl: ChangeList) -> list[_Column]:
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        links = cl.list_display_links
        link = links is not None and ((first and not links) or name in links)
        tag = None
        if link:
            tag = "th" if first else "td"
            first = False
        columns.append(_Column(cl, index, name, link_tag=tag))
    return columns


def _query_of_row_links(cl: ChangeList, sample_url: str) -> str:
    """What `add_preserved_filters` appends to each row's link: the same for every row, as the
    links differ only in the key."""
    linked = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, sample_url
    )
    _, mark, query = linked.partition("?")
    return mark + query


def rows_html(cl: ChangeList) -> SafeString | None:
    """The `<tbody>` rows of `cl`'s page, or None where Django's own tag must draw them."""
    if cl.formset is not None or cl.is_popup or cl.to_field:
        return None
    model_admin = cl.model_admin
    columns = _columns(cl)
    icons: dict = {}
    query = None
    parts = []
    for result in cl.result_list:
        cells = []
        for column in columns:
            content, classes = column.cell(result, model_admin, icons)
            if column.link_tag is None:
                cells.append(f'<td class="{classes}">{escaped(content)}</td>')
                continue
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                link_or_text = escaped(content)
            else:
                if query is None:
                    query = _query_of_row_links(cl, url)
                link_or_text = f'<a href="{escaped(url + query)}">{escaped(content)}</a>'
            tag = column.link_tag
            cells.append(f'<{tag} class="{classes}">{link_or_text}</{tag}>')
        parts.append(f"\n\n<tr>{''.join(cells)}</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308  (each cell escaped above)
