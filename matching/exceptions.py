class MatchingError(Exception):
    """A rule of the program refused the change; the message is shown to staff as is."""
