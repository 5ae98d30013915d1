"""Queueing log entries, and answering with roots, proofs and signed checkpoints.

Every state change of the registry queues one entry in the transaction that makes the change, and
the sequencer (sequencer.py) appends it to the log right after that transaction commits, before the
change is acknowledged. The entry is ``{"index", "kind", "at", ...the change's public facts}`` and
its RFC 8785 canonical bytes are the RFC 9162 leaf; "at" is when it was sequenced. Until then a
change's answer and notification carry ``PENDING_INDEX`` as their log index, which the sequencer's
result replaces: it never leaves the registry.

Proofs read perfect-subtree hashes in one query: the proof algorithms' control flow depends on tree
indexes only, so a first pass records which subtrees they ask for and a second pass runs them on
the fetched hashes. That is O(log n) rows per proof, however long the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from services.registry.identifiers import aware, utc_now
from services.registry.log import repository
from services.registry.log.keys import LogSigner
from shared.canonical import canonical_bytes
from shared.db.engine import Database
from shared.db.executor import Executor
from shared.transparency.merkle import (
    HASH_SIZE,
    SubtreeSource,
    consistency_proof,
    inclusion_proof,
    root_hash,
)

T = TypeVar("T")
_PLACEHOLDER = bytes(HASH_SIZE)
PENDING_INDEX = -1


class LogCorrupted(RuntimeError):
    """A subtree hash the tree needs is missing from the database."""


@dataclass(frozen=True)
class Notice:
    """A notification to publish once the entry has its index (set as the payload's ``log_index``)."""

    topic: str
    payload: dict[str, Any]


def queue_entry(
    session: Executor, kind: str, record_id: str, facts: dict[str, Any], notice: Notice | None = None
) -> None:
    """Queue the change's entry (and its notification) in the change's own transaction."""
    repository.enqueue(
        session,
        kind,
        record_id,
        canonical_bytes(facts).decode(),
        notice.topic if notice else None,
        json.dumps(notice.payload, default=str, ensure_ascii=False) if notice else None,
    )


@dataclass(frozen=True)
class PublishedCheckpoint:
    """A signed checkpoint as stored."""

    tree_size: int
    root_hash: bytes
    note: str
    signed_at: datetime


class _Recorder:
    def __init__(self) -> None:
        self.keys: set[tuple[int, int]] = set()

    def perfect_hash(self, level: int, index: int) -> bytes:
        self.keys.add((level, index))
        return _PLACEHOLDER


class _Fetched:
    def __init__(self, hashes: dict[tuple[int, int], bytes]) -> None:
        self.hashes = hashes

    def perfect_hash(self, level: int, index: int) -> bytes:
        found = self.hashes.get((level, index))
        if found is None:
            raise LogCorrupted(f"the subtree hash at level {level}, position {index} is missing")
        return found


def _computed(session: Executor, compute: Callable[[SubtreeSource], T]) -> T:
    recorder = _Recorder()
    compute(recorder)
    return compute(_Fetched(repository.subtree_hashes(session, recorder.keys)))


def root_at(session: Executor, size: int) -> bytes:
    """The Merkle tree hash of the first ``size`` entries."""
    return _computed(session, lambda source: root_hash(source, size))


def inclusion_at(session: Executor, index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``size`` entries."""
    return _computed(session, lambda source: inclusion_proof(source, index, size))


def consistency_between(session: Executor, first: int, second: int) -> list[bytes]:
    """The consistency proof from tree size ``first`` to ``second`` (empty when first is 0 or equal)."""
    if first == 0 or first == second:
        return []
    return _computed(session, lambda source: consistency_proof(source, first, second))


def current_checkpoint(database: Database, signer: LogSigner) -> PublishedCheckpoint:
    """The latest published checkpoint, signing and publishing a new one when the log has grown."""
    with database.reads() as session:
        size = repository.committed_size(session)
        latest = repository.latest_checkpoint(session)
        if latest is not None and latest.tree_size >= size:
            return _published(latest.tree_size, latest.root_hash, latest.note, latest.signed_at)
        root = root_at(session, size)
    signed_at = utc_now().replace(microsecond=0)
    note = signer.sign(size, root, signed_at)
    with database.writes() as session, session.begin():
        repository.insert_checkpoint(session, size, root, note, signed_at)
        stored = repository.checkpoint_at(session, size)
        assert stored is not None
        return _published(stored.tree_size, stored.root_hash, stored.note, stored.signed_at)


def _published(size: int, root: bytes, note: str, signed_at: datetime) -> PublishedCheckpoint:
    return PublishedCheckpoint(int(size), bytes(root), note, aware(signed_at))
