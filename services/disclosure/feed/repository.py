"""Writes to the read model: insert a record or replace it, but only with a newer `seq`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.disclosure.feed.models import (
    DisclosedCancellation,
    DisclosedCertificate,
    DisclosedEvent,
    DisclosedRetirement,
    DisclosedSerialRange,
)


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def upsert_latest(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """Insert the record, or overwrite it if `values['seq']` is newer; whether anything was written.

    One conditional statement, so two deliveries racing for the same record cannot both win and an
    older state can never overwrite a newer one, on either database.
    """
    table = _table(model)
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)).values(**values)
    changes = {name: insert.excluded[name] for name in values if name != "id"}
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.id], set_=changes, where=table.c.seq < insert.excluded.seq
    ).returning(table.c.id)
    return session.execute(statement).first() is not None


def save_event(session: Session, values: dict[str, Any]) -> bool:
    """Keep an event's latest state."""
    return upsert_latest(session, DisclosedEvent, values)


def save_certificate(session: Session, values: dict[str, Any]) -> bool:
    """Keep a certificate's latest state."""
    return upsert_latest(session, DisclosedCertificate, values)


def save_cancellation(session: Session, values: dict[str, Any]) -> bool:
    """Keep an external cancellation's latest state."""
    return upsert_latest(session, DisclosedCancellation, values)


def save_retirement(session: Session, values: dict[str, Any], ranges: list[dict[str, Any]]) -> bool:
    """Keep a retirement's latest state and replace its serial ranges with the new state's."""
    if not upsert_latest(session, DisclosedRetirement, values):
        return False
    session.execute(delete(DisclosedSerialRange).where(DisclosedSerialRange.retirement_id == values["id"]))
    if ranges:
        session.execute(
            plain_insert(DisclosedSerialRange),
            [{"retirement_id": values["id"], "position": i, **r} for i, r in enumerate(ranges)],
        )
    return True
