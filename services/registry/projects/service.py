"""Filing projects."""

from __future__ import annotations

from dataclasses import asdict
from typing import cast

from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import service as log
from services.registry.projects import repository
from services.registry.projects.repository import ProjectRecord
from services.registry.projects.schemas import Category, ProjectCreate, ProjectOut
from shared.db.executor import Executor
from shared.problems import Conflict, NotFound


def out(project: ProjectRecord, log_index: int | None = None) -> ProjectOut:
    """The API form of a project."""
    return ProjectOut(
        id=project.id,
        name=project.name,
        code=project.code,
        unit_type=project.unit_type,
        province=project.province,
        category=cast(Category, project.category),
        methodology=project.methodology,
        new_sink=project.new_sink,
        created_at=aware(project.created_at),
        log_index=log_index,
    )


def file_project(session: Executor, request: ProjectCreate) -> ProjectOut:
    """File a project; its code must be new, since serials carry it."""
    project = ProjectRecord(id=new_id("prj"), created_at=utc_now(), **request.model_dump())
    if not repository.add(session, asdict(project)):
        raise Conflict(f"Project code {request.code} is already in use.", code=request.code)
    log.queue_entry(
        session,
        "project.filed",
        project.id,
        {"project_id": project.id, **request.model_dump()},
    )
    return out(project, log.PENDING_INDEX)


def require(session: Executor, project_id: str) -> ProjectRecord:
    """The project, or 404."""
    project = repository.get(session, project_id)
    if project is None:
        raise NotFound(f"No project {project_id}.")
    return project
