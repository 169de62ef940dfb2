"""Time in the study engine: timezone-aware UTC everywhere, naive datetimes rejected.

The store keeps instants as fixed-width ISO-8601 text in UTC
(``2026-11-22T20:33:00.000000+00:00``), so text order is time order and
range queries on indexed columns work without conversion.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def require_utc(value: datetime, name: str) -> datetime:
    """``value`` converted to UTC; a naive datetime is an error, because its zone is a guess."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value.isoformat()}")
    return value.astimezone(timezone.utc)


def to_db(value: datetime) -> str:
    return require_utc(value, "datetime").isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Parse a stored (or imported) instant; one without a UTC offset is rejected, not guessed."""
    return require_utc(datetime.fromisoformat(text), "timestamp")


def local_timezone() -> tzinfo:
    """The machine's current UTC offset, used to decide where a study day starts."""
    return datetime.now().astimezone().tzinfo or timezone.utc


def day_start(instant: datetime, tz: tzinfo) -> datetime:
    """The UTC instant at which the local day containing ``instant`` began."""
    local = require_utc(instant, "instant").astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def next_day_start(instant: datetime, tz: tzinfo) -> datetime:
    local_midnight = require_utc(instant, "instant").astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return (local_midnight + timedelta(days=1)).astimezone(timezone.utc)
