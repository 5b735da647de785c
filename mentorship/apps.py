from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    """The project package: wiring and the commands that span every app (seed_demo)."""

    name = "mentorship"
    verbose_name = "Mentorship"
