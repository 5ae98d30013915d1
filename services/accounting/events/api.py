"""Events over HTTP: create (events:write), list and read (events:read), correct (owner only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.accounting.auth import ReadEvents, WriteEvents
from services.accounting.clock import china_today
from services.accounting.events import service
from services.accounting.events.models import Event
from services.accounting.events.repository import EventQuery
from services.accounting.events.schemas import EventChange, EventCreate, EventKind, EventOut, EventPage
from services.accounting.events.snapshot import event_view
from services.accounting.events.status import EventStatus
from services.accounting.idempotent import Once
from services.accounting.paths import RecordId
from services.accounting.runtime import Context
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import DEFAULT_PAGE_SIZE, CursorCodec, CursorParam, PageSize

router = APIRouter(prefix="/v1/events", tags=["events"])


def out(event: Event) -> EventOut:
    """The event as clients read it."""
    return EventOut.model_validate(event_view(event, china_today()))


def _codec(context: Context) -> CursorCodec:
    return CursorCodec(context.settings.secret_key, "accounting-events")


@router.post(
    "",
    status_code=201,
    response_model=EventOut,
    responses={422: {"description": "Invalid facts: dates, jurisdiction, participants"}},
    summary="Create an event; the policy that applies is resolved and returned (events:write)",
)
def create_event(
    body: EventCreate,
    request: Request,
    session: DbSession,
    caller: WriteEvents,
    context: Context,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Create an event owned by the token's owner."""
    once = Once(context.idempotency, session, caller.owner, key)
    replayed = once.replay("POST", request.url.path, body.model_dump(mode="json"))
    if replayed is not None:
        return replayed
    event = service.create_event(session, context.outbox, caller.owner, body)
    return once.answer(201, out(event).model_dump(mode="json"))


@router.get("", response_model=EventPage, summary="Events, newest first, with filters (events:read)")
def list_events(
    session: DbSession,
    _caller: ReadEvents,
    context: Context,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    jurisdiction: Annotated[str | None, Query(max_length=12)] = None,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    profile_id: Annotated[str | None, Query(max_length=100)] = None,
    starts_from: date | None = None,
    starts_until: date | None = None,
    cursor: CursorParam = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> EventPage:
    """A page of events; `next_cursor` fetches the next."""
    codec = _codec(context)
    position = codec.decode(cursor)
    query = EventQuery(
        owner=owner,
        jurisdiction=jurisdiction.upper() if jurisdiction else None,
        status=status,
        kind=kind.value if kind else None,
        profile_id=profile_id,
        starts_from=starts_from,
        starts_until=starts_until,
    )
    before = int(position["pk"]) if position else None
    events = service.list_events(session, query, before, limit + 1)
    more = len(events) > limit
    events = events[:limit]
    next_cursor = codec.encode({"pk": events[-1].pk}) if more else None
    return EventPage(items=[out(event) for event in events], next_cursor=next_cursor)


@router.get("/{event_id}", response_model=EventOut, summary="An event (events:read)")
def read_event(event_id: RecordId, session: DbSession, _caller: ReadEvents) -> EventOut:
    """The event with its policy, plan summary, accounted emissions and status."""
    return out(service.get_event(session, event_id))


@router.patch(
    "/{event_id}",
    response_model=EventOut,
    responses={
        403: {"description": "Another owner's event"},
        409: {"description": "Already accounted, or a first day after today for an event with an actual inventory"},
    },
    summary="Correct an event before its inventory is submitted; open or close it to donations (events:write, owner)",
)
def change_event(
    event_id: RecordId, body: EventChange, session: DbSession, caller: WriteEvents, context: Context
) -> EventOut:
    """Change name, organizers, kind, place, dates, host type or expected participants (the policy follows),
    or whether the event accepts donations."""
    return out(service.change_event(session, context.outbox, caller, event_id, body))
