"""Change-list filters: by a short reference list (states, practice areas, career stages,
cohorts), their choices kept in the cache; and each filter drawn without a template.

Django's related-field filter reads every row of the related table on each view of the list:
on the applications list, four such lists cost a fifth of the page. The rows change when staff
edit them, rarely, so the choices are kept for `CHOICES_SECONDS`, and the apps that own the
tables call `reference_list_changed` on every save and delete (signals), which forgets them once
the change is committed: an edit shows on the next view. A change that sends no signal (a bulk
update, a fixture) shows within `CHOICES_SECONDS`.

The choices are the same for every staff member (the related table's rows and their names,
ordered as the related model's admin orders them) and say nothing a list filter would not show.
"""

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.db import models, transaction
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.encoding import iri_to_uri
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .admin_rows import escaped

CHOICES_SECONDS = 300


def _key(model: type[models.Model]) -> str:
    return f"admin-filter-choices:{model._meta.label_lower}"


def reference_list_changed(sender: type[models.Model], **kwargs) -> None:
    """Forget the kept choices of `sender`'s table once the change is committed (a signal
    receiver, hence the keyword arguments)."""
    transaction.on_commit(lambda: cache.delete(_key(sender)))


class ReferenceListFilter(admin.RelatedFieldListFilter):
    """Django's related-field filter, its choices read from the cache when they are there."""

    def field_choices(self, field, request, model_admin):
        # One entry a table, its lists by the order they were read in (each admin's ordering).
        ordering = repr(self.field_admin_ordering(field, request, model_admin))
        key = _key(field.related_model)
        kept = cache.get(key) or {}
        if ordering not in kept:
            kept[ordering] = super().field_choices(field, request, model_admin)
            cache.set(key, kept, CHOICES_SECONDS)
        return kept[ordering]


# The context Django's `admin_list_filter` tag renders `admin/filter.html` in: a plain dict,
# so escaping on and the site's localization and time zone settings.
_TAG_CONTEXT = Context(autoescape=True)


def _shown(value) -> str:
    # A text is shown as it is, escaped (what rendering does to it, for less); anything else
    # (a count, a lazy translation) as a template shows it.
    if type(value) is str or isinstance(value, SafeString):
        return escaped(value)
    return render_value_in_context(value, _TAG_CONTEXT)


def filter_html(cl: ChangeList, spec) -> SafeString:
    """One filter of the list's side bar, as Django's `admin_list_filter` tag draws it with
    `admin/filter.html`, to the byte, without a template: on the applications list, the
    templates of its nine filters (a hundred and fifty choices) took a tenth of the page.
    A filter with a template of its own is drawn by Django's tag."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    title = _shown(spec.title)
    parts = [
        f'\n<details data-filter-title="{title}" open>\n  <summary>\n    '
        f"{gettext(' By %(filter_title)s ') % {'filter_title': title}}\n  </summary>\n  <ul>\n  "
    ]
    for choice in spec.choices(cl):
        selected = ' class="selected"' if choice["selected"] else ""
        parts.append(
            f"\n    <li{selected}>\n    "
            f'<a href="{_shown(iri_to_uri(choice["query_string"]))}">'
            f"{_shown(choice['display'])}</a></li>\n  "
        )
    parts.append("\n  </ul>\n</details>\n")
    return mark_safe("".join(parts))  # noqa: S308  (every value escaped by _shown)
