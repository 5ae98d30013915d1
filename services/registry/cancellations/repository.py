"""SQL of external cancellations and their per-series rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from services.registry.cancellations.models import ExternalCancellation, ExternalSeries
from services.registry.cancellations.serials import ParsedRange
from services.registry.log.models import LogEntry
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor
from shared.db.transactions import expect_rows

_CANCELLATIONS = cast(Table, ExternalCancellation.__table__)
_SERIES = cast(Table, ExternalSeries.__table__)
_INSERT = insert(_CANCELLATIONS)
_OF_SERIES = (_SERIES.c.registry == bindparam("for_registry")) & (_SERIES.c.series == bindparam("for_series"))
_SERIES_VERSION = select(_SERIES.c.version).where(_OF_SERIES)
_BUMP_SERIES = update(_SERIES).where(_OF_SERIES, _SERIES.c.version == bindparam("read_version"))
_c = _CANCELLATIONS.c
_FIRST_OVERLAP = (
    select(_c.id, _c.event_id, _c.serial_from, _c.serial_to, _c.cancellation_ref)
    .where(
        _c.registry == bindparam("for_registry"),
        _c.series == bindparam("for_series"),
        _c.range_start <= bindparam("last"),
        _c.range_end >= bindparam("first"),
    )
    .order_by(_c.created_at, _c.id)
    .limit(1)
)


@dataclass(frozen=True)
class Claim:
    """An earlier cancellation that claims some of the same units."""

    id: str
    event_id: str
    serial_from: str
    serial_to: str
    cancellation_ref: str


def claim_series(session: Executor, registry: str, series: str) -> None:
    """Bump the (registry, series) row's version, conditional on the version read.

    Of two transactions recording ranges of one series at once, the second one's update finds the
    version moved (on PostgreSQL after waiting for the first to commit), raises ConcurrentUpdate,
    and its retry then sees the first one's record.
    """
    insert_if_absent(session, _SERIES, {"registry": registry, "series": series, "version": 0}, ["registry", "series"])
    which = {"for_registry": registry, "for_series": series}
    version = session.execute(_SERIES_VERSION, which).scalar_one()
    expect_rows(session.execute(_BUMP_SERIES, {**which, "read_version": version, "version": version + 1}))


def first_overlap(session: Executor, parsed: ParsedRange) -> Claim | None:
    """The earliest recorded cancellation that claims any unit of ``parsed``."""
    row = session.execute(
        _FIRST_OVERLAP,
        {"for_registry": parsed.registry, "for_series": parsed.series, "first": parsed.start, "last": parsed.end},
    ).first()
    return None if row is None else Claim(row.id, row.event_id, row.serial_from, row.serial_to, row.cancellation_ref)


def add(session: Executor, values: dict[str, Any]) -> None:
    """Insert a recorded cancellation."""
    session.execute(_INSERT, values)


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
