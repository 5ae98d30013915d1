"""Group-commit sequencing: entries get their leaf indexes in batches, right after their changes commit.

The log has one order, kept in one row (``log_state``). A change that claimed its index inside its
own transaction would hold that row from the claim to its commit, and every other change would wait
for it: the registry's writes would run one at a time. Instead a change queues its entry
(``log_queue``) in its own transaction, which contends with nobody, and after the commit asks the
sequencer for the entry's index before it answers. One batch at a time per process (a task on the
event loop, running a unit of work of units.py) takes ``log_state``, appends every queued entry in
queue order (the entries, the subtree hashes they complete, the new frontier), publishes their
notifications carrying the index, empties those queue rows and commits. Requests that come while a
batch runs are served by the next one, so under load one hold of the row sequences many changes, and
a quiet registry sequences each alone.

Processes (or replicas) share the queue: batches take turns on ``log_state``, and a request whose
entry another process sequenced finds its index in the log by record id. A change committed by a
process that died before sequencing it stays queued until the next batch of any process: the
registry sequences the queue when it starts and whenever a write asks.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.registry.identifiers import timestamp, utc_now
from services.registry.log import repository
from services.registry.log.service import PENDING_INDEX
from services.registry.units import UnitRunner
from shared.canonical import canonical_bytes
from shared.db.engine import Database
from shared.db.executor import Executor
from shared.db.transactions import run_in_transaction
from shared.outbox import Outbox
from shared.transparency.merkle import CompactRange, leaf_hash

BATCH_LIMIT = 1000


class NotInLog(RuntimeError):
    """A record whose entry is neither queued nor in the log."""


@dataclass(frozen=True)
class Batch:
    """What one batch did: the indexes it gave, the indexes of waited-for records that earlier batches
    (of any process) gave, and whether it stopped at the limit with more queued behind it."""

    appended: dict[str, int]
    found: dict[str, int]
    full: bool


def append_batch(session: Executor, outbox: Outbox, limit: int, waiting: frozenset[str]) -> Batch:
    """The unit of one batch: take ``log_state``, take up to ``limit`` entries off the queue and append
    them in queue order (entries, completed subtrees, frontier), publish their notifications.

    ``waiting`` are records whose requests wait for an index. Those not in this batch were sequenced
    by another process: their indexes are read in the same transaction (which, holding
    ``log_state``, sees that process's batch committed), in one query.
    """
    frontier = repository.lock_state(session)
    size = frontier.size
    queued = repository.take_queued(session, limit)
    entries, subtrees = _entries(size, queued, frontier)
    if queued:
        repository.append_batch(session, size, entries, subtrees, frontier)
        outbox.publish_many(session, _notifications(queued, entries))
    appended = {e.record_id: e.leaf_index for e in entries if e.record_id is not None}
    found = repository.indexes_of(session, waiting - appended.keys())
    return Batch(appended, found, len(queued) >= limit)


class Sequencer:
    """Appends queued entries to the log in batches and tells each waiting request its index."""

    def __init__(
        self, database: Database, outbox: Outbox, units: UnitRunner | None = None, batch_limit: int = BATCH_LIMIT
    ) -> None:
        self._database = database
        self._outbox = outbox
        self.units = units or UnitRunner(database, pool_size=4)
        self._batch_limit = batch_limit
        self._waiting: dict[str, list[asyncio.Future[int]]] = {}  # a replay may wait beside its first request
        self._batches: asyncio.Task[None] | None = None  # this process's one running batch loop

    async def index_of(self, record_id: str) -> int:
        """The leaf index of a committed change's entry; it waits for the batch that appends it."""
        loop = asyncio.get_running_loop()
        # A future per request: one that goes away cancels its own, not another's answer.
        future: asyncio.Future[int] = loop.create_future()
        self._waiting.setdefault(record_id, []).append(future)
        if self._batches is None or self._batches.done():
            self._batches = loop.create_task(self._sequence_while_waiting())
        return await future

    async def _sequence_while_waiting(self) -> None:
        # Requests that arrive while a batch runs are served by the next one: under load one hold of
        # log_state sequences every write that came in meanwhile.
        while self._waiting:
            wanted = frozenset(self._waiting)
            unit = functools.partial(append_batch, outbox=self._outbox, limit=self._batch_limit, waiting=wanted)
            try:
                batch = await self.units.run(unit)
            except Exception as exc:  # noqa: BLE001 - handed to every request this batch was for
                for record_id in wanted:
                    self._settle(record_id, error=exc)
                continue
            indexes = batch.appended | batch.found
            # Requests that began waiting while the batch ran may have had their entries in it, taken off
            # the queue after they committed: they are answered now, not a batch later.
            for record_id in [r for r in self._waiting if r in indexes]:
                self._settle(record_id, index=indexes[record_id])
            if not batch.full:  # not behind a full batch either: what was waited for and not found is nowhere
                for record_id in wanted & self._waiting.keys():
                    self._settle(record_id, error=NotInLog(f"record {record_id} has no log entry, queued or appended"))

    def _settle(self, record_id: str, *, index: int | None = None, error: Exception | None = None) -> None:
        for future in self._waiting.pop(record_id, []):
            if future.done():  # its request went away
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(int(index))  # type: ignore[arg-type]

    def sequence_queued(self) -> dict[str, int]:
        """Append one batch now, outside any request (synchronous); return its indexes by record id."""
        unit = functools.partial(append_batch, outbox=self._outbox, limit=self._batch_limit, waiting=frozenset())
        batch: Batch = run_in_transaction(self._database.writes, unit)
        return batch.appended

    def drain(self) -> int:
        """Sequence everything queued (at start: what a stopped process left); return how many entries."""
        total = 0
        while True:
            with self._database.reads() as session:
                if not repository.any_queued(session):
                    return total
            total += len(self.sequence_queued())


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
            payload = _indexed(json.loads(item.notification), entry.leaf_index)
            # A notification is the whole state of one record, which is not always the entry's own: a
            # decision on a claim announces the claim.
            found.append((item.topic, str(payload.get("id", item.record_id)), payload))
    return found


def _indexed(payload: dict[str, Any], index: int) -> dict[str, Any]:
    """Every ``log_index`` still pending in the payload (at its top, or in a record it carries) is the
    entry's: a claim's own index stays as it was when a decision on it is announced."""
    for key, value in payload.items():
        if key == "log_index" and value == PENDING_INDEX:
            payload[key] = index
        elif isinstance(value, dict):
            _indexed(value, index)
    return payload
