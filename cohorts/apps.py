from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import public_pages_changed

        from .models import Cohort

        # The home page and a cohort's page show cohorts: a change shows at once.
        for signal in (post_save, post_delete):
            signal.connect(public_pages_changed, sender=Cohort, dispatch_uid=f"cohort-{signal}")
