from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from notifications.services import send_time_parts_register

        from .emails import MEETING_REMINDER, meeting_reminder_private_parts

        send_time_parts_register(kind=MEETING_REMINDER, parts=meeting_reminder_private_parts)
