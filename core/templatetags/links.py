"""`{% url %}` that remembers its answers, so a page's links are not reversed anew each time.

Django's own tag reverses on every render, about 20 µs a link: on the pair pages, with some
twenty links each, that was a third of the template's time, and the admin's pages have more.
This library is a template builtin (settings.TEMPLATES), so every template's `{% url %}`, the
admin's too, is this one. It parses as Django's tag does (it is Django's parser) and renders
the same text; what changes is that a name reversed with plain text or whole-number arguments
is looked up in a per-process cache first. The answer depends on nothing else but the URL
patterns (fixed for the life of the process), the request's script prefix and URLconf, and
the current app: all are part of the key. Other arguments (a model instance, a lazy string)
are reversed every time, as before.
"""

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

REMEMBERED_LINKS = 4096


@functools.lru_cache(maxsize=REMEMBERED_LINKS)
def _remembered(view_name, args, kwargs, current_app, urlconf, script_prefix) -> str:
    # script_prefix is read by reverse() itself; it is an argument here to key the cache.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def _plain(value) -> bool:
    return type(value) is int or isinstance(value, str)


def reverse_remembered(view_name, args, kwargs, current_app) -> str:
    if isinstance(view_name, str) and all(map(_plain, args)) and all(map(_plain, kwargs.values())):
        return _remembered(
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
            current_app,
            get_urlconf(),
            get_script_prefix(),
        )
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


class RememberedURLNode(URLNode):
    def render(self, context):
        # Django's URLNode.render, with reverse_remembered for reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_remembered(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
