"""Random audits: rounds drawn reproducibly (audit:write), findings (audit:write), rounds read publicly."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.certification.audits import service
from services.certification.audits.schemas import FindingCreate, FindingOut, RoundCreate, RoundOut
from services.certification.auth import WriteAudits
from services.certification.certificates.models import Certificate, Revocation
from services.certification.certificates.revocation import log_revocation
from services.certification.paths import RecordId
from services.certification.runtime import Runtime
from services.certification.writes import run_write
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/audits", tags=["audits"])


@router.post(
    "/rounds",
    status_code=201,
    response_model=RoundOut,
    responses={409: {"description": "No valid certificates to draw from"},
               502: {"description": "The registry's checkpoint does not verify"}},
    summary="Draw an audit round from the registry's latest signed checkpoint (audit:write)",
)
def create_round(
    body: RoundCreate, request: Request, caller: WriteAudits, runtime: Runtime, key: IdempotencyKeyHeader = None
) -> JSONResponse:
    """Draws ceil(rate x population) of the jurisdiction's valid certificates; the seed, method, checkpoint,
    population and sample are stored so anyone can redo the draw."""
    return run_write(
        runtime, caller, key, request.url.path, body.model_dump(mode="json"),
        lambda: service.create_round(runtime, caller, body),
    )


@router.get("/{round_id}", response_model=RoundOut, responses={404: {"description": "No such round"}},
            summary="An audit round with its draw's inputs and its findings (public)")
def read_round(round_id: RecordId, session: DbSession) -> RoundOut:
    """Everything needed to redo the draw, and the findings so far."""
    return service.round_out(session, service.require(session, round_id))


@router.post(
    "/{round_id}/findings",
    status_code=201,
    response_model=FindingOut,
    responses={404: {"description": "No such round"},
               409: {"description": "Not drawn in this round, or a finding is already recorded"}},
    summary="Record a finding for a drawn certificate; a fail revokes it (audit:write)",
)
def record_finding(
    round_id: RecordId,
    body: FindingCreate,
    request: Request,
    caller: WriteAudits,
    runtime: Runtime,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """pass or fail, with what was found; a fail revokes the certificate with the finding as its reason."""
    revoked: list[tuple[Revocation, Certificate]] = []

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        revoked.clear()
        finding = service.record_finding(session, runtime, caller, round_id, body, revoked)
        return 201, finding.model_dump(mode="json")

    response = run_write(runtime, caller, key, request.url.path, body.model_dump(mode="json"), lambda: work)
    for revocation, certificate in revoked:
        log_revocation(revocation, certificate)
    return response
