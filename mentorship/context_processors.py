from django.conf import settings
from django.http import HttpRequest


def program(request: HttpRequest) -> dict:
    """The program's name and office contact, shown in every page's header and footer."""
    return {
        "PROGRAM_NAME": settings.PROGRAM_NAME,
        "PROGRAM_OFFICE_NAME": settings.PROGRAM_OFFICE_NAME,
        "PROGRAM_OFFICE_EMAIL": settings.PROGRAM_OFFICE_EMAIL,
    }
