"""External cancellations: claimed once for an event (the same live serials twice are a 409), then
confirmed, rejected or voided."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.auth import DecideClaims, RetireCredits, SuperviseRegistry
from services.registry.cancellations import decisions, service
from services.registry.cancellations.schemas import (
    CancellationCreate,
    CancellationOut,
    ClaimDecisionIn,
    ClaimDecisionOut,
    ClaimVoidIn,
)
from services.registry.paths import RecordId
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1", tags=["external cancellations"])
EVENT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Neither the event's owner nor a client it delegated to"},
    404: {"description": "The registry does not know the event (or not yet: retry after Retry-After)"},
}


@router.post(
    "/external-cancellations",
    status_code=201,
    response_model=CancellationOut,
    responses={
        **EVENT_PROBLEMS,
        409: {
            "description": "Double claim: the serials overlap a live claim, named in the problem; or the event's "
            "state takes no offsets"
        },
        422: {"description": "Unreadable serials, a range whose length differs from the quantity, or a bad date"},
    },
    summary="Claim a cancellation made in CCER, CEA, CER or VCU for an event (registry:retire, owner or delegate)",
)
async def record_cancellation(
    body: CancellationCreate,
    request: Request,
    caller: RetireCredits,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record the claim with its evidence; it enters the log and is disclosed, `claimed` until decided."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.record(session, caller, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.post(
    "/external-cancellations/{cancellation_id}/decision",
    status_code=201,
    response_model=ClaimDecisionOut,
    responses={
        403: {"description": "Neither the regulator nor an evaluator the event's owner engaged"},
        404: {"description": "No such external cancellation"},
        409: {"description": "The claim was decided already"},
    },
    summary="Confirm or reject a claim (registry:evaluate as the event's evaluator, or registry:supervise)",
)
async def decide_claim(
    cancellation_id: RecordId,
    body: ClaimDecisionIn,
    request: Request,
    caller: DecideClaims,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """The decision enters the log; the claim's new status is disclosed."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, decisions.decide(session, caller, cancellation_id, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.post(
    "/external-cancellations/{cancellation_id}/void",
    status_code=201,
    response_model=ClaimDecisionOut,
    responses={
        404: {"description": "No such external cancellation"},
        409: {"description": "The claim was rejected or voided already"},
    },
    summary="Void a claim, freeing its serials, with the reason on record (registry:supervise)",
)
async def void_claim(
    cancellation_id: RecordId,
    body: ClaimVoidIn,
    request: Request,
    caller: SuperviseRegistry,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """For a claim on serials that are not its recorder's: they can then be claimed by whoever holds them."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, decisions.void(session, caller, cancellation_id, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)
