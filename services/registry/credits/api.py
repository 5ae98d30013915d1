"""Issuances and transfers: value-moving writes that take an Idempotency-Key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.auth import IssueCredits, TransferCredits
from services.registry.credits import service
from services.registry.credits.schemas import IssuanceCreate, IssuanceOut, TransferCreate, TransferOut
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1", tags=["credits"])
MOVE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The source account belongs to another owner, or a scope is missing"},
    404: {"description": "No such account or project"},
    409: {"description": "Insufficient credits, or the Idempotency-Key was used for another request"},
    422: {"description": "Invalid quantity, unit type or serials"},
}


@router.post(
    "/issuances",
    status_code=201,
    response_model=IssuanceOut,
    responses=MOVE_PROBLEMS,
    summary="Issue credits of a project's vintage into an account (registry:issue)",
)
async def issue(
    body: IssuanceCreate, request: Request, caller: IssueCredits, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Issue a new credit block; serials continue the project's vintage series."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.issue(session, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.post(
    "/transfers",
    status_code=201,
    response_model=TransferOut,
    responses=MOVE_PROBLEMS,
    summary="Transfer credits to another account (registry:transfer)",
)
async def transfer(
    body: TransferCreate, request: Request, caller: TransferCredits, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Move credits; a partly used block is split, the holder keeping its head."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.transfer(session, caller, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)
