"""Applying accounting's `event.updated` to the registry's read model of events.

Every notification carries the event's whole state, so one that cannot be read is logged and left:
the event's next notification repairs the row, where refusing it would hold up every later delivery.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from services.registry.events import repository
from shared.outbox import Notification

log = logging.getLogger("lingtan.registry.events")
TOPIC = "event.updated"


class _Policy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    profile_id: str | None = Field(default=None, max_length=100)
    band: str | None = Field(default=None, max_length=100)
    confirmation_method: str | None = Field(default=None, max_length=30)


class EventFacts(BaseModel):
    """What the registry keeps of `event.updated` (docs/notifications.md); the rest is not its business."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=100)
    owner: str = Field(min_length=1, max_length=300)
    status: str = Field(min_length=1, max_length=20)
    accepts_donations: bool = False
    jurisdiction: str = Field(min_length=1, max_length=12)
    starts_at: date
    ends_at: date
    expected_participants: int = Field(ge=0)
    actual_participants: int | None = Field(default=None, ge=0)
    policy: _Policy | None = None


def apply_event(session: Session, note: Notification) -> None:
    """Keep the newest state of the event the notification describes; other topics are not for us."""
    if note.topic != TOPIC:
        return
    try:
        facts = EventFacts.model_validate(note.payload)
    except ValidationError as exc:
        log.error("event notification rejected", extra={"notification_id": note.id, "errors": exc.error_count()})
        return
    if facts.id != note.record_id:
        log.error("event notification names another record", extra={"notification_id": note.id})
        return
    now = datetime.now(UTC)
    policy = facts.policy or _Policy()
    repository.save_event(
        session,
        {
            "id": facts.id,
            "owner": facts.owner,
            "status": facts.status,
            "accepts_donations": facts.accepts_donations,
            "jurisdiction": facts.jurisdiction,
            "starts_on": facts.starts_at,
            "ends_on": facts.ends_at,
            "expected_participants": facts.expected_participants,
            "actual_participants": facts.actual_participants,
            "profile_id": policy.profile_id,
            "band": policy.band,
            "confirmation_method": policy.confirmation_method,
            "source_seq": note.seq,
            "known_since": now,
            "updated_at": now,
        },
    )
