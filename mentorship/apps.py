from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MentorshipConfig(AppConfig):
    """The project package: wiring and the commands that span every app (seed_demo)."""

    name = "mentorship"
    verbose_name = "Mentorship"


class ProgramAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the project's site (see mentorship/admin_site.py)."""

    default = False  # named in INSTALLED_APPS; MentorshipConfig stays this module's default
    default_site = "mentorship.admin_site.ProgramAdminSite"
