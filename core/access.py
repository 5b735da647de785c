"""Recording staff access to private data (see core.models.AccessRecord)."""

from django.http import HttpRequest

from .models import AccessRecord


def access_record(*, request: HttpRequest, kind: str, description: str) -> AccessRecord:
    """Record that the signed-in user of `request` saw `description` (of kind `kind`).

    Called by the view that shows the private data, before it answers, so that a page seen is
    a page recorded.
    """
    user = request.user
    return AccessRecord.objects.create(
        user=user if user.is_authenticated else None,
        user_label=(user.email if user.is_authenticated else "anonymous")[:300],
        kind=kind,
        description=description[:500],
        path=request.get_full_path()[:500],
    )
