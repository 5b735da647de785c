"""`{% list_filters cl %}`: a change list's filters, each drawn without a template where it can
be (`accounts.admin_filters.filter_html`)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from accounts.admin_filters import filter_html

register = template.Library()


@register.simple_tag
def list_filters(cl) -> SafeString:
    return mark_safe("".join(filter_html(cl, spec) for spec in cl.filter_specs))  # noqa: S308  (each drawn escaped)
