"""The project's admin site: Django's, with one guard in front of every admin page: query
values the database or Python cannot take (a NUL, a date beyond the years the program uses)
are dropped with a message, where Django would answer with a 500. Its sign-in page is allauth's,
which asks for the second factor."""

import functools
import html
import re
from datetime import date
from urllib.parse import quote

from allauth.account.decorators import secure_admin_login
from django.apps import apps
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.links import reverse_remembered
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

    # The sidebar
    # -----------
    # Every admin page lists each app and model the viewer may use. Django reversed two
    # addresses per model to do it and rendered the list through its template, about 4 ms a
    # page between them; the addresses are now reversed once per URL configuration and the
    # list written directly (the same HTML, `tests/test_admin_site.py` compares them). What each
    # viewer may see is worked out per request, as before.

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        apps_of_viewer = context["available_apps"]
        # A callable: drawn only where the sidebar is (not on the index, not in popups).
        context["nav_sidebar_apps"] = functools.partial(
            nav_app_list_html, apps_of_viewer, request.path
        )
        return context

    def _url(self, viewname: str, **kwargs) -> str | None:
        """reverse() for this site, remembered (`core.links`); None where there is no page."""
        try:
            return reverse_remembered(viewname, kwargs=kwargs, current_app=self.name)
        except NoReverseMatch:
            return None

    def _build_app_dict(self, request: HttpRequest, label=None) -> dict:
        # Django's, with each address from `_url`.
        app_dict: dict = {}
        models = {
            model: model_admin
            for model, model_admin in self._registry.items()
            if not label or model._meta.app_label == label
        }
        for model, model_admin in models.items():
            app_label = model._meta.app_label
            has_module_perms = model_admin.has_module_permission(request)
            if not has_module_perms:
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            info = (app_label, model._meta.model_name)
            model_dict = {
                "model": model,
                "name": capfirst(model._meta.verbose_name_plural),
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = self._url("admin:{}_{}_changelist".format(*info))
            if perms.get("add"):
                model_dict["add_url"] = self._url("admin:{}_{}_add".format(*info))
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {
                    "name": apps.get_app_config(app_label).verbose_name,
                    "app_label": app_label,
                    "app_url": self._url("admin:app_list", app_label=app_label),
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict


def escape(value) -> str:
    """Django's `escape`, the same text, without its lazy-argument wrapper."""
    return html.escape(str(value))


# Django's own words (and so its translations).
NOTHING_TO_SEE = "You don\N{RIGHT SINGLE QUOTATION MARK}t have permission to view or edit anything."


def nav_app_list_html(app_list: list[dict], path: str) -> SafeString:
    """The sidebar's list of apps and models, as Django's `admin/app_list.html` draws it with
    `show_changelinks=False`."""
    if not app_list:
        return mark_safe(f"<p>{escape(_(NOTHING_TO_SEE))}</p>")  # noqa: S308  (escaped)
    # The template's `app.app_url in request.path|urlencode`.
    here = quote(path, safe="/")
    heads = (
        '<thead class="visually-hidden"><tr>'
        f'<th scope="col">{escape(_("Model name"))}</th>'
        f'<th scope="col">{escape(_("Add link"))}</th>'
        f'<th scope="col">{escape(_("Change or view list link"))}</th>'
        "</tr></thead>"
    )
    add = escape(_("Add"))
    parts = []
    for app in app_list:
        label = escape(app["app_label"])
        name = escape(app["name"])
        title = escape(_("Models in the %(name)s application") % {"name": name})
        current = " current-app" if app["app_url"] and app["app_url"] in here else ""
        parts.append(
            f'<div class="app-{label} module{current}"><table><caption>'
            f'<a href="{escape(app["app_url"])}" class="section" title="{title}">{name}</a>'
            f"</caption>{heads}"
        )
        for model in app["models"]:
            model_name = escape(str(model["object_name"]).lower())
            admin_url = model["admin_url"]
            current = " current-model" if admin_url and admin_url in here else ""
            parts.append(f'<tr class="model-{model_name}{current}">')
            parts.append(f'<th scope="row" id="{label}-{model_name}">')
            if admin_url:
                aria = ' aria-current="page"' if admin_url in here else ""
                parts.append(f'<a href="{escape(admin_url)}"{aria}>{escape(model["name"])}</a>')
            else:
                parts.append(escape(model["name"]))
            parts.append("</th>")
            if model["add_url"]:
                parts.append(
                    f'<td><a href="{escape(model["add_url"])}" class="addlink" '
                    f'aria-describedby="{label}-{model_name}">{add}</a></td>'
                )
            else:
                parts.append("<td></td>")
            parts.append("</tr>")
        parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308  (every value escaped above)
