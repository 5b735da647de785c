"""`{% url %}` that remembers its answers (`core.links.reverse_remembered`).

This library is a template builtin (settings.TEMPLATES), so every template's `{% url %}`, the
admin's too, is this one. It parses as Django's tag does (it is Django's parser) and renders
the same text; only the reverse is remembered.
"""

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from core.links import reverse_remembered

register = template.Library()


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
