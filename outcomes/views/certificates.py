"""A member's certificate download, and the public page that says whether a certificate is
genuine."""

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..certificate_document import certificate_facts, certificate_filename, certificate_pdf
from ..models import Certificate

CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def _get_certificate_for_user(request: HttpRequest, pk: int) -> Certificate:
    """The member's own valid certificate; anyone else's, or a revoked one, is a 404."""
    certificate = get_object_or_404(Certificate.objects.valid(), pk=pk)
    if certificate.user_id == request.user.pk:
        return certificate
    if request.user.has_perm("outcomes.view_certificate"):
        return certificate
    raise Http404("No such certificate.")


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _get_certificate_for_user(request, pk)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@never_cache
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no sign-in: the certificate's facts, or that it was revoked, or that the code
    is unknown (a 404 that says so). Nothing beyond what the certificate itself shows."""
    # Codes are URL-safe base64; anything else (a NUL, say, which PostgreSQL refuses in a
    # query) cannot be one, and is unknown without asking the database.
    certificate = Certificate.objects.filter(code=code).first() if CODE_RE.fullmatch(code) else None
    if certificate is None:
        return render(request, "outcomes/certificate_verify.html", {"state": "unknown"}, status=404)
    if certificate.is_revoked:
        return render(request, "outcomes/certificate_verify.html", {"state": "revoked"})
    facts = certificate_facts(certificate)
    facts.pop("meetings")
    return render(request, "outcomes/certificate_verify.html", {"state": "valid", "facts": facts})
