"""CSV exports that staff open in a spreadsheet."""

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): a member's
# name or a free-text answer must never become one.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: a leading apostrophe defuses a would-be formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
