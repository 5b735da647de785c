from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.forms import BaseForm

register = template.Library()


@register.simple_tag(takes_context=True)
def error_prefix(context) -> str:
    """ "Error: " when a form on the page came back with errors, so the title says it first.

    A screen reader reads the title on arrival; without the prefix a page redisplayed with
    errors sounds exactly like the page before it (WCAG 3.3.1). Any form in the context
    counts, whatever the view named it.

    By the value's own type, not isinstance(): isinstance() asks a lazy value for its class,
    which evaluates it, and the context's lazy CSRF token then made a token (and set its
    cookie) for every page, forms or not.
    """
    for value in context.flatten().values():
        if issubclass(type(value), BaseForm) and value.is_bound and value.errors:
            return "Error: "
    return ""


_BLANK_FORMS: dict[tuple, str] = {}


@register.filter
def crispy_blank(form: BaseForm) -> str:
    """`crispy` for a form whose empty state is the same on every page (fixed fields, no
    choices from the database, no initial values): drawn once per process, not per request.

    The crispy template pack costs about 2 ms a field; a goal page draws two such forms on
    every view. A bound form (one that came back with errors) is drawn as usual.
    """
    if form.is_bound or form.initial:
        return as_crispy_form(form)
    key = (type(form), form.prefix)
    if key not in _BLANK_FORMS:
        _BLANK_FORMS[key] = as_crispy_form(form)
    return _BLANK_FORMS[key]
