"""`meetings/emails.py` is the one place that tells: every email the app sends is recorded there."""

import re
from pathlib import Path

import meetings


def test_only_emails_py_calls_notify_in_the_meetings_app():
    root = Path(meetings.__file__).parent
    callers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"\bnotify\(", path.read_text())
    )
    assert callers == ["emails.py"]
