"""External cancellations: recorded once; the same serials twice are a 409."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.auth import RetireCredits
from services.registry.cancellations import service
from services.registry.cancellations.schemas import CancellationCreate, CancellationOut
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1", tags=["external cancellations"])


@router.post(
    "/external-cancellations",
    status_code=201,
    response_model=CancellationOut,
    responses={
        409: {"description": "Double claim: the serials overlap an earlier record, named in the problem"},
        422: {"description": "Unreadable serials, or a range whose length differs from the quantity"},
    },
    summary="Record a cancellation made in CCER, CEA, CER or VCU (registry:retire)",
)
async def record_cancellation(
    body: CancellationCreate,
    request: Request,
    caller: RetireCredits,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record the cancellation with its evidence hash; it enters the log and is disclosed."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.record(session, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)
