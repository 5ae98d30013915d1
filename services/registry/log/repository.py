"""SQL of the log: the queue of entries awaiting an index, appending batches, reading them back.

Sequencing: ``log_state`` is the one row that orders the log. Only the sequencer (sequencer.py)
touches it: ``lock_state`` reads it ``FOR UPDATE``, taking the row, so on PostgreSQL a second
sequencer waits until the first commits and then reads the committed size and queue; on SQLite the
write transaction already holds the database lock (BEGIN IMMEDIATE). ``take_queued`` removes the
oldest entries from the queue and ``append_batch`` stores them, the subtrees they completed and the
new frontier (conditional on the size read, checked with ``expect_rows``), all in one transaction.
Changes themselves only insert into ``log_queue``, which no two transactions contend for.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session

from services.registry.log.models import STATE_ROW, LogCheckpoint, LogEntry, LogState, LogSubtree, QueuedEntry
from services.registry.sql import insert_if_absent
from shared.db.executor import Executor
from shared.db.transactions import expect_rows
from shared.transparency.merkle import CompactRange

_STATE = cast(Table, LogState.__table__)
_ENTRIES = cast(Table, LogEntry.__table__)
_SUBTREES = cast(Table, LogSubtree.__table__)
_CHECKPOINTS = cast(Table, LogCheckpoint.__table__)
_QUEUE = cast(Table, QueuedEntry.__table__)
# Statements on every write's path are built once: building one costs more than running it.
# FOR UPDATE takes the row without writing a new version of it (SQLite has no such clause, and needs
# none: its write transaction holds the database). The seal below is what guarantees the order.
_LOCK_STATE = select(_STATE.c.size, _STATE.c.frontier).where(_STATE.c.id == STATE_ROW).with_for_update()
_SEAL = update(_STATE).where(_STATE.c.id == STATE_ROW, _STATE.c.size == bindparam("sealed_size"))
# The oldest entries leave the queue in the statement that reads them (the batch holds log_state, so no
# other batch can take them); RETURNING promises no order, so they are sorted by seq after.
_TAKE_QUEUED = (
    delete(_QUEUE)
    .where(_QUEUE.c.seq.in_(select(_QUEUE.c.seq).order_by(_QUEUE.c.seq).limit(bindparam("batch")).scalar_subquery()))
    .returning(*_QUEUE.c)
)
_ENQUEUE = insert(_QUEUE)
_INDEXES_OF = select(_ENTRIES.c.record_id, _ENTRIES.c.leaf_index).where(
    _ENTRIES.c.record_id.in_(bindparam("record_ids", expanding=True))
)
_ANY_QUEUED = select(_QUEUE.c.seq).limit(1)
_COMMITTED_SIZE = select(_STATE.c.size).where(_STATE.c.id == STATE_ROW)
_INSERT_ENTRY = insert(_ENTRIES)
_INSERT_SUBTREE = insert(_SUBTREES)


@dataclass(frozen=True)
class StoredEntry:
    """One row of log_entries."""

    leaf_index: int
    kind: str
    record_id: str | None
    canonical: str
    leaf_hash: bytes


def _frontier(size: int, text: str) -> CompactRange:
    return CompactRange(size, [base64.b64decode(h) for h in json.loads(text)])


@dataclass(frozen=True)
class Queued:
    """One row of log_queue: a committed change's entry facts, and its notification if it has one."""

    seq: int
    kind: str
    record_id: str
    facts: str
    topic: str | None
    notification: str | None


def enqueue(
    session: Executor, kind: str, record_id: str, facts: str, topic: str | None, notification: str | None
) -> None:
    """Queue an entry in the change's transaction (facts and notification as JSON text)."""
    session.execute(
        _ENQUEUE,
        {"kind": kind, "record_id": record_id, "facts": facts, "topic": topic, "notification": notification},
    )


def lock_state(session: Executor) -> CompactRange:
    """Take the log's state row until commit; return the frontier of the tree as committed."""
    row = session.execute(_LOCK_STATE).one()
    return _frontier(int(row.size), row.frontier)


def take_queued(session: Executor, batch: int) -> list[Queued]:
    """Remove the oldest ``batch`` queued entries from the queue and return them, in queue order; the
    caller appends them in the same transaction."""
    rows = session.execute(_TAKE_QUEUED, {"batch": batch}).all()
    taken = [Queued(int(r.seq), r.kind, r.record_id, r.facts, r.topic, r.notification) for r in rows]
    return sorted(taken, key=lambda q: q.seq)


def append_batch(
    session: Executor,
    size: int,
    entries: Sequence[StoredEntry],
    subtrees: Sequence[tuple[int, int, bytes]],
    frontier: CompactRange,
) -> None:
    """Store entries ``size``.. and the subtrees they completed, and seal the new frontier (conditional
    on the size locked)."""
    session.execute(
        _INSERT_ENTRY,
        [
            {
                "leaf_index": e.leaf_index,
                "kind": e.kind,
                "record_id": e.record_id,
                "canonical": e.canonical,
                "leaf_hash": e.leaf_hash,
            }
            for e in entries
        ],
    )
    session.execute(
        _INSERT_SUBTREE, [{"level": level, "position": position, "hash": h} for level, position, h in subtrees]
    )
    sealed = {"sealed_size": size, "size": frontier.size, "frontier": _frontier_json(frontier)}
    expect_rows(session.execute(_SEAL, sealed))


def any_queued(session: Executor) -> bool:
    """Whether any entry is waiting for its index."""
    return session.execute(_ANY_QUEUED).first() is not None


def _frontier_json(frontier: CompactRange) -> str:
    return json.dumps([base64.b64encode(h).decode() for h in frontier.hashes])


def committed_size(session: Executor) -> int:
    """The tree size as of the session's snapshot."""
    return int(session.execute(_COMMITTED_SIZE).scalar_one())


def subtree_hashes(session: Executor, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the given (level, position) subtrees, in one query."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.execute(
        select(_SUBTREES.c.level, _SUBTREES.c.position, _SUBTREES.c.hash).where(
            tuple_(_SUBTREES.c.level, _SUBTREES.c.position).in_(wanted)
        )
    ).all()
    return {(int(r.level), int(r.position)): bytes(r.hash) for r in rows}


def entries(session: Executor, start: int, end: int) -> list[StoredEntry]:
    """Entries with start <= index < end, in order."""
    rows = session.execute(
        select(_ENTRIES)
        .where(_ENTRIES.c.leaf_index >= start, _ENTRIES.c.leaf_index < end)
        .order_by(_ENTRIES.c.leaf_index)
    ).all()
    return [StoredEntry(int(r.leaf_index), r.kind, r.record_id, r.canonical, bytes(r.leaf_hash)) for r in rows]


def entry_for_record(session: Executor, record_id: str) -> StoredEntry | None:
    """The entry that recorded a retirement, donation or external cancellation."""
    row = session.execute(
        select(_ENTRIES).where(_ENTRIES.c.record_id == record_id).order_by(_ENTRIES.c.leaf_index).limit(1)
    ).first()
    if row is None:
        return None
    return StoredEntry(int(row.leaf_index), row.kind, row.record_id, row.canonical, bytes(row.leaf_hash))


def indexes_of(session: Executor, record_ids: Iterable[str]) -> dict[str, int]:
    """The leaf indexes of the entries that recorded these records, where there are any."""
    wanted = sorted(set(record_ids))
    if not wanted:
        return {}
    return {row.record_id: int(row.leaf_index) for row in session.execute(_INDEXES_OF, {"record_ids": wanted})}


def latest_checkpoint(session: Session) -> LogCheckpoint | None:
    """The published checkpoint with the largest tree size."""
    return session.execute(select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1)).scalar_one_or_none()


def checkpoint_at(session: Session, size: int) -> LogCheckpoint | None:
    """The published checkpoint of one tree size."""
    return session.get(LogCheckpoint, size)


def insert_checkpoint(session: Session, size: int, root: bytes, note: str, signed_at: datetime) -> None:
    """Publish a checkpoint unless one of that size already is (two signers may race; the first stays)."""
    insert_if_absent(
        session,
        _CHECKPOINTS,
        {"tree_size": size, "root_hash": root, "note": note, "signed_at": signed_at},
        ["tree_size"],
    )
