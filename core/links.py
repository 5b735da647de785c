"""reverse(), remembered: a page's links without resolving each one anew.

Django's reverse() walks the URL patterns on every call, about 20 µs a link: on the pair pages,
with some twenty links each, a third of the template's time, and the admin's sidebar made 61
calls on every page. The answer depends only on the URL patterns (the resolver: a new one when
the URL configuration changes), the request's script prefix, the name, its arguments and the
current app, which together key a per-process cache. A name with plain text or whole-number
arguments is looked up there first; other arguments (a model instance, a lazy string) are
reversed every time. Used by `{% url %}` (core/templatetags/links.py) and the admin's sidebar.
"""

import functools

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

REMEMBERED_LINKS = 4096


@functools.lru_cache(maxsize=REMEMBERED_LINKS)
def _remembered(resolver, script_prefix, view_name, args, kwargs, current_app) -> str:
    # resolver and script_prefix key the cache; reverse() reads both from the same place.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _plain(value) -> bool:
    return type(value) is int or isinstance(value, str)


def reverse_remembered(view_name, args=(), kwargs=None, current_app=None) -> str:
    """reverse(view_name, args=..., kwargs=..., current_app=...), from the cache when it can."""
    kwargs = kwargs or {}
    if isinstance(view_name, str) and all(map(_plain, args)) and all(map(_plain, kwargs.values())):
        return _remembered(
            get_resolver(get_urlconf()),
            get_script_prefix(),
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
            current_app,
        )
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
