from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from notifications.services import send_time_parts_register

        from .services import meeting_reminder_private_parts

        send_time_parts_register(kind="meeting_reminder", parts=meeting_reminder_private_parts)
