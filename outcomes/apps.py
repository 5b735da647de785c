from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        # Lower apps call up through registries: cohorts copies a cohort's surveys into the next
        # one, meetings shows survey flags on pairs and in the digest, notifications attaches
        # certificates as it sends.
        from cohorts.services import cohort_copier_register
        from meetings.hooks import digest_section_register, pair_flag_register

        from .carry_over import surveys_copy
        from .emails import register_hooks
        from .survey_hooks import LOW_SATISFACTION_DIGEST, LOW_SATISFACTION_FLAG

        register_hooks()
        cohort_copier_register(surveys_copy)
        pair_flag_register(LOW_SATISFACTION_FLAG)
        digest_section_register(LOW_SATISFACTION_DIGEST)
