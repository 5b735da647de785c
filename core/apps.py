from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing every app may use: validators, form fields, words and dates, CSV files,
    beat-schedule helpers. The bottom layer: it imports no app of ours."""

    name = "core"
    verbose_name = "Core"
