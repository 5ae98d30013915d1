"""Identifiers and times of certification records."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta, timezone

# Policy deadlines are calendar days in China, which keeps one offset all year and no daylight saving.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))


def new_id(prefix: str) -> str:
    """A random record id with a readable prefix, e.g. ``app_3f9a…``."""
    return f"{prefix}_{secrets.token_hex(10)}"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def china_date(moment: datetime) -> date:
    """The calendar day in China at a moment."""
    return aware(moment).astimezone(CHINA_STANDARD_TIME).date()
