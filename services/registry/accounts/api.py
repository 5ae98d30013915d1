"""Accounts: open one, read one with its holdings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.accounts import service
from services.registry.accounts.schemas import AccountCreate, AccountOut
from services.registry.auth import OpenAccounts, ReadRegistry
from services.registry.paths import RecordId
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Another owner's account, or a missing scope"},
    404: {"description": "No such account"},
}


@router.post(
    "",
    status_code=201,
    response_model=AccountOut,
    responses=PROBLEMS,
    summary="Open an account (registry:transfer, registry:retire or registry:admin)",
)
async def open_account(
    body: AccountCreate, request: Request, caller: OpenAccounts, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Open an account for the token's own owner (any owner with registry:admin)."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.open_account(session, caller, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.get("/{account_id}", response_model=AccountOut, responses=PROBLEMS, summary="An account and its holdings")
def read_account(account_id: RecordId, session: DbSession, caller: ReadRegistry) -> AccountOut:
    """The account with its holdings by unit type, project and vintage, and the blocks it holds."""
    return service.read_account(session, caller, account_id)
