"""The staff admin as a privacy boundary, shared by every ModelAdmin of the project.

Django's admin filters a change list by almost any field named in the query string
(`?notes__icontains=a`), whether or not the list shows it: one row on a hit, none on a miss, is
enough to read a hidden text letter by letter. So a hidden column is not a hidden value. Here:

- a change list accepts only the lookups it offers: its list filters' own parameters, its date
  hierarchy and any the admin names in `allowed_lookups`. Anything else is refused the way
  Django refuses a disallowed lookup (400 Bad Request), whatever the value, so a refusal says
  nothing about the data;
- fields declared private with `private_fields()` are never searched (`?q=`) nor filtered on for
  staff without the permission that guards them, wherever the path to them starts.

Apps declare their private fields in their own admin module; this module imports none of them.
"""

import html
from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers, widgets
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .admin_rows import rows_html

# The parameters Django's field list filters and date hierarchy put after a field's path:
# lookups on the offered field itself, never a step to another field.
_FILTER_SUFFIXES = {
    "exact",
    "iexact",
    "in",
    "isnull",
    "isempty",
    "gt",
    "gte",
    "lt",
    "lte",
    "year",
    "month",
    "day",
}

# Field -> the permission that guards it.
_PRIVATE: dict[Field, str] = {}


def private_fields(permission: str, model: type[Model], names: Iterable[str]) -> None:
    """Declare `model`'s fields `names` readable only by staff holding `permission`."""
    for name in names:
        _PRIVATE[model._meta.get_field(name)] = permission


def private_permission(model: type[Model], path: str) -> str | None:
    """The permission guarding the first private field on `path` (`match__meetings__notes`,
    `notes__icontains`), or None when the path touches nothing private."""
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # the rest are lookups and transforms of the last field
        # A reverse relation is private when the field it reverses is.
        forward = field if getattr(field, "concrete", False) else getattr(field, "field", field)
        if forward in _PRIVATE:
            return _PRIVATE[forward]
        if not field.is_relation or field.related_model is None:
            return None
        model = field.related_model
    return None


def may_see(request: HttpRequest, model: type[Model], path: str) -> bool:
    permission = private_permission(model, path)
    return permission is None or request.user.has_perm(permission)


def _field_path(filter_item) -> str | None:
    if isinstance(filter_item, (list, tuple)):
        return filter_item[0]
    if isinstance(filter_item, str):
        return filter_item
    return None


def _pk_suffixes(model: type[Model], path: str) -> set[str]:
    """`id__exact`, `id__in`...: the related-object filters' parameters, when `path` ends in
    a relation (by the related model's primary key: not a step to another field)."""
    field = None
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return set()
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    if field is None or not field.is_relation:
        return set()
    names = {"pk", model._meta.pk.name}
    return {f"{name}{LOOKUP_SEP}{suffix}" for name in names for suffix in ("exact", "in")}


class PrivacyAdminMixin:
    """Mixed into every project ModelAdmin (before Django's class): offered lookups only, and no
    search or filter over private fields for staff without their permission."""

    # Query-string lookups the admin accepts besides its filters' own (links from elsewhere).
    allowed_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup: str, value, request: HttpRequest | None = None) -> bool:
        if request is None or not self._offers(lookup, value, request):
            return False
        return may_see(request, self.model, lookup)

    def _offers(self, lookup: str, value, request: HttpRequest) -> bool:
        if lookup in self.allowed_lookups or self._limits_choices(lookup, value):
            return True
        paths = [_field_path(item) for item in self.get_list_filter(request)]
        simple = {
            item.parameter_name
            for item in self.get_list_filter(request)
            if isinstance(item, type) and issubclass(item, SimpleListFilter)
        }
        if lookup in simple:
            return True
        date_hierarchy = getattr(self, "date_hierarchy", None)
        for path in [*filter(None, paths), *([date_hierarchy] if date_hierarchy else [])]:
            if lookup == path:
                return True
            prefix = path + LOOKUP_SEP
            if lookup.startswith(prefix):
                rest = lookup.removeprefix(prefix)
                if rest in _FILTER_SUFFIXES or rest in _pk_suffixes(self.model, path):
                    return True
        return False

    def _limits_choices(self, lookup: str, value) -> bool:
        """The related-object popup's filter, from a foreign key's `limit_choices_to`, as
        Django's own `lookup_allowed` accepts it."""
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def get_search_fields(self, request: HttpRequest):
        return [
            field
            for field in super().get_search_fields(request)
            if may_see(request, self.model, field.lstrip("^=@"))
        ]


def columns_but(model: type[Model], path: str = "", keep: Iterable[str] = ()) -> tuple[str, ...]:
    """For `list_defer`: every column of `model`, reached from the listed model by `path`
    ("" for its own), except its keys and those named in `keep`."""
    prefix = f"{path}{LOOKUP_SEP}" if path else ""
    return tuple(
        prefix + field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and field.name not in keep
    )


# Stands for a row's key in its change page's address (the last thing in it that reads so):
# letters only, which no quoting alters.
_PK_SLOT = "rowkey"


class _ChangeList(ChangeList):
    """A change list that leaves out of its rows the columns `list_defer` names, and adds to
    them the values `list_annotations` names.

    Only the rows shown: an action (the CSV export) gets its queryset from `get_queryset`,
    whole, as it reads what the list does not show.
    """

    def get_results(self, request):
        defer = self.model_admin.list_defer
        if defer:
            self.queryset = self.queryset.defer(*defer)
        super().get_results(request)
        if self.model_admin.list_keys_first:
            keys = list(self.result_list.values_list("pk", flat=True))
            self.result_list = self.queryset.filter(pk__in=keys)
        # On the page's rows only: on the queryset, they would join their tables into the count.
        annotations = self.model_admin.list_annotations
        if annotations:
            self.result_list = self.result_list.annotate(**annotations)

    @cached_property
    def _change_url(self) -> tuple[str, str]:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[_PK_SLOT],
            current_app=self.model_admin.admin_site.name,
        )
        before, _, after = url.rpartition(_PK_SLOT)
        return before, after

    def result_table(self) -> dict | None:
        """What `admin/change_list.html` draws for the list instead of Django's `result_list`
        tag: the same headers, and the rows drawn at a fraction of the cost (`admin_rows`).
        None for lists Django must draw itself."""
        rows = rows_html(self)
        if rows is None:
            return None
        headers = list(result_headers(self))
        return {
            "headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "rows": rows,
        }

    def url_for_result(self, result) -> str:
        # Each row's link with one reverse() a page rather than one a row, the key quoted as
        # Django quotes it.
        before, after = self._change_url
        return f"{before}{quote(getattr(result, self.pk_attname))}{after}"


class _KeptSelect(forms.Select):
    """A select drawn once for each name, value, attributes, choices and language, then kept:
    the actions menu above every list is the same on each view, and drawing it through the
    form templates (a template for the select, each option and each set of attributes) cost
    a twentieth of a short list's page."""

    _kept: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            name,
            repr(value),
            repr(sorted({**self.attrs, **(attrs or {})}.items())),
            repr([(key, str(label)) for key, label in self.choices]),
            get_language(),
            id(renderer),
        )
        kept = self._kept.get(key)
        if kept is None:
            if len(self._kept) > 1000:  # a bound: each admin's menu for each set of permissions
                self._kept.clear()
            kept = self._kept[key] = super().render(name, value, attrs, renderer)
        return kept


class _ActionForm(helpers.ActionForm):
    action = forms.ChoiceField(label=_lazy("Action:"), widget=_KeptSelect)


class ModelAdmin(PrivacyAdminMixin, admin.ModelAdmin):
    """The base of the project's ModelAdmins."""

    action_form = _ActionForm

    # Fields (also through `list_select_related`: "run__audit") the change list never shows and
    # so need not load for each of its rows: long texts and JSON, dates of related rows. (One
    # read after all costs a query a row, which the query-count tests catch.)
    list_defer: tuple[str, ...] = ()
    # Values the columns show read with each row ({"state_code": F("member__profile__...")}),
    # rather than through `list_select_related`: a related row costs the list a model
    # instance a row, a value next to nothing.
    list_annotations: dict = {}
    # Find the page's rows by their keys first, then load those with their related rows: for a
    # list ordered by an expression no index serves, PostgreSQL otherwise joins the related rows
    # of every row in the table before sorting. One query more.
    list_keys_first = False

    def get_changelist(self, request: HttpRequest, **kwargs):
        return _ChangeList

    # Django renders each row's checkbox through the form-widget templates: on a list of a
    # hundred rows, that was a sixth of the page's time. The same element, written directly.
    def action_checkbox(self, obj) -> str:
        label = _("Select this object for an action - {}").format(html.escape(str(obj)))
        return mark_safe(  # noqa: S308  (the object's name and key escaped)
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{html.escape(str(obj.pk))}" class="action-select" aria-label="{label}">'
        )
