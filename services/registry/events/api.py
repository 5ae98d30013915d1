"""Events as the registry knows them, and the delegations their owners grant (registry:retire)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.auth import ReadRegistry, RetireCredits
from services.registry.events import service
from services.registry.events.schemas import DelegationCreate, DelegationOut, KnownEventOut, RevocationOut
from services.registry.paths import RecordId
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/events", tags=["events"])
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "The registry does not know the event: a wrong id, or one created a moment ago that has "
        "not reached the registry yet (retry after the Retry-After seconds)"
    },
}


@router.get(
    "/{event_id}",
    response_model=KnownEventOut,
    responses=UNKNOWN,
    summary="An event as the registry knows it: state, donations, delegations (registry:read)",
)
def read_event(event_id: RecordId, session: DbSession, caller: ReadRegistry) -> KnownEventOut:
    """Whether records can be attached to the event now; the owner also sees its delegations."""
    return service.read_event(session, caller, event_id)


@router.post(
    "/{event_id}/delegations",
    status_code=201,
    response_model=DelegationOut,
    responses={
        **UNKNOWN,
        403: {"description": "Not the event's owner"},
        409: {"description": "The client holds that role already"},
    },
    summary="Let a client act for the event: retire for it, or evaluate its claims (registry:retire, owner)",
)
async def grant(
    event_id: RecordId,
    body: DelegationCreate,
    request: Request,
    caller: RetireCredits,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """The grant enters the log; the client's later records for the event are accepted as the owner's."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.grant(session, caller, event_id, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.post(
    "/{event_id}/delegations/{delegation_id}/revocation",
    status_code=201,
    response_model=RevocationOut,
    responses={
        **UNKNOWN,
        403: {"description": "Not the event's owner"},
        409: {"description": "Revoked already"},
    },
    summary="End a delegation (registry:retire, owner)",
)
async def revoke(
    event_id: RecordId,
    delegation_id: RecordId,
    request: Request,
    caller: RetireCredits,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """The revocation enters the log; from then on the client's records for the event are refused."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.revoke(session, caller, event_id, delegation_id).model_dump(mode="json")

    return await run_write(request, caller, key, None, work)
