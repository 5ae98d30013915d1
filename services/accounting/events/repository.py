"""SQL for events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from services.accounting.events.models import Event
from services.accounting.events.status import EventStatus


@dataclass(frozen=True)
class EventQuery:
    """Filters of the event list; None means any."""

    owner: str | None = None
    jurisdiction: str | None = None
    status: EventStatus | None = None
    kind: str | None = None
    profile_id: str | None = None
    starts_from: date | None = None
    starts_until: date | None = None


def add(session: Session, event: Event) -> None:
    """Insert a new event."""
    session.add(event)
    session.flush()


def by_id(session: Session, event_id: str) -> Event | None:
    """The event `event_id`, if it exists."""
    return session.execute(select(Event).where(Event.id == event_id)).scalar_one_or_none()


def _status(statement: Select[Event], status: EventStatus, today: date) -> Select[Event]:
    # "held" is also any planned event whose last day has passed (see status.effective_status).
    lapsed = and_(Event.status == EventStatus.PLANNED.value, Event.ends_on < today)
    if status is EventStatus.HELD:
        return statement.where(or_(Event.status == EventStatus.HELD.value, lapsed))
    if status is EventStatus.PLANNED:
        return statement.where(Event.status == EventStatus.PLANNED.value, Event.ends_on >= today)
    return statement.where(Event.status == status.value)


def page(session: Session, query: EventQuery, today: date, before_pk: int | None, limit: int) -> list[Event]:
    """Up to `limit` events matching `query`, newest first, after the cursor position `before_pk`."""
    statement = select(Event)
    if query.owner is not None:
        statement = statement.where(Event.owner == query.owner)
    if query.jurisdiction is not None:
        statement = statement.where(Event.jurisdiction == query.jurisdiction)
    if query.kind is not None:
        statement = statement.where(Event.kind == query.kind)
    if query.profile_id is not None:
        statement = statement.where(Event.profile_id == query.profile_id)
    if query.starts_from is not None:
        statement = statement.where(Event.starts_on >= query.starts_from)
    if query.starts_until is not None:
        statement = statement.where(Event.starts_on <= query.starts_until)
    if query.status is not None:
        statement = _status(statement, query.status, today)
    if before_pk is not None:
        statement = statement.where(Event.pk < before_pk)
    return list(session.execute(statement.order_by(Event.pk.desc()).limit(limit)).scalars())
