"""SQL of projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from services.registry.projects.models import Project
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor

_PROJECTS = cast(Table, Project.__table__)
_BY_ID = select(_PROJECTS).where(_PROJECTS.c.id == bindparam("project_id"))


@dataclass(frozen=True)
class ProjectRecord:
    """A project as stored."""

    id: str
    code: str
    name: str
    unit_type: str
    province: str
    category: str
    methodology: str
    new_sink: bool
    created_at: datetime


def add(session: Executor, values: dict[str, Any]) -> bool:
    """Insert a project unless its code is taken; whether it went in."""
    return insert_if_absent(session, _PROJECTS, values, ["code"])


def get(session: Executor, project_id: str) -> ProjectRecord | None:
    """A project by id."""
    row = session.execute(_BY_ID, {"project_id": project_id}).first()
    return None if row is None else ProjectRecord(**row._asdict())
