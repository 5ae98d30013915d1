"""Public endpoints for disclosed events (no token needed)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.disclosure.events import service
from services.disclosure.events.repository import EventFilters
from services.disclosure.events.schemas import EventDetail, EventSummary
from services.disclosure.public.caching import read_model_json
from services.disclosure.public.paging import cursor_codec
from services.disclosure.public.query import StrictQuery
from shared.db.session import DbSession
from shared.pagination import DEFAULT_PAGE_SIZE, CursorParam, Page, PageSize

router = APIRouter(prefix="/v1", tags=["events"], dependencies=[StrictQuery])

EventId = Annotated[str, Path(max_length=100)]


@router.get("/events", response_model=Page[EventSummary], summary="Disclosed events, newest first")
def list_events(
    request: Request,
    session: DbSession,
    jurisdiction: Annotated[str | None, Query(max_length=20, description="e.g. CN-HI")] = None,
    kind: Annotated[str | None, Query(max_length=50, description="e.g. exhibition")] = None,
    status: Annotated[str | None, Query(max_length=30, description="e.g. certified")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Words in the name or organizers")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="Events still running on or after")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="Events starting on or before")] = None,
    cursor: CursorParam = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Response:
    """Events with their status, offsets total and certificate status."""
    filters = EventFilters(jurisdiction, kind, status, q.strip() if q else None, date_from, date_to)
    codec = cursor_codec(request, "events")
    return read_model_json(request, session, lambda: service.page(session, filters, cursor, limit, codec))


@router.get(
    "/events/{event_id}",
    response_model=EventDetail,
    response_model_exclude_unset=True,
    summary="One event: exactly the fields its policy profile discloses",
)
def get_event(request: Request, session: DbSession, event_id: EventId) -> Response:
    """The event's disclosure fields, its offsets by unit type and its certificate status."""
    return read_model_json(request, session, lambda: service.get_detail(session, event_id), exclude_unset=True)
