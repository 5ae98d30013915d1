"""Group-commit sequencing: entries get their leaf indexes in batches, right after their changes commit.

The log has one order, kept in one row (``log_state``). A change that claimed its index inside its
own transaction would hold that row from the claim to its commit, and every other change would wait
for it: the registry's writes would run one at a time. Instead a change queues its entry
(``log_queue``) in its own transaction, which contends with nobody, and after the commit asks the
sequencer for the entry's index before it answers. One thread per process at a time runs a batch:
it takes ``log_state``, appends every queued entry in queue order (the entries, the subtree hashes
they complete, the new frontier), publishes their notifications carrying the index, empties those
queue rows and commits. Requests that come while a batch runs are served by the next one, so under
load one hold of the row sequences many changes, and a quiet registry sequences each alone.

Processes (or replicas) share the queue: batches take turns on ``log_state``, and a request whose
entry another process sequenced finds its index in the log by record id. A change committed by a
process that died before sequencing it stays queued until the next batch of any process: the
registry sequences the queue when it starts and whenever a write asks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence

from services.registry.identifiers import timestamp, utc_now
from services.registry.log import repository
from shared.canonical import canonical_bytes
from shared.db.engine import Database
from shared.outbox import Outbox
from shared.transparency.merkle import CompactRange, leaf_hash

BATCH_LIMIT = 1000


class NotInLog(RuntimeError):
    """A record whose entry is neither queued nor in the log."""


class Sequencer:
    """Appends queued entries to the log in batches and tells each waiting request its index."""

    def __init__(self, database: Database, outbox: Outbox, batch_limit: int = BATCH_LIMIT) -> None:
        self._database = database
        self._outbox = outbox
        self._batch_limit = batch_limit
        self._turn = threading.Lock()  # one batch at a time in this process
        self._mutex = threading.Lock()  # guards the two below
        self._waiting: set[str] = set()
        self._sequenced: dict[str, int] = {}  # indexes found by a batch for requests that wait here

    def index_of(self, record_id: str) -> int:
        """The leaf index of a committed change's entry, sequencing the queue if it is still there."""
        with self._mutex:
            self._waiting.add(record_id)
        try:
            while True:
                with self._turn:
                    with self._mutex:
                        found = self._sequenced.pop(record_id, None)
                    if found is not None:
                        return found
                    self.sequence_queued(record_id)
                    with self._mutex:
                        found = self._sequenced.pop(record_id, None)
                    if found is not None:
                        return found
                # Still queued behind a full batch: take another turn.
        finally:
            with self._mutex:
                self._waiting.discard(record_id)
                self._sequenced.pop(record_id, None)

    def drain(self) -> int:
        """Sequence everything queued (at start, and before a checkpoint); return how many entries."""
        total = 0
        while True:
            with self._database.reads() as session:
                if not repository.any_queued(session):
                    return total
            with self._turn:
                total += len(self.sequence_queued())

    def sequence_queued(self, wanted: str | None = None) -> dict[str, int]:
        """Append one batch of queued entries in one transaction; return their indexes by record id.

        ``wanted`` is the record whose request runs this batch. Records that requests of this
        process wait for and that are not in the batch were sequenced by another process: their
        indexes are read in the same transaction (which, holding ``log_state``, sees that
        process's batch committed), all in one query, so that none of those requests needs a
        transaction of its own.
        """
        with self._mutex:
            # Records an earlier batch found, whose requests have not yet taken their turn to read it.
            waiting = self._waiting - self._sequenced.keys()
        with self._database.writes() as session, session.begin():
            frontier = repository.lock_state(session)
            size = frontier.size
            queued = repository.queued(session, self._batch_limit)
            entries, subtrees = _entries(size, queued, frontier)
            if queued:
                repository.append_batch(session, size, entries, subtrees, frontier, [q.seq for q in queued])
                self._outbox.publish_many(session, _notifications(queued, entries))
            appended = {e.record_id: e.leaf_index for e in entries if e.record_id is not None}
            elsewhere = repository.indexes_of(session, waiting - appended.keys())
        # Not in a full batch: it may still be queued behind it. Otherwise it is nowhere.
        if (
            wanted is not None
            and wanted not in appended
            and wanted not in elsewhere
            and len(queued) < self._batch_limit
        ):
            raise NotInLog(f"record {wanted} has no log entry, queued or appended")
        with self._mutex:
            for record_id, index in (appended | elsewhere).items():
                if record_id in self._waiting:
                    self._sequenced[record_id] = index
        return appended


def _entries(
    size: int, queued: Sequence[repository.Queued], frontier: CompactRange
) -> tuple[list[repository.StoredEntry], list[tuple[int, int, bytes]]]:
    at = timestamp(utc_now())
    entries: list[repository.StoredEntry] = []
    subtrees: list[tuple[int, int, bytes]] = []
    for offset, item in enumerate(queued):
        index = size + offset
        data = canonical_bytes({"index": index, "kind": item.kind, "at": at, **json.loads(item.facts)})
        leaf = leaf_hash(data)
        subtrees.extend(frontier.append(leaf))
        entries.append(repository.StoredEntry(index, item.kind, item.record_id, data.decode(), leaf))
    return entries, subtrees


def _notifications(
    queued: Sequence[repository.Queued], entries: Sequence[repository.StoredEntry]
) -> list[tuple[str, str, dict[str, object]]]:
    found = []
    for item, entry in zip(queued, entries, strict=True):
        if item.topic is not None and item.notification is not None:
            payload = json.loads(item.notification)
            payload["log_index"] = entry.leaf_index
            found.append((item.topic, item.record_id, payload))
    return found
