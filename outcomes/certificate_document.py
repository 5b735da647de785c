"""The certificate as a document: its verification address, its QR code and its PDF.

The PDF is rendered from an HTML template by WeasyPrint each time it is asked for (download or
email), from the figures the certificate row holds: nothing binary is stored, and a revoked
certificate is simply not rendered any more.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string

from core.text import day_text, duration_text, period_text

from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    return urljoin(settings.SITE_URL, certificate.get_absolute_url())


def qr_svg_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def certificate_facts(certificate: Certificate) -> dict:
    """What a certificate says, in words: shared by the PDF, the emails and the pages."""
    return {
        "name": certificate.name,
        "role": certificate.get_role_display(),
        "program": certificate.program,
        "cohort_name": certificate.cohort_name,
        "period": period_text(certificate.period_start, certificate.period_end),
        "confirmed_hours": duration_text(certificate.confirmed_minutes) or "0 minutes",
        "meetings": certificate.meetings,
        "issued_on": day_text(certificate.issued_at),
    }


def certificate_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


def certificate_pdf(certificate: Certificate) -> bytes:
    # Imported here: WeasyPrint loads Pango through ctypes, which only this path needs.
    from weasyprint import HTML

    url = verification_url(certificate)
    html = render_to_string(
        "outcomes/certificate_pdf.html",
        {
            **certificate_facts(certificate),
            "verification_url": url,
            "qr_code": qr_svg_data_uri(url),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
