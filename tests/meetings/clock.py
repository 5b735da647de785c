"""The time the pair tests are set in: the program's zone, and a day mid-period (October and
November are finished months, December is under way). The `december` fixture
(`tests/meetings/conftest.py`) stops the clock there."""

import zoneinfo
from datetime import datetime

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = datetime(2026, 12, 10, 12, tzinfo=DENVER)
