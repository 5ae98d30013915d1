"""Filing projects."""

from __future__ import annotations

from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.registry.identifiers import aware, new_id, utc_now
from services.registry.log import service as log
from services.registry.projects import repository
from services.registry.projects.models import Project
from services.registry.projects.schemas import Category, ProjectCreate, ProjectOut
from shared.problems import Conflict, NotFound


def out(project: Project, log_index: int | None = None) -> ProjectOut:
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


def file_project(session: Session, request: ProjectCreate) -> ProjectOut:
    """File a project; its code must be new, since serials carry it."""
    if repository.code_taken(session, request.code):
        raise Conflict(f"Project code {request.code} is already in use.", code=request.code)
    project = Project(id=new_id("prj"), created_at=utc_now(), **request.model_dump())
    try:
        with session.begin_nested():
            repository.add(session, project)
    except IntegrityError as exc:
        raise Conflict(f"Project code {request.code} is already in use.", code=request.code) from exc
    log.queue_entry(
        session,
        "project.filed",
        project.id,
        {"project_id": project.id, **request.model_dump()},
    )
    return out(project, log.PENDING_INDEX)


def require(session: Session, project_id: str) -> Project:
    """The project, or 404."""
    project = repository.get(session, project_id)
    if project is None:
        raise NotFound(f"No project {project_id}.")
    return project
