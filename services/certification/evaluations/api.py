"""Third-party evaluations (certification:verify)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.certification.auth import EvaluateApplication
from services.certification.evaluations import service
from services.certification.evaluations.schemas import EvaluationCreate, EvaluationOut
from services.certification.paths import RecordId
from services.certification.runtime import Runtime
from services.certification.writes import run_write
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/applications", tags=["evaluations"])


@router.post(
    "/{application_id}/verifications",
    status_code=201,
    response_model=EvaluationOut,
    responses={404: {"description": "No such application"}, 409: {"description": "The application is decided"}},
    summary="Record a third-party evaluation of the event (certification:verify)",
)
def record_evaluation(
    application_id: RecordId,
    body: EvaluationCreate,
    request: Request,
    caller: EvaluateApplication,
    runtime: Runtime,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """An accredited body's evaluation: body, accreditation number, at least two evaluators, conclusion and
    the report's SHA-256. The application's confirmation check is re-run with it at once."""

    def work(session: Session) -> tuple[int, dict[str, Any]]:
        return 201, service.record(session, runtime, caller, application_id, body)

    return run_write(runtime, caller, key, request.url.path, body.model_dump(mode="json"), lambda: work)
