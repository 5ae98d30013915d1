"""Timestamps as the public sees them: always UTC-aware, months in China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# China keeps one offset all year with no daylight saving.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def china_month(moment: datetime) -> str:
    """The calendar month (YYYY-MM) of a moment in China Standard Time."""
    return as_utc(moment).astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m")


def china_date(moment: datetime) -> date:
    """The calendar day of a moment in China Standard Time."""
    return as_utc(moment).astimezone(CHINA_STANDARD_TIME).date()
