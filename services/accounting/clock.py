"""Time as the platform reads it: event dates are calendar days in China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def china_today() -> date:
    """Today's date in China (UTC+8, no daylight saving)."""
    return datetime.now(CHINA).date()


def aware(value: datetime) -> datetime:
    """A stored timestamp as UTC (SQLite hands back naive datetimes)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
