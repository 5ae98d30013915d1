"""SQL for inventory versions."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.accounting.inventories.models import InventoryVersion
from services.accounting.problems import ConcurrentChange
from shared.db.transactions import ConcurrentUpdate, expect_rows


def latest(session: Session, event_id: str, *, submitted_only: bool = False) -> InventoryVersion | None:
    """The event's newest version (newest submitted one if asked), without its lines."""
    statement = select(InventoryVersion).where(InventoryVersion.event_id == event_id)
    if submitted_only:
        statement = statement.where(InventoryVersion.submitted_at.is_not(None))
    return session.execute(statement.order_by(InventoryVersion.version.desc()).limit(1)).scalar_one_or_none()


def version(session: Session, event_id: str, number: int) -> InventoryVersion | None:
    """Version `number` of the event's inventory, without its lines."""
    return session.execute(
        select(InventoryVersion).where(InventoryVersion.event_id == event_id, InventoryVersion.version == number)
    ).scalar_one_or_none()


def lines(session: Session, row_id: int) -> str:
    """The stored lines (JSON text) of one version."""
    # Selecting the column itself reads it; the mapped attribute stays deferred.
    text: str = session.execute(select(InventoryVersion.lines).where(InventoryVersion.id == row_id)).scalar_one()
    return text


def add(session: Session, row: InventoryVersion) -> None:
    """Insert a new version; a concurrent writer of the same version number loses with 409."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConcurrentChange("Another request wrote this inventory version at the same time; retry.") from exc


def overwrite_draft(session: Session, row: InventoryVersion, values: dict[str, object]) -> None:
    """Replace a draft's content, only while it is still a draft (a submit in between wins)."""
    result = session.execute(
        update(InventoryVersion)
        .where(InventoryVersion.id == row.id, InventoryVersion.submitted_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    try:
        expect_rows(result)
    except ConcurrentUpdate as exc:
        raise ConcurrentChange("The draft was submitted by another request meanwhile; read it again.") from exc
    session.expire(row)


def mark_submitted(session: Session, row: InventoryVersion, values: dict[str, object]) -> None:
    """Lock a draft as submitted, only if it still is a draft."""
    overwrite_draft(session, row, values)


def page(
    session: Session, event_id: str, before: int | None, limit: int, *, submitted_only: bool
) -> list[InventoryVersion]:
    """Versions of the event's inventory, newest first."""
    statement = select(InventoryVersion).where(InventoryVersion.event_id == event_id)
    if submitted_only:
        statement = statement.where(InventoryVersion.submitted_at.is_not(None))
    if before is not None:
        statement = statement.where(InventoryVersion.version < before)
    return list(session.execute(statement.order_by(InventoryVersion.version.desc()).limit(limit)).scalars())
