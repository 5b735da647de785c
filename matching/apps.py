from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Pairs outlive neither their people nor their announcements: applications and
        # notifications sit below matching, so matching tells them what to do (see the hooks).
        from applications.services import application_leaving_accepted_register

        from . import emails
        from .ending import matches_unmatch_application

        application_leaving_accepted_register(matches_unmatch_application)
        emails.register_hooks()
