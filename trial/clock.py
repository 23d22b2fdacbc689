"""The one source of business time.

Every timestamp and every "today" the trial acts on comes from here, so tests can move time
(time-machine patches the standard clock underneath) and no database default ever decides a date.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def today(tz: str | ZoneInfo = "UTC") -> date:
    """Today's date in the given time zone (a trial's dates are in its own zone)."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    return now().astimezone(zone).date()
