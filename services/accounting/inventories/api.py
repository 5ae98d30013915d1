"""Inventories over HTTP: write the draft, submit, amend (events:write, owner); read versions (events:read)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.accounting.auth import ReadEvents, WriteEvents
from services.accounting.clock import aware
from services.accounting.events.models import Event
from services.accounting.inventories import service
from services.accounting.inventories.documents import version_document
from services.accounting.inventories.models import InventoryVersion
from services.accounting.inventories.routes import WholeInventoryRoute
from services.accounting.inventories.schemas import InventoryIn, InventoryOut, VersionOut, VersionPage
from services.accounting.jsontext import loads
from services.accounting.paths import RecordId
from services.accounting.runtime import Context
from shared.db.session import DbSession
from shared.pagination import DEFAULT_PAGE_SIZE, CursorCodec, CursorParam, PageSize

# Inventory bodies (up to 20,000 lines) are validated from their bytes; see routes.py.
router = APIRouter(prefix="/v1/events/{event_id}/inventory", tags=["inventories"], route_class=WholeInventoryRoute)

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Another owner's event"},
    404: {"description": "No such event"},
    409: {
        "description": "The event has not begun (event-not-begun) or holds a valid certificate; the inventory is "
        "submitted (amend it); a green-electricity certificate is held by another event "
        "(green-certificate-claimed); or another request won a race"
    },
    413: {"description": "More than 16 MiB of body"},
    422: {"description": "A line that cannot be calculated: negative quantity, unknown unit or factor, ..."},
}


def _document(event: Event, row: InventoryVersion, summary: dict[str, Any], lines: bytes | None) -> Response:
    return Response(version_document(event, row, summary, lines), media_type="application/json")


def _written(written: service.Written) -> Response:
    return _document(written.event, written.row, written.rendered.summary, written.lines_json)


@router.put(
    "",
    response_model=InventoryOut,
    responses=WRITE_RESPONSES,
    summary="Write the draft inventory: actual lines and participants → totals and traces (events:write)",
)
def put_inventory(
    event_id: RecordId, body: InventoryIn, session: DbSession, caller: WriteEvents, context: Context
) -> Response:
    """Calculate and store the draft; a submitted inventory is locked (409), amend it instead."""
    return _written(service.put_inventory(session, context.outbox, caller, event_id, body))


@router.post(
    "/amendments",
    status_code=201,
    response_model=InventoryOut,
    responses=WRITE_RESPONSES,
    summary="Amend a submitted inventory: a new draft version, the old one kept (events:write)",
)
def amend_inventory(
    event_id: RecordId, body: InventoryIn, session: DbSession, caller: WriteEvents, context: Context
) -> Response:
    """Open version N+1 with these lines; submit it to make it the accounted emissions."""
    response = _written(service.amend_inventory(session, context.outbox, caller, event_id, body))
    response.status_code = 201
    return response


@router.post(
    "/submit",
    response_model=InventoryOut,
    responses={
        409: {
            "description": "The event has not ended (event-not-ended), nothing to submit, or the event holds a "
            "valid certificate"
        }
    },
    summary="Submit the draft: it becomes the event's accounted emissions and is locked (events:write)",
)
def submit_inventory(
    event_id: RecordId, session: DbSession, caller: WriteEvents, context: Context, lines: bool = False
) -> Response:
    """Lock the latest draft; the event's status becomes accounted. Lines are returned only if asked for."""
    event, row = service.submit_inventory(session, context.outbox, caller, event_id)
    return _document(event, row, loads(row.summary), service.stored_lines(session, row) if lines else None)


@router.get(
    "",
    response_model=InventoryOut,
    summary="An inventory version: the latest, or ?version=N (events:read; drafts: owner only)",
)
def read_inventory(
    event_id: RecordId,
    session: DbSession,
    caller: ReadEvents,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    lines: bool = True,
) -> Response:
    """The version with its totals, factors and (unless lines=false) every line with its trace."""
    event, row = service.visible_version(session, caller, event_id, version)
    return _document(event, row, loads(row.summary), service.stored_lines(session, row) if lines else None)


@router.get("/versions", response_model=VersionPage, summary="The inventory's versions, newest first (events:read)")
def list_versions(
    event_id: RecordId,
    session: DbSession,
    caller: ReadEvents,
    context: Context,
    cursor: CursorParam = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> VersionPage:
    """Every version the caller may see (drafts: owner only) with its status and total."""
    codec = CursorCodec(context.settings.secret_key, f"accounting-inventory-versions:{event_id}")
    position = codec.decode(cursor)
    event, rows = service.versions(session, caller, event_id, int(position["v"]) if position else None, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        VersionOut(
            version=row.version,
            status=row.status,
            accounted=event.accounted_version == row.version,
            amends=row.amends,
            line_count=row.line_count,
            total_kgco2e=row.total_kgco2e,
            factor_dataset_version=row.factor_dataset_version,
            actual_participants=row.actual_participants,
            created_at=aware(row.created_at),
            updated_at=aware(row.updated_at),
            submitted_at=None if row.submitted_at is None else aware(row.submitted_at),
        )
        for row in rows
    ]
    return VersionPage(items=items, next_cursor=codec.encode({"v": rows[-1].version}) if more else None)
