"""SQL of the log: claiming a leaf index, storing entries and subtree hashes, reading them back.

Sequencing: ``log_state`` is the one row every writer passes through. ``claim`` moves it with
``UPDATE log_state SET size = size + n ... RETURNING size, frontier``: on PostgreSQL a second writer
waits on that row until the first commits and then continues from the committed size (no retry, no
lost update); on SQLite the write transaction already holds the database lock (BEGIN IMMEDIATE).
``write`` ends the append: the entry, the subtrees it completed, and the conditional ``UPDATE
log_state SET frontier = ... WHERE size = <claimed>`` checked with ``expect_rows`` (one statement on
PostgreSQL). Every unit of work claims as its last step (see
services/registry/log/service.py), so the row is held only for the writes that need the index.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from services.registry.log.models import STATE_ROW, LogCheckpoint, LogEntry, LogState, LogSubtree
from services.registry.sql import insert_if_absent
from shared.db.transactions import expect_rows
from shared.transparency.merkle import CompactRange

_STATE = cast(Table, LogState.__table__)
_ENTRIES = cast(Table, LogEntry.__table__)
_SUBTREES = cast(Table, LogSubtree.__table__)
_CHECKPOINTS = cast(Table, LogCheckpoint.__table__)


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


def claim(session: Session, count: int = 1) -> tuple[int, CompactRange]:
    """Reserve the next ``count`` leaf indexes; return the first one and the frontier before them."""
    row = session.execute(
        update(_STATE)
        .where(_STATE.c.id == STATE_ROW)
        .values(size=_STATE.c.size + count)
        .returning(_STATE.c.size, _STATE.c.frontier)
    ).one()
    first = int(row.size) - count
    return first, _frontier(first, row.frontier)


def store_entries(session: Session, entries: Sequence[StoredEntry]) -> None:
    """Insert claimed entries (the caller owns their indexes, so nothing can collide)."""
    session.execute(
        insert(_ENTRIES),
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


def store_subtrees(session: Session, subtrees: Sequence[tuple[int, int, bytes]]) -> None:
    """Insert the perfect subtrees the appends completed, as (level, position, hash)."""
    session.execute(
        insert(_SUBTREES), [{"level": level, "position": position, "hash": h} for level, position, h in subtrees]
    )


def seal(session: Session, frontier: CompactRange) -> None:
    """Write the new frontier, conditional on the size this transaction claimed."""
    result = session.execute(
        update(_STATE)
        .where(_STATE.c.id == STATE_ROW, _STATE.c.size == frontier.size)
        .values(frontier=_frontier_json(frontier))
    )
    expect_rows(result)


def _frontier_json(frontier: CompactRange) -> str:
    return json.dumps([base64.b64encode(h).decode() for h in frontier.hashes])


def write(
    session: Session, entry: StoredEntry, subtrees: Sequence[tuple[int, int, bytes]], frontier: CompactRange
) -> None:
    """Store a claimed entry, the subtrees it completed and the new frontier (conditional on the size).

    On PostgreSQL the three writes are one statement (data-modifying CTEs): the log_state row is
    held by this transaction from the claim to commit, so each round trip saved here is throughput.
    """
    if session.get_bind().dialect.name != "postgresql":
        store_entries(session, [entry])
        store_subtrees(session, subtrees)
        seal(session, frontier)
        return
    params: dict[str, object] = {
        "index": entry.leaf_index,
        "kind": entry.kind,
        "record": entry.record_id,
        "canonical": entry.canonical,
        "leaf": entry.leaf_hash,
        "frontier": _frontier_json(frontier),
        "size": frontier.size,
    }
    rows = []
    for n, (level, position, value) in enumerate(subtrees):
        rows.append(f"(:l{n}, :p{n}, :h{n})")
        params.update({f"l{n}": level, f"p{n}": position, f"h{n}": value})
    # Only bind placeholders are formatted into the text; every value travels as a parameter.
    sql = (
        "WITH entry AS (INSERT INTO log_entries (leaf_index, kind, record_id, canonical, leaf_hash) "  # noqa: S608
        "VALUES (:index, :kind, :record, :canonical, :leaf)), "
        f"subtrees AS (INSERT INTO log_subtrees (level, position, hash) VALUES {', '.join(rows)}) "
        f"UPDATE log_state SET frontier = :frontier WHERE id = {STATE_ROW} AND size = :size"
    )
    statement = text(sql)
    expect_rows(session.execute(statement, params))


def committed_size(session: Session) -> int:
    """The tree size as of the session's snapshot."""
    return int(session.execute(select(_STATE.c.size).where(_STATE.c.id == STATE_ROW)).scalar_one())


def subtree_hashes(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
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


def entries(session: Session, start: int, end: int) -> list[StoredEntry]:
    """Entries with start <= index < end, in order."""
    rows = session.execute(
        select(_ENTRIES)
        .where(_ENTRIES.c.leaf_index >= start, _ENTRIES.c.leaf_index < end)
        .order_by(_ENTRIES.c.leaf_index)
    ).all()
    return [StoredEntry(int(r.leaf_index), r.kind, r.record_id, r.canonical, bytes(r.leaf_hash)) for r in rows]


def entry_for_record(session: Session, record_id: str) -> StoredEntry | None:
    """The entry that recorded a retirement, donation or external cancellation."""
    row = session.execute(
        select(_ENTRIES).where(_ENTRIES.c.record_id == record_id).order_by(_ENTRIES.c.leaf_index).limit(1)
    ).first()
    if row is None:
        return None
    return StoredEntry(int(row.leaf_index), row.kind, row.record_id, row.canonical, bytes(row.leaf_hash))


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
