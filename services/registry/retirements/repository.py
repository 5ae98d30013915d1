"""SQL of retirements, donations and Shandong bindings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from services.registry.log.models import LogEntry
from services.registry.retirements.models import ProjectBinding, Retirement
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor

_RETIREMENTS = cast(Table, Retirement.__table__)
_BINDINGS = cast(Table, ProjectBinding.__table__)
_INSERT_RETIREMENT = insert(_RETIREMENTS)
_BINDINGS_OF = select(_BINDINGS.c.project_id, _BINDINGS.c.event_id).where(
    _BINDINGS.c.project_id.in_(bindparam("project_ids", expanding=True))
)
_BOUND_EVENT = select(_BINDINGS.c.event_id).where(_BINDINGS.c.project_id == bindparam("for_project"))


def add(session: Executor, values: dict[str, Any]) -> None:
    """Insert a retirement or donation."""
    session.execute(_INSERT_RETIREMENT, values)


def get(session: Session, retirement_id: str) -> tuple[Retirement, int] | None:
    """A retirement with its log index."""
    row = session.execute(
        select(Retirement, LogEntry.leaf_index)
        .join(LogEntry, LogEntry.record_id == Retirement.id)
        .where(Retirement.id == retirement_id)
    ).first()
    return None if row is None else (row[0], int(row[1]))


def bindings(session: Executor, project_ids: Iterable[str]) -> dict[str, str]:
    """The event each of these projects is bound to, where it is."""
    wanted = sorted(set(project_ids))
    if not wanted:
        return {}
    return {r.project_id: r.event_id for r in session.execute(_BINDINGS_OF, {"project_ids": wanted})}


def bind(session: Executor, project_id: str, event_id: str, retirement_id: str, at: datetime) -> tuple[str, bool]:
    """Bind a project to an event unless it already is; return (the event it is bound to, newly bound).

    On PostgreSQL a concurrent first binding makes the insert wait for that transaction, so the
    read that follows sees the winner.
    """
    inserted = insert_if_absent(
        session,
        _BINDINGS,
        {"project_id": project_id, "event_id": event_id, "retirement_id": retirement_id, "bound_at": at},
        ["project_id"],
    )
    bound = session.execute(_BOUND_EVENT, {"for_project": project_id}).scalar_one()
    return str(bound), inserted


def page(session: Session, event_id: str | None, after: int, limit: int) -> list[tuple[Retirement, int]]:
    """Retirements and donations with a log index above ``after``, in log order."""
    query = select(Retirement, LogEntry.leaf_index).join(LogEntry, LogEntry.record_id == Retirement.id)
    if event_id is not None:
        query = query.where(Retirement.event_id == event_id)
    query = query.where(LogEntry.leaf_index > after).order_by(LogEntry.leaf_index).limit(limit)
    return [(row[0], int(row[1])) for row in session.execute(query)]


def totals(session: Session, event_id: str | None) -> list[tuple[str, int, int]]:
    """(unit type, grams, records) over an event's retirements and donations."""
    query = select(Retirement.unit_type, func.sum(Retirement.quantity), func.count()).group_by(Retirement.unit_type)
    if event_id is not None:
        query = query.where(Retirement.event_id == event_id)
    return [(r[0], int(r[1]), int(r[2])) for r in session.execute(query)]


def bound_by(session: Session, retirement_ids: Iterable[str]) -> dict[str, list[str]]:
    """The projects each retirement bound to its event."""
    wanted = sorted(set(retirement_ids))
    found: dict[str, list[str]] = {}
    if not wanted:
        return found
    rows = session.execute(
        select(_BINDINGS.c.retirement_id, _BINDINGS.c.project_id)
        .where(_BINDINGS.c.retirement_id.in_(wanted))
        .order_by(_BINDINGS.c.project_id)
    )
    for row in rows:
        found.setdefault(row.retirement_id, []).append(row.project_id)
    return found
