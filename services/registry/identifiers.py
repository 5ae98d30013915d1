"""Identifiers and timestamps of registry records."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta, timezone


def new_id(prefix: str) -> str:
    """A random record id with a readable prefix, e.g. ``ret_3f9a…``."""
    return f"{prefix}_{secrets.token_hex(10)}"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds, the form log entries carry (``2026-04-13T08:00:00.000000Z``)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_today() -> date:
    """Today's calendar day in China, where the events and the other registries' certificates are dated."""
    return datetime.now(CHINA).date()
