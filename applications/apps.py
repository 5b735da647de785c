from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.admin_filters import reference_list_changed

        from .models import CareerStage, Location, PracticeArea

        for model in (CareerStage, Location, PracticeArea):
            for signal in (post_save, post_delete):
                # The applications list's filters keep these tables' rows in the cache.
                signal.connect(
                    reference_list_changed,
                    sender=model,
                    dispatch_uid=f"reference-list-{model._meta.label_lower}-{signal}",
                )
