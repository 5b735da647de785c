from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.admin_filters import reference_list_changed
        from core.pagecache import public_pages_changed

        from .models import Cohort, Resource
        from .services import resources_changed

        for signal in (post_save, post_delete):
            # The home page and a cohort's page show cohorts: a change shows at once.
            signal.connect(public_pages_changed, sender=Cohort, dispatch_uid=f"cohort-{signal}")
            # The admin lists' cohort filters keep the cohorts' names in the cache.
            signal.connect(
                reference_list_changed, sender=Cohort, dispatch_uid=f"cohort-filter-{signal}"
            )
            # The pair pages' cached resource lists are keyed by the cohort's stamp.
            signal.connect(resources_changed, sender=Resource, dispatch_uid=f"resource-{signal}")
