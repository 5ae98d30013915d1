"""SQL of projects."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.projects.models import Project


def code_taken(session: Session, code: str) -> bool:
    """Whether a project already uses this serial code."""
    return session.execute(select(Project.id).where(Project.code == code)).first() is not None


def add(session: Session, project: Project) -> None:
    """Insert a project."""
    session.add(project)
    session.flush()


def get(session: Session, project_id: str) -> Project | None:
    """A project by id."""
    return session.get(Project, project_id)


def get_many(session: Session, project_ids: Iterable[str]) -> dict[str, Project]:
    """Projects by id."""
    wanted = sorted(set(project_ids))
    if not wanted:
        return {}
    return {p.id: p for p in session.execute(select(Project).where(Project.id.in_(wanted))).scalars()}
