"""Retirements and donations (value-moving, idempotent), and the public reads with proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.registry.auth import RetireCredits
from services.registry.cancellations.schemas import CancellationOut
from services.registry.paths import RecordId
from services.registry.retirements import queries, service
from services.registry.retirements.schemas import (
    DonationCreate,
    EventRecords,
    ProofOut,
    RetirementCreate,
    RetirementOut,
)
from services.registry.runtime import Runtime
from services.registry.vocabulary import Identifier
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import DEFAULT_PAGE_SIZE, CursorParam, PageSize

router = APIRouter(prefix="/v1", tags=["retirements"])
MOVE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The account belongs to another owner, or a scope is missing"},
    404: {"description": "No such account"},
    409: {
        "description": "Insufficient credits; a project bound to another event (Shandong's rule); "
        "or the Idempotency-Key was used for another request"
    },
    422: {"description": "Invalid quantity, unit type or serials"},
}


@router.post(
    "/retirements",
    status_code=201,
    response_model=RetirementOut,
    responses=MOVE_PROBLEMS,
    summary="Retire credits for an event (registry:retire)",
)
async def retire(
    body: RetirementCreate, request: Request, caller: RetireCredits, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Retire credits, oldest vintage first unless blocks are named; returns serial ranges and log index."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.retire(session, caller, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.post(
    "/donations",
    status_code=201,
    response_model=RetirementOut,
    responses=MOVE_PROBLEMS,
    summary="Donate credits to an event: retired for it, the donor on record (registry:retire)",
)
async def donate(
    body: DonationCreate, request: Request, caller: RetireCredits, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Retire a person's or an organization's credits for an event; the donor is disclosed only as a kind."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.retire(session, caller, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.get(
    "/retirements",
    response_model=EventRecords,
    summary="An event's retirements, donations and external cancellations, with totals by unit type (public)",
)
def list_records(
    session: DbSession,
    runtime: Runtime,
    event_id: Annotated[Identifier | None, Query(description="The event; all events when omitted")] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: CursorParam = None,
) -> EventRecords:
    """Every record in log order, a page at a time; totals cover every record of the event."""
    codec = runtime.cursors("retirements")
    position = codec.decode(cursor)
    after = int(position["after"]) if position is not None and isinstance(position.get("after"), int) else -1
    page, last = queries.event_records(session, event_id, after, limit)
    if last is not None:
        page.next_cursor = codec.encode({"after": last})
    return page


@router.get(
    "/retirements/{record_id}",
    response_model=RetirementOut | CancellationOut,
    summary="A retirement, donation or external cancellation (public)",
)
def read_record(record_id: RecordId, session: DbSession) -> RetirementOut | CancellationOut:
    """One record with its serial ranges and log index."""
    return queries.record(session, record_id)


@router.get(
    "/retirements/{record_id}/proof",
    response_model=ProofOut,
    summary="The record's log entry, inclusion proof and signed checkpoint (public)",
)
def read_proof(record_id: RecordId, runtime: Runtime) -> ProofOut:
    """Verify offline with `lingtan verify proof FILE --vkey VKEY`."""
    return queries.proof(runtime.context.database, runtime.signer, record_id)
