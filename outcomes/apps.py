from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from meetings.hooks import digest_section_register, pair_flag_register

        from .survey_hooks import LOW_SATISFACTION_DIGEST, LOW_SATISFACTION_FLAG

        pair_flag_register(LOW_SATISFACTION_FLAG)
        digest_section_register(LOW_SATISFACTION_DIGEST)
