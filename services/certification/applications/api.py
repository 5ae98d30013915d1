"""Applications: apply, read, re-run the checks, and the issuer's decision."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.certification.applications import service
from services.certification.applications.schemas import ApplicationCreate, ApplicationOut, DecisionIn
from services.certification.auth import (
    ApplyForCertificate,
    IssueCertificates,
    ReadApplications,
    RecheckApplications,
)
from services.certification.paths import RecordId
from services.certification.runtime import Runtime
from services.certification.writes import run_write
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/applications", tags=["applications"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Another owner's event or application, or a missing scope"},
    404: {"description": "No such event or application"},
    409: {"description": "The application is already decided"},
    502: {"description": "Accounting or the registry gave an unusable answer"},
}


@router.post(
    "",
    status_code=201,
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="Apply for an event's certificate (certification:apply, the event's owner)",
)
def apply(
    body: ApplicationCreate,
    request: Request,
    caller: ApplyForCertificate,
    runtime: Runtime,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Runs every check at once and returns each with its result (pass, fail or advisory) and reason."""
    return run_write(
        runtime, caller, key, request.url.path, body.model_dump(mode="json"),
        lambda: service.apply(runtime, caller, body),
    )


@router.get(
    "/{application_id}",
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="An application (its owner: certification:apply; or certification:verify, :issue, audit:write)",
)
def read(application_id: RecordId, session: DbSession, caller: ReadApplications, runtime: Runtime) -> ApplicationOut:
    """The application with its checks as last run (its owner, evaluators, the issuer and auditors)."""
    return service.read(session, runtime, caller, application_id)


@router.post(
    "/{application_id}/checks",
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="Re-run the checks (certification:apply for the owner, or certification:issue)",
)
def recheck(application_id: RecordId, request: Request, caller: RecheckApplications, runtime: Runtime) -> JSONResponse:
    """Gathers the event's evidence again from accounting and the registry's log and runs every check."""
    return run_write(
        runtime, caller, None, request.url.path, {}, lambda: service.recheck(runtime, caller, application_id)
    )


@router.post(
    "/{application_id}/decision",
    response_model=ApplicationOut,
    responses={
        **PROBLEMS,
        409: {"description": "A required check fails (the fresh checks are stored), or the application is decided"},
    },
    summary="Approve or reject (certification:issue); approval issues the certificate",
)
def decide(
    application_id: RecordId,
    body: DecisionIn,
    request: Request,
    caller: IssueCertificates,
    runtime: Runtime,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Approval re-runs every check on fresh evidence and issues the signed certificate only when every
    required check passes; a rejection records its reason."""
    return run_write(
        runtime, caller, key, request.url.path, body.model_dump(mode="json"),
        lambda: service.decide(runtime, caller, application_id, body),
    )
