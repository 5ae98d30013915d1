"""SQL of external cancellations (claims), their decisions, and their per-series rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from services.registry.cancellations.models import ClaimDecision, ExternalCancellation, ExternalSeries
from services.registry.cancellations.serials import ParsedRange
from services.registry.log.models import LogEntry
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor
from shared.db.transactions import expect_rows

_CANCELLATIONS = cast(Table, ExternalCancellation.__table__)
_DECISIONS = cast(Table, ClaimDecision.__table__)
_SERIES = cast(Table, ExternalSeries.__table__)
_INSERT = insert(_CANCELLATIONS)
_INSERT_DECISION = insert(_DECISIONS)
_OF_SERIES = (_SERIES.c.registry == bindparam("for_registry")) & (_SERIES.c.series == bindparam("for_series"))
_SERIES_VERSION = select(_SERIES.c.version).where(_OF_SERIES)
_BUMP_SERIES = update(_SERIES).where(_OF_SERIES, _SERIES.c.version == bindparam("read_version"))
_c = _CANCELLATIONS.c
# Rejected and voided claims hold no serials: the same units may be claimed again by whoever holds them.
LIVE = ("claimed", "confirmed")
_FIRST_OVERLAP = (
    select(_c.id, _c.event_id, _c.serial_from, _c.serial_to, _c.cancellation_ref)
    .where(
        _c.registry == bindparam("for_registry"),
        _c.series == bindparam("for_series"),
        _c.range_start <= bindparam("last"),
        _c.range_end >= bindparam("first"),
        _c.status.in_(LIVE),
    )
    .order_by(_c.created_at, _c.id)
    .limit(1)
)
_DECIDE = update(_CANCELLATIONS).where(
    _c.id == bindparam("cancellation_id"), _c.version == bindparam("read_version")
)


@dataclass(frozen=True)
class Claim:
    """An earlier cancellation that claims some of the same units."""

    id: str
    event_id: str
    serial_from: str
    serial_to: str
    cancellation_ref: str


@dataclass(frozen=True)
class ClaimState:
    """What a decision needs to know of a claim."""

    id: str
    event_id: str
    status: str
    version: int


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
    """The earliest live claim on any unit of ``parsed``."""
    row = session.execute(
        _FIRST_OVERLAP,
        {"for_registry": parsed.registry, "for_series": parsed.series, "first": parsed.start, "last": parsed.end},
    ).first()
    return None if row is None else Claim(row.id, row.event_id, row.serial_from, row.serial_to, row.cancellation_ref)


def add(session: Executor, values: dict[str, Any]) -> None:
    """Insert a recorded cancellation."""
    session.execute(_INSERT, values)


def decide(session: Executor, claim: ClaimState, decision: dict[str, Any]) -> None:
    """Record a decision and move the claim to its outcome, unless someone decided meanwhile."""
    expect_rows(
        session.execute(
            _DECIDE,
            {
                "cancellation_id": claim.id,
                "read_version": claim.version,
                "status": decision["outcome"],
                "decision_id": decision["id"],
                "version": claim.version + 1,
            },
        )
    )
    session.execute(_INSERT_DECISION, decision)


_DECISION_ENTRIES = cast(Table, LogEntry.__table__).alias("decision_entries")
_ENTRIES = cast(Table, LogEntry.__table__)
_d = _DECISIONS.c
# Core, not ORM entities, so that a unit of work on either database can read a claim as the API does.
_STORED = (
    select(
        _CANCELLATIONS,
        _ENTRIES.c.leaf_index,
        _d.outcome.label("d_outcome"),
        _d.reason.label("d_reason"),
        _d.decided_as.label("d_decided_as"),
        _d.decided_at.label("d_decided_at"),
        _DECISION_ENTRIES.c.leaf_index.label("d_log_index"),
    )
    .join(_ENTRIES, _ENTRIES.c.record_id == _c.id)
    .outerjoin(_DECISIONS, _d.id == _c.decision_id)
    .outerjoin(_DECISION_ENTRIES, _DECISION_ENTRIES.c.record_id == _d.id)
)


def get(session: Executor, cancellation_id: str) -> Any | None:
    """A cancellation row with its log index, and its decision's columns (``d_*``) when decided."""
    return session.execute(_STORED.where(_c.id == cancellation_id)).first()


def page(session: Executor, event_id: str | None, after: int, limit: int) -> list[Any]:
    """Cancellation rows (as ``get``) with a log index above ``after``, in log order."""
    query = _STORED
    if event_id is not None:
        query = query.where(_c.event_id == event_id)
    query = query.where(_ENTRIES.c.leaf_index > after).order_by(_ENTRIES.c.leaf_index).limit(limit)
    return list(session.execute(query))


def totals(session: Session, event_id: str | None) -> list[tuple[str, int, int]]:
    """(registry, grams, records) over an event's live claims (rejected and voided ones count for nothing)."""
    c = ExternalCancellation
    query = (
        select(c.registry_name, func.sum(c.quantity), func.count())
        .where(c.status.in_(LIVE))
        .group_by(c.registry_name)
    )
    if event_id is not None:
        query = query.where(c.event_id == event_id)
    return [(r[0], int(r[1]), int(r[2])) for r in session.execute(query)]
