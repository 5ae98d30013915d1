"""Appending log entries, and answering with roots, proofs and signed checkpoints.

Every state change of the registry appends one entry in the transaction that makes the change. The
entry is ``{"index", "kind", "at", ...the change's public facts}`` and its RFC 8785 canonical bytes
are the RFC 9162 leaf. The append is the LAST step of every unit of work: claiming the index takes
the one sequencing point (the ``log_state`` row, see repository.py), so everything that does not
need the index (block moves, records, bindings) happens before it, and only the entry, its subtree
hashes, the frontier and the outbox notification that carries the index follow it before commit.

Proofs read perfect-subtree hashes in one query: the proof algorithms' control flow depends on tree
indexes only, so a first pass records which subtrees they ask for and a second pass runs them on
the fetched hashes. That is O(log n) rows per proof, however long the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from services.registry.identifiers import aware, timestamp, utc_now
from services.registry.log import repository
from services.registry.log.keys import LogSigner
from shared.canonical import canonical_bytes
from shared.db.engine import Database
from shared.transparency.merkle import (
    HASH_SIZE,
    SubtreeSource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
)

T = TypeVar("T")
_PLACEHOLDER = bytes(HASH_SIZE)


class LogCorrupted(RuntimeError):
    """A subtree hash the tree needs is missing from the database."""


@dataclass(frozen=True)
class Appended:
    """An entry as appended: its leaf index, its JSON object and its leaf hash."""

    leaf_index: int
    entry: dict[str, Any]
    leaf_hash: bytes


@dataclass(frozen=True)
class PublishedCheckpoint:
    """A signed checkpoint as stored."""

    tree_size: int
    root_hash: bytes
    note: str
    signed_at: datetime


def append(session: Session, kind: str, record_id: str | None, facts: dict[str, Any]) -> Appended:
    """Append one entry; call it as the last step of the unit of work (see the module docstring)."""
    index, frontier = repository.claim(session)
    entry = {"index": index, "kind": kind, "at": timestamp(utc_now()), **facts}
    data = canonical_bytes(entry)
    leaf = leaf_hash(data)
    completed = frontier.append(leaf)
    repository.write(session, repository.StoredEntry(index, kind, record_id, data.decode(), leaf), completed, frontier)
    return Appended(index, entry, leaf)


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


def _computed(session: Session, compute: Callable[[SubtreeSource], T]) -> T:
    recorder = _Recorder()
    compute(recorder)
    return compute(_Fetched(repository.subtree_hashes(session, recorder.keys)))


def root_at(session: Session, size: int) -> bytes:
    """The Merkle tree hash of the first ``size`` entries."""
    return _computed(session, lambda source: root_hash(source, size))


def inclusion_at(session: Session, index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``size`` entries."""
    return _computed(session, lambda source: inclusion_proof(source, index, size))


def consistency_between(session: Session, first: int, second: int) -> list[bytes]:
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
