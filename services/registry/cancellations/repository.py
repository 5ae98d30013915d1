"""SQL of external cancellations and their per-series rows."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from services.registry.cancellations.models import ExternalCancellation, ExternalSeries
from services.registry.cancellations.serials import ParsedRange
from services.registry.log.models import LogEntry
from services.registry.sql import insert_if_absent
from shared.db.transactions import expect_rows

_CANCELLATIONS = cast(Table, ExternalCancellation.__table__)
_SERIES = cast(Table, ExternalSeries.__table__)


def claim_series(session: Session, registry: str, series: str) -> None:
    """Bump the (registry, series) row's version, conditional on the version read.

    Of two transactions recording ranges of one series at once, the second one's update finds the
    version moved (on PostgreSQL after waiting for the first to commit), raises ConcurrentUpdate,
    and its retry then sees the first one's record.
    """
    insert_if_absent(session, _SERIES, {"registry": registry, "series": series, "version": 0}, ["registry", "series"])
    where = (_SERIES.c.registry == registry) & (_SERIES.c.series == series)
    version = session.execute(select(_SERIES.c.version).where(where)).scalar_one()
    expect_rows(session.execute(update(_SERIES).where(where, _SERIES.c.version == version).values(version=version + 1)))


def first_overlap(session: Session, parsed: ParsedRange) -> ExternalCancellation | None:
    """The earliest recorded cancellation that claims any unit of ``parsed``."""
    c = ExternalCancellation
    return session.execute(
        select(c)
        .where(
            c.registry_name == parsed.registry,
            c.series == parsed.series,
            c.range_start <= parsed.end,
            c.range_end >= parsed.start,
        )
        .order_by(c.created_at, c.id)
        .limit(1)
    ).scalar_one_or_none()


def add(session: Session, values: dict[str, Any]) -> None:
    """Insert a recorded cancellation."""
    session.execute(insert(_CANCELLATIONS).values(**values))


def get(session: Session, cancellation_id: str) -> tuple[ExternalCancellation, int] | None:
    """A cancellation with its log index."""
    row = session.execute(
        select(ExternalCancellation, LogEntry.leaf_index)
        .join(LogEntry, LogEntry.record_id == ExternalCancellation.id)
        .where(ExternalCancellation.id == cancellation_id)
    ).first()
    return None if row is None else (row[0], int(row[1]))


def page(session: Session, event_id: str | None, after: int, limit: int) -> list[tuple[ExternalCancellation, int]]:
    """Cancellations with a log index above ``after``, in log order."""
    c = ExternalCancellation
    query = select(c, LogEntry.leaf_index).join(LogEntry, LogEntry.record_id == c.id)
    if event_id is not None:
        query = query.where(c.event_id == event_id)
    query = query.where(LogEntry.leaf_index > after).order_by(LogEntry.leaf_index).limit(limit)
    return [(row[0], int(row[1])) for row in session.execute(query)]


def totals(session: Session, event_id: str | None) -> list[tuple[str, int, int]]:
    """(registry, grams, records) over an event's external cancellations."""
    c = ExternalCancellation
    query = select(c.registry_name, func.sum(c.quantity), func.count()).group_by(c.registry_name)
    if event_id is not None:
        query = query.where(c.event_id == event_id)
    return [(r[0], int(r[1]), int(r[2])) for r in session.execute(query)]
