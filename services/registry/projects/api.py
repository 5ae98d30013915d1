"""Projects: filed by the registry operator, read by anyone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.registry.auth import AdministerRegistry
from services.registry.paths import RecordId
from services.registry.projects import service
from services.registry.projects.schemas import ProjectCreate, ProjectOut
from services.registry.writes import run_write
from shared.db.executor import Executor
from shared.db.session import DbSession
from shared.idempotency import IdempotencyKeyHeader

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "",
    status_code=201,
    response_model=ProjectOut,
    responses={409: {"description": "The project code is taken"}},
    summary="File a carbon-inclusion project (registry:admin)",
)
async def file_project(
    body: ProjectCreate,
    request: Request,
    caller: AdministerRegistry,
    key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """File a project with its unit type, province, category, methodology and serial code."""

    def work(session: Executor) -> tuple[int, dict[str, Any]]:
        return 201, service.file_project(session, body).model_dump(mode="json")

    return await run_write(request, caller, key, body, work)


@router.get("/{project_id}", response_model=ProjectOut, summary="A filed project (public)")
def read_project(project_id: RecordId, session: DbSession) -> ProjectOut:
    """A filed project."""
    return service.out(service.require(session, project_id))
