"""The keys of matching's emails: one definition, read back the same way it is written."""

import pytest

from matching.emails import (
    announcement_key,
    announcement_match_id,
    match_ended_key,
    orientation_reminder_key,
    place_freed_key,
)


def test_an_announcement_key_names_its_match_and_role_and_reads_back_to_the_match():
    key = announcement_key(42, "mentee")
    assert key == "match-announcement:42:mentee"
    assert announcement_match_id(key) == 42


def test_reading_a_match_from_another_kinds_key_is_refused():
    with pytest.raises(ValueError, match="Not a match announcement"):
        announcement_match_id(match_ended_key(42, "mentor"))


def test_the_other_keys_keep_their_documented_shapes():
    # README, "Announcements and reminders", documents these; staff search the log by them.
    assert match_ended_key(7, "mentor") == "match-ended:7:mentor"
    assert orientation_reminder_key(3, 9) == "orientation-reminder:3:9"
    assert place_freed_key(7) == "place-freed:match:7"
