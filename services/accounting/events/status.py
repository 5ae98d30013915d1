"""The event's statuses: planned → held → accounted → certified or revoked (as certification reports).

What may be done to an event in each is decided in lifecycle.py.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class EventStatus(StrEnum):
    """Where an event stands."""

    PLANNED = "planned"
    HELD = "held"
    ACCOUNTED = "accounted"
    CERTIFIED = "certified"
    REVOKED = "revoked"


BEFORE_ACCOUNTING = frozenset({EventStatus.PLANNED, EventStatus.HELD})


def effective_status(stored: str, ends_on: date, today: date) -> EventStatus:
    """The stored status, except that a planned event whose last day has passed has been held."""
    status = EventStatus(stored)
    if status is EventStatus.PLANNED and ends_on < today:
        return EventStatus.HELD
    return status


def certificate_status(certificate: str) -> EventStatus | None:
    """The event status a certificate's status means (None for a status this service does not know)."""
    return {"valid": EventStatus.CERTIFIED, "revoked": EventStatus.REVOKED}.get(certificate)
