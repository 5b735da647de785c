from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Pairs outlive neither their people nor their announcements: applications and
        # notifications sit below matching, so matching tells them what to do (see the hooks).
        from .services import register_hooks

        register_hooks()
