"""Queries over disclosed events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from services.disclosure.feed.models import DisclosedEvent


@dataclass(frozen=True)
class EventFilters:
    """The public list's filters; None means "any"."""

    jurisdiction: str | None = None
    kind: str | None = None
    status: str | None = None
    q: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_events(
    session: Session, filters: EventFilters, after: tuple[date, str] | None, limit: int
) -> list[DisclosedEvent]:
    """Events newest first (by start date, then id), after a position, at most `limit`."""
    query = select(DisclosedEvent)
    if filters.jurisdiction:
        query = query.where(DisclosedEvent.jurisdiction == filters.jurisdiction)
    if filters.kind:
        query = query.where(DisclosedEvent.kind == filters.kind)
    if filters.status:
        query = query.where(DisclosedEvent.status == filters.status)
    if filters.q:
        query = query.where(DisclosedEvent.search_text.like(_like_pattern(filters.q), escape="\\"))
    # An event is in the range when its dates overlap [from, to].
    if filters.date_from:
        query = query.where(DisclosedEvent.ends_on >= filters.date_from)
    if filters.date_to:
        query = query.where(DisclosedEvent.starts_on <= filters.date_to)
    if after is not None:
        starts_on, event_id = after
        query = query.where(
            or_(
                DisclosedEvent.starts_on < starts_on,
                and_(DisclosedEvent.starts_on == starts_on, DisclosedEvent.id < event_id),
            )
        )
    query = query.order_by(DisclosedEvent.starts_on.desc(), DisclosedEvent.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def get_event(session: Session, event_id: str) -> DisclosedEvent | None:
    """One event by id."""
    return session.get(DisclosedEvent, event_id)


def count_events(session: Session) -> int:
    """How many events are disclosed."""
    return int(session.execute(select(func.count()).select_from(DisclosedEvent)).scalar_one())


def facets(session: Session) -> dict[str, list[str]]:
    """The jurisdictions, kinds and statuses that disclosed events have, for the portal's filters."""
    found: dict[str, list[str]] = {}
    for name in ("jurisdiction", "kind", "status"):
        column = getattr(DisclosedEvent, name)
        found[name] = list(session.execute(select(column).distinct().order_by(column)).scalars())
    return found
