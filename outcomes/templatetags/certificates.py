"""`{% certificate_panel match role %}`: the workspace's completion panel, from outcomes.

The meetings app's workspace template loads this library; meetings' Python never imports
outcomes (the layers forbid it). Before the cohort's period ends the panel is empty; after it,
the member sees their certificate to download, or what the pair achieved. Two queries at most.
"""

from django import template
from django.utils import timezone

from ..certificates import achievements_for
from ..models import Certificate

register = template.Library()


@register.inclusion_tag("outcomes/_certificate_panel.html")
def certificate_panel(match, role: str) -> dict:
    if role not in {"mentor", "mentee"} or timezone.localdate() <= match.cohort.period_end:
        return {"show": False}
    certificate = Certificate.objects.valid().filter(match=match, role=role).first()
    if certificate is not None:
        return {"show": True, "certificate": certificate}
    return {"show": True, "achievement": achievements_for([match])[match.pk]}
