from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # Cohorts sit below outcomes: starting the next cohort copies its surveys through this.
        from cohorts.services import cohort_copier_register

        from .carry_over import surveys_copy
        from .emails import register_hooks

        register_hooks()
        cohort_copier_register(surveys_copy)
