"""The one email the notifications app sends itself: the test message that proves the mail
settings. Its kind, key and context are declared here; it is the only caller of `notify()` for it.
"""

import uuid

from .models import Notification
from .services import notify

TEST_MESSAGE = "test_message"
TEST_MESSAGE_KEY = "test-message"


def send_test_message(*, to_email: str, requested_by: str) -> Notification:
    """Record a test email to `to_email`. Every request is a new email: the key is random."""
    return notify(
        kind=TEST_MESSAGE,
        key=f"{TEST_MESSAGE_KEY}:{uuid.uuid4()}",
        to_email=to_email,
        context={"requested_by": requested_by},
    )
